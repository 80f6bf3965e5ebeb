import Foundation
import KomplyCore
import KomplyGit

// TODO(pipeline): remove the chdir once config loading takes explicit roots; callers then use
// `GitRepository.withSnapshot` and `GitSnapshot.folder(for:)` directly.
/// Runs a command's work over the repository's content at a revision or in the index (a
/// `GitSnapshot`), with the current folder moved to the same place inside the copy for the duration.
enum SourceSnapshot {
    /// Where the content comes from.
    enum Origin: Equatable {
        /// The files on disk: no snapshot.
        case worktree
        /// The index (what a commit made now would contain), for pre-commit hooks.
        case staged
        /// A commit, branch or tag.
        case revision(String)
    }

    /// Calls `body` with the current folder inside a copy of `repository`'s content at `origin`
    /// (for `.worktree`, in place). `body` gets the copy's root, or the worktree's root.
    static func run<T>(_ origin: Origin, repository: GitRepository, _ body: (_ root: String) throws -> T) throws -> T {
        guard let workdir = repository.workdir.map(Paths.canonical) else {
            throw GitError.bareRepository(gitDirectory: repository.gitDirectory)
        }
        let content: GitSnapshot.Content
        switch origin {
        case .worktree: return try body(workdir)
        case .staged: content = .staged
        case .revision(let revision): content = .revision(revision)
        }
        let current = Paths.canonical(FileManager.default.currentDirectoryPath)
        guard Paths.relative(current, to: workdir) != nil else {
            throw CLIError(message: "\(current): outside the repository \(workdir); run komply inside it")
        }
        return try repository.withSnapshot(content) { snapshot in
            let inside = snapshot.folder(for: current) ?? snapshot.root
            try FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
            // Running the body in the worktree instead would silently read the wrong content.
            guard FileManager.default.changeCurrentDirectoryPath(inside) else {
                throw CLIError(message: "\(inside): cannot enter the snapshot folder")
            }
            defer { _ = FileManager.default.changeCurrentDirectoryPath(current) }
            return try body(snapshot.root)
        }
    }

    /// The repository around the current folder, whose index `--staged` reads; outside one, a usage error.
    static func stagedRepository() throws -> GitRepository {
        let folder = FileManager.default.currentDirectoryPath
        do { return try GitRepository.discover(from: folder) } catch GitError.notARepository {
            throw CLIError(
                message:
                    "--staged reads the git index, but \(folder) is not inside a git repository; expected a folder with .git at or above it"
            )
        }
    }
}
