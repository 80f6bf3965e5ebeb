import Foundation
import KomplyGit

/// Where the current folder and the paths a user typed sit inside a repository's worktree, so the
/// same files can be found in a snapshot of the index or of a revision (`SourceSnapshot`).
struct RepositoryPaths {
    /// The worktree's top folder, symbolic links resolved.
    let workdir: String
    /// The current folder, symbolic links resolved.
    let current: String

    /// The paths of `repository`'s worktree as seen from the current folder.
    init(repository: GitRepository) throws {
        guard let workdir = repository.workdir.map(SourceSnapshot.canonical) else {
            throw CLIError(message: "\(repository.gitDirectory): a bare repository; expected a checkout")
        }
        self.init(workdir: workdir, current: SourceSnapshot.canonical(FileManager.default.currentDirectoryPath))
    }

    /// Paths for an explicit worktree and current folder (both absolute, symbolic links resolved).
    init(workdir: String, current: String) {
        self.workdir = workdir
        self.current = current
    }

    /// The current folder relative to the worktree's top ("" at the top), nil when it is outside.
    var currentFolder: String? { Self.relative(current, to: workdir) }

    /// `path` (absolute, or relative to the current folder) as a repository path ("" for the top
    /// folder), or nil when it lies outside the worktree. The path need not exist.
    func repositoryPath(of path: String) -> String? {
        let absolute = Self.normalized(path.hasPrefix("/") ? path : current + "/" + path)
        if let inside = Self.relative(absolute, to: workdir) { return inside }
        // A spelling through a symbolic link (/tmp → /private/tmp): resolve the deepest existing folder.
        var existing = absolute
        var rest: [String] = []
        while existing != "/" && !FileManager.default.fileExists(atPath: existing) {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let resolved = ([SourceSnapshot.canonical(existing)] + rest).joined(separator: "/")
        return Self.relative(Self.normalized(resolved), to: workdir)
    }

    /// How a repository path is written relative to the current folder (`deploy/a.yaml`, `../a.yaml`, `.`).
    func display(_ repositoryPath: String) -> String {
        let from = (currentFolder ?? "").split(separator: "/")
        let to = repositoryPath.split(separator: "/")
        var common = 0
        while common < from.count && common < to.count && from[common] == to[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// `path` with `.` and `..` components resolved lexically and no duplicate or trailing slashes.
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", path.hasPrefix("/") {
                continue  // "/.." is "/"
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `path` relative to `folder` ("" when equal), nil when it is not inside (both absolute and normalized).
    static func relative(_ path: String, to folder: String) -> String? {
        if path == folder { return "" }
        if folder == "/" { return String(path.dropFirst()) }
        return path.hasPrefix(folder + "/") ? String(path.dropFirst(folder.count + 1)) : nil
    }
}
