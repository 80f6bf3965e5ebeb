import CGit2
import Foundation
import KomplyCore

/// A git repository opened through libgit2: reads trees at any revision, the index and diffs
/// without touching the worktree, and commits trees onto branches (see `GitRepository+Commit`).
public final class GitRepository: @unchecked Sendable {
    /// libgit2's handle; one `GitRepository` is used from one task at a time.
    let handle: OpaquePointer

    /// The working tree's top folder (no trailing slash), nil for a bare repository.
    public var workdir: String? {
        guard let path = git_repository_workdir(handle) else { return nil }
        return Self.trimmed(String(cString: path))
    }

    /// The git folder (`.git`, or the bare repository itself), without a trailing slash.
    public var gitDirectory: String {
        Self.trimmed(String(cString: git_repository_path(handle)))
    }

    /// Opens the repository whose worktree or git folder is exactly `path`.
    public init(path: String) throws {
        Libgit2.initialize()
        var repository: OpaquePointer?
        let code = git_repository_open_ext(&repository, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil)
        if code == GIT_ENOTFOUND.rawValue { throw GitError.notARepository(path: path) }
        try check(code, "open repository \(path)")
        handle = repository!
    }

    /// The repository containing `directory`, found by walking up as git does.
    public static func discover(from directory: String) throws -> GitRepository {
        Libgit2.initialize()
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let code = git_repository_discover(&buffer, directory, 0, nil)
        if code == GIT_ENOTFOUND.rawValue { throw GitError.notARepository(path: directory) }
        try check(code, "discover repository from \(directory)")
        return try GitRepository(path: String(cString: buffer.ptr))
    }

    deinit {
        git_repository_free(handle)
    }

    /// The commit `revision` names (`HEAD`, `main`, `origin/main`, `v1.2`, `HEAD~2`, an id), in hexadecimal.
    public func commitID(_ revision: String) throws -> String {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        return hex(git_commit_id(commit))
    }

    /// The commit `revision` names, or nil when it names nothing (an unborn HEAD, a missing branch).
    public func commitIDIfPresent(_ revision: String) throws -> String? {
        do { return try commitID(revision) } catch GitError.unknownRevision { return nil }
    }

    /// The branch HEAD points at (`main`), also on an unborn branch; nil when HEAD is detached.
    public var headBranch: String? {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, handle, "HEAD") == 0, let reference else { return nil }
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(reference)
        else { return nil }
        let name = String(cString: target)
        return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : nil
    }

    /// A commit's message, parents and tree.
    public func commit(_ revision: String) throws -> GitCommit {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        var parents: [String] = []
        for index in 0..<git_commit_parentcount(commit) {
            if let id = git_commit_parent_id(commit, index) { parents.append(hex(id)) }
        }
        let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        return GitCommit(id: hex(git_commit_id(commit)), tree: hex(git_commit_tree_id(commit)), parents: parents, message: message)
    }

    /// Every file (blob) in the tree of `revision` under `folder` ("" for all), keyed by its path
    /// relative to the repository root; symbolic links hold their target, submodules are skipped.
    public func files(at revision: String, under folder: String = "") throws -> [String: Data] {
        try entries(at: revision, under: folder).files
    }

    /// `files(at:under:)` plus which of them are symbolic links (their data is the link's target).
    public func entries(at revision: String, under folder: String = "") throws -> (files: [String: Data], links: Set<String>) {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "read the tree of \(revision)")
        defer { git_tree_free(tree) }
        var files: [String: Data] = [:]
        var links = Set<String>()
        let prefix = try Self.normalized(folder, allowEmpty: true)
        guard let start = try subtree(of: tree!, at: prefix) else { return ([:], []) }
        defer { if start != tree { git_tree_free(start) } }
        try collect(start, prefix: prefix.isEmpty ? "" : prefix + "/", into: &files, links: &links)
        return (files, links)
    }

    /// The content of `path` at `revision`, or nil when the tree has no such file.
    public func file(at revision: String, path: String) throws -> Data? {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "read the tree of \(revision)")
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, tree, try Self.normalized(path, allowEmpty: false))
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "find \(path) at \(revision)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return try blob(git_tree_entry_id(entry))
    }

    /// The staged content (the index, stage 0) of every file under `folder` — what a commit made now
    /// would contain, whatever the worktree holds. Conflicted entries are skipped.
    public func stagedFiles(under folder: String = "") throws -> [String: Data] {
        try stagedEntries(under: folder).files
    }

    /// `stagedFiles(under:)` plus which of them are symbolic links (their data is the link's target).
    public func stagedEntries(under folder: String = "") throws -> (files: [String: Data], links: Set<String>) {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "read the index")
        defer { git_index_free(index) }
        let prefix = try Self.normalized(folder, allowEmpty: true)
        var files: [String: Data] = [:]
        var links = Set<String>()
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), git_index_entry_stage(entry) == 0,
                let rawPath = entry.pointee.path
            else { continue }
            let path = String(cString: rawPath)
            guard prefix.isEmpty || path.hasPrefix(prefix + "/") else { continue }
            // Submodules (gitlinks) have no blob.
            guard entry.pointee.mode != GIT_FILEMODE_COMMIT.rawValue else { continue }
            var id = entry.pointee.id
            files[path] = try blob(&id)
            if entry.pointee.mode == GIT_FILEMODE_LINK.rawValue { links.insert(path) }
        }
        return (files, links)
    }

    /// The paths that differ between two revisions (added, modified, deleted, renamed: both names), sorted.
    public func changedFiles(from old: String, to new: String) throws -> [String] {
        let (oldCommit, newCommit) = (try lookupCommit(old), try lookupCommit(new))
        defer { git_commit_free(oldCommit); git_commit_free(newCommit) }
        var (oldTree, newTree): (OpaquePointer?, OpaquePointer?) = (nil, nil)
        try check(git_commit_tree(&oldTree, oldCommit), "read the tree of \(old)")
        defer { git_tree_free(oldTree) }
        try check(git_commit_tree(&newTree, newCommit), "read the tree of \(new)")
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil), "diff \(old)..\(new)")
        defer { git_diff_free(diff) }
        var paths = Set<String>()
        for position in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, position) else { continue }
            if let path = delta.pointee.old_file.path { paths.insert(String(cString: path)) }
            if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths.sorted()
    }

    /// The staged paths that differ from `revision`'s tree (what `git diff --cached --name-only` lists).
    public func stagedChanges(against revision: String = "HEAD") throws -> [String] {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "read the index")
        defer { git_index_free(index) }
        var tree: OpaquePointer?
        var commit: OpaquePointer?
        if let id = try commitIDIfPresent(revision) {
            commit = try lookupCommit(id)
            try check(git_commit_tree(&tree, commit), "read the tree of \(revision)")
        }
        defer { git_tree_free(tree); git_commit_free(commit) }
        var diff: OpaquePointer?
        try check(git_diff_tree_to_index(&diff, handle, tree, index, nil), "diff \(revision) against the index")
        defer { git_diff_free(diff) }
        var paths = Set<String>()
        for position in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, position) else { continue }
            if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths.sorted()
    }

    /// Writes `files` (repository-relative paths) into `folder`, creating subfolders — the way to
    /// hand a revision's or the index's content to readers that expect a file system. The paths in
    /// `links` become symbolic links to the target their data holds (never followed here; readers
    /// judge them inside the copy as in a worktree). Refuses a path that climbs out (`..`, absolute,
    /// `.git`) or would be written through a symbolic link.
    public static func materialize(_ files: [String: Data], links: Set<String> = [], into folder: String) throws {
        let top = Paths.canonical(folder)
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let safe = try normalized(path, allowEmpty: false)
            // A symbolic link already in `folder` must not carry a write outside it.
            var prefix = top
            for component in safe.split(separator: "/") {
                prefix += "/" + component
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: prefix)) != nil { throw GitError.unsafePath(path) }
            }
            let target = URL(fileURLWithPath: prefix)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if links.contains(path) {
                try FileManager.default.createSymbolicLink(atPath: prefix, withDestinationPath: String(decoding: data, as: UTF8.self))
            } else {
                try data.write(to: target)
            }
        }
    }
}

