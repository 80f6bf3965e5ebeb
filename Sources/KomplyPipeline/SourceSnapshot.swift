import Foundation
import KomplyCore
import KomplyGit

/// Runs a command's work over the repository's content at a revision or in the index (a
/// `GitSnapshot`), with the current folder moved to the same place inside the copy for the duration.
///
/// The one place komply changes the process's current folder: the readers resolve relative paths
/// (sources, env files, extends, komply.yaml's) against it and name files as the user typed them,
/// and generated files and messages must read the same from a snapshot as from the worktree. What
/// they may read is decided by Core's `RepositoryRoot`, whose root in a snapshot is the copy (it
/// holds a `.git` file), so nothing a commit names resolves on the host; KomplyGit's `GitSnapshot`
/// itself never changes the current folder.
public enum SourceSnapshot {
    /// Where the content comes from.
    public enum Origin: Equatable, Sendable {
        /// The files on disk: no snapshot.
        case worktree
        /// The index (what a commit made now would contain), for pre-commit hooks.
        case staged
        /// A commit, branch or tag.
        case revision(String)
    }

    /// Calls `body` with the current folder inside a copy of `repository`'s content at `origin`
    /// (for `.worktree`, in place). `body` gets the copy's root, or the worktree's root.
    public static func run<T>(_ origin: Origin, repository: GitRepository, _ body: (_ root: String) throws -> T) throws -> T {
        let place = try enter(origin, repository: repository)
        defer { place.leave() }
        return try body(place.root)
    }

    /// `run` for work that awaits (LLM refinement replays its cache or asks a server inside the snapshot).
    public static func run<T>(_ origin: Origin, repository: GitRepository, _ body: (_ root: String) async throws -> T) async throws -> T {
        let place = try enter(origin, repository: repository)
        defer { place.leave() }
        return try await body(place.root)
    }

    /// The repository around the current folder, whose index `--staged` reads; outside one, a usage error.
    public static func stagedRepository() throws -> GitRepository {
        let folder = FileManager.default.currentDirectoryPath
        do { return try GitRepository.discover(from: folder) } catch GitError.notARepository {
            throw PipelineError.notInRepository(folder: folder)
        }
    }
}

private extension SourceSnapshot {
    /// Where `body` runs and how to leave it: the current folder moved into the snapshot, and back (the copy removed).
    struct Place {
        var root: String
        var leave: () -> Void
    }

    static func enter(_ origin: Origin, repository: GitRepository) throws -> Place {
        guard let workdir = repository.workdir.map(Paths.canonical) else {
            throw GitError.bareRepository(gitDirectory: repository.gitDirectory)
        }
        let content: GitSnapshot.Content
        switch origin {
        case .worktree: return Place(root: workdir) {}
        case .staged: content = .staged
        case .revision(let revision): content = .revision(revision)
        }
        let current = Paths.canonical(FileManager.default.currentDirectoryPath)
        guard Paths.relative(current, to: workdir) != nil else {
            throw PipelineError.outsideRepository(path: current, workdir: workdir, expected: "run komply inside it")
        }
        let snapshot = try repository.snapshot(content)
        let inside = snapshot.folder(for: current) ?? snapshot.root
        do {
            try FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
        } catch {
            snapshot.remove()
            throw error
        }
        // Running the body in the worktree instead would silently read the wrong content.
        guard FileManager.default.changeCurrentDirectoryPath(inside) else {
            snapshot.remove()
            throw PipelineError.cannotEnterSnapshot(path: inside)
        }
        return Place(root: snapshot.root) {
            _ = FileManager.default.changeCurrentDirectoryPath(current)
            snapshot.remove()
        }
    }
}
