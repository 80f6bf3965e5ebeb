import Foundation
import KomplyCore

/// Where a current folder and the paths a user typed sit inside a repository's worktree, so the
/// same files can be found in a snapshot of the index or of a revision (`GitSnapshot`).
public struct RepositoryPaths: Sendable, Equatable {
    /// The worktree's top folder, symbolic links resolved.
    public let workdir: String
    /// The current folder, symbolic links resolved.
    public let current: String

    /// The paths of `repository`'s worktree as seen from `currentDirectory`.
    public init(repository: GitRepository, currentDirectory: String = FileManager.default.currentDirectoryPath) throws(GitError) {
        guard let workdir = repository.workdir.map(Paths.canonical) else {
            throw .bareRepository(gitDirectory: repository.gitDirectory)
        }
        self.init(workdir: workdir, current: Paths.canonical(currentDirectory))
    }

    /// Paths for an explicit worktree and current folder (both absolute, symbolic links resolved).
    public init(workdir: String, current: String) {
        self.workdir = workdir
        self.current = current
    }

    /// The current folder relative to the worktree's top ("" at the top), nil when it is outside.
    public var currentFolder: String? { Paths.relative(current, to: workdir) }

    /// `path` (absolute, or relative to the current folder) as a repository path ("" for the top
    /// folder), or nil when it lies outside the worktree. The path need not exist.
    public func repositoryPath(of path: String) -> String? {
        let absolute = Paths.normalized(path.hasPrefix("/") ? path : current + "/" + path)
        if let inside = Paths.relative(absolute, to: workdir) { return inside }
        // A spelling through a symbolic link (/tmp → /private/tmp): resolve the deepest existing folder.
        var existing = absolute
        var rest: [String] = []
        while existing != "/" && !FileManager.default.fileExists(atPath: existing) {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let resolved = ([Paths.canonical(existing)] + rest).joined(separator: "/")
        return Paths.relative(Paths.normalized(resolved), to: workdir)
    }

    /// How a repository path is written relative to the current folder (`deploy/a.yaml`, `../a.yaml`, `.`).
    public func display(_ repositoryPath: String) -> String {
        let from = (currentFolder ?? "").split(separator: "/")
        let to = repositoryPath.split(separator: "/")
        var common = 0
        while common < from.count && common < to.count && from[common] == to[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