/// One commit as komply reads it.
public struct GitCommit: Sendable, Equatable {
    public var id: String
    public var tree: String
    public var parents: [String]
    public var message: String

    /// The trailers of the message's last paragraph (`Key: value` lines), in order.
    public var trailers: [(key: String, value: String)] {
        CommitMessage.trailers(of: message)
    }

    public static func == (lhs: GitCommit, rhs: GitCommit) -> Bool {
        lhs.id == rhs.id && lhs.tree == rhs.tree && lhs.parents == rhs.parents && lhs.message == rhs.message
    }
}

extension GitRepository {
    func lookupCommit(_ revision: String) throws -> OpaquePointer {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, handle, revision)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue || code == GIT_EAMBIGUOUS.rawValue {
            throw GitError.unknownRevision(revision)
        }
        try check(code, "resolve \(revision)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
            throw GitError.unknownRevision(revision)
        }
        return commit
    }

    func blob(_ id: UnsafePointer<git_oid>) throws -> Data {
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, id), "read blob \(hex(id))")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: bytes, count: size)
    }

    /// The subtree at `path` ("" is the tree itself); nil when absent or not a folder. The caller frees it unless it is `tree`.
    func subtree(of tree: OpaquePointer, at path: String) throws -> OpaquePointer? {
        if path.isEmpty { return tree }
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, tree, path)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "find \(path)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }
        var subtree: OpaquePointer?
        try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "read tree \(path)")
        return subtree
    }

    func collect(_ tree: OpaquePointer, prefix: String, into files: inout [String: Data], links: inout Set<String>) throws {
        for position in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, position) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                files[prefix + name] = try blob(git_tree_entry_id(entry))
                if git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK { links.insert(prefix + name) }
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "read tree \(prefix)\(name)")
                defer { git_tree_free(subtree) }
                try collect(subtree!, prefix: prefix + name + "/", into: &files, links: &links)
            default:
                continue  // submodules
            }
        }
    }

    /// A repository-relative path without `.`/empty components; refuses `..`, `.git` and absolute paths.
    static func normalized(_ path: String, allowEmpty: Bool) throws -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if components.isEmpty {
            if allowEmpty && !path.hasPrefix("/") { return "" }
            throw GitError.unsafePath(path)
        }
        guard !path.hasPrefix("/"), !components.contains(where: { $0 == ".." || $0.lowercased() == ".git" || $0.contains("\0") })
        else { throw GitError.unsafePath(path) }
        return components.joined(separator: "/")
    }

    static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
