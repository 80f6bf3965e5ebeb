import Foundation
import KomplyGit

/// Runs a command's work over the repository's content at a revision or in the index, without
/// checking anything out: the files are written to a temporary copy of the repository, the current
/// folder moves to the same place inside it for the duration, and the copy is removed afterwards.
///
/// The copy's root keeps the repository folder's name (compose derives the project name from it) and
/// holds a `.git` file pointing at the real repository, so repository discovery (komply.yaml lookup,
/// the `origin` remote for Argo CD) sees what it sees in the worktree. Symbolic links arrive as files
/// holding their target, as git stores them.
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
        guard let workdir = repository.workdir.map(canonical) else {
            throw CLIError(message: "\(repository.gitDirectory): a bare repository; expected a checkout")
        }
        if origin == .worktree { return try body(workdir) }
        let current = canonical(FileManager.default.currentDirectoryPath)
        guard current == workdir || current.hasPrefix(workdir + "/") else {
            throw CLIError(message: "\(current): outside the repository \(workdir); run komply inside it")
        }
        let files: [String: Data]
        switch origin {
        case .worktree: files = [:]
        // Not `repository.stagedFiles()`: during `git commit -a` git's index is GIT_INDEX_FILE, not .git/index.
        case .staged: files = try StagedIndex.files(of: repository)
        case .revision(let revision): files = try repository.files(at: revision)
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("komply-snapshot-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        let root = scratch.appendingPathComponent((workdir as NSString).lastPathComponent).path
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try GitRepository.materialize(files, into: root)
        try Data("gitdir: \(repository.gitDirectory)\n".utf8).write(to: URL(fileURLWithPath: root + "/.git"))
        let inside = root + current.dropFirst(workdir.count)
        try FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
        // Running the body in the worktree instead would silently read the wrong content.
        guard FileManager.default.changeCurrentDirectoryPath(inside) else {
            throw CLIError(message: "\(inside): cannot enter the snapshot folder")
        }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(current) }
        return try body(root)
    }

    /// `path` with symbolic links resolved and no trailing slash.
    static func canonical(_ path: String) -> String {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return resolved.count > 1 && resolved.hasSuffix("/") ? String(resolved.dropLast()) : resolved
    }
}
