import Foundation
import KomplyCore

/// A repository's content at a revision or in the index, written to a temporary folder so readers
/// that expect a file system can read it without anything being checked out. The process's current
/// folder is never changed; callers find their way in with `folder(for:)`.
///
/// The copy's root keeps the worktree folder's name (compose derives the project name from it) and
/// holds a `.git` file pointing at the real repository, so repository discovery (komply.yaml lookup,
/// the `origin` remote) sees what it sees in the worktree. Committed symbolic links are written as
/// symbolic links, so readers judge them inside the copy exactly as in a worktree: one that leads
/// out of the copy (to a host file, or `../..` above it) is refused by `RepositoryRoot`, never followed.
public struct GitSnapshot: Sendable, Equatable {
    /// Which content a snapshot holds.
    public enum Content: Sendable, Equatable {
        /// The staged content: what a commit made now would record (`GIT_INDEX_FILE` honoured).
        case staged
        /// The tree of a commit, branch or tag.
        case revision(String)
    }

    /// The copy's top folder; its last component is the worktree's.
    public let root: String
    /// The worktree the copy mirrors, symbolic links resolved.
    public let workdir: String
    /// The temporary folder holding `root`, removed by `remove()`.
    let scratch: String

    /// The folder inside the copy that corresponds to `worktreeFolder` (absolute, symbolic links
    /// resolved), or nil when that folder is outside the worktree. It need not exist in the copy.
    public func folder(for worktreeFolder: String) -> String? {
        guard let inside = Paths.relative(worktreeFolder, to: workdir) else { return nil }
        return inside.isEmpty ? root : root + "/" + inside
    }

    /// Deletes the copy.
    public func remove() {
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

extension GitRepository {
    /// Writes `content` into a new temporary folder and returns it; the caller removes it (or uses
    /// `withSnapshot`). `environment` and `currentDirectory` locate the index git hands a hook.
    public func snapshot(
        _ content: GitSnapshot.Content, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> GitSnapshot {
        guard let workdir = workdir.map(Paths.canonical) else { throw GitError.bareRepository(gitDirectory: gitDirectory) }
        let entries: (files: [String: Data], links: Set<String>)
        switch content {
        // Not `stagedFiles()`: during `git commit -a` git's index is GIT_INDEX_FILE, not .git/index.
        case .staged: entries = try committableEntries(environment: environment, currentDirectory: currentDirectory)
        case .revision(let revision): entries = try self.entries(at: revision)
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("komply-snapshot-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path
        let snapshot = GitSnapshot(root: scratch + "/" + (workdir as NSString).lastPathComponent, workdir: workdir, scratch: scratch)
        do {
            try FileManager.default.createDirectory(atPath: snapshot.root, withIntermediateDirectories: true)
            try Self.materialize(entries.files, links: entries.links, into: snapshot.root)
            try Data("gitdir: \(gitDirectory)\n".utf8).write(to: URL(fileURLWithPath: snapshot.root + "/.git"))
        } catch {
            snapshot.remove()
            throw error
        }
        return snapshot
    }

    /// Calls `body` with a snapshot of `content`, removed afterwards.
    public func withSnapshot<T>(
        _ content: GitSnapshot.Content, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath, _ body: (GitSnapshot) throws -> T
    ) throws -> T {
        let snapshot = try snapshot(content, environment: environment, currentDirectory: currentDirectory)
        defer { snapshot.remove() }
        return try body(snapshot)
    }

    /// The content at `revision` of each of `paths` (absolute, or relative to `locations.current`), in
    /// order, keyed by the path as given. Paths outside the worktree, unsafe repository paths and
    /// files `revision` does not hold are left out.
    public func contents(of paths: [String], at revision: String, locations: RepositoryPaths) throws -> [(path: String, data: Data)] {
        var contents: [(path: String, data: Data)] = []
        for path in paths {
            guard let inside = locations.repositoryPath(of: path), !inside.isEmpty else { continue }
            let data: Data?
            do { data = try file(at: revision, path: inside) } catch GitError.unsafePath { continue }
            if let data { contents.append((path, data)) }
        }
        return contents
    }
}
