import CGit2
import Foundation

/// Generated files for one folder of a branch's tree: what `commit(_:onto:…)` writes.
public struct GeneratedFolder: Sendable {
    /// The folder inside the repository (`deploy/webshop`).
    public var folder: String
    /// The files to hold, by path relative to `folder`.
    public var files: [String: Data]
    /// Whether an existing file was written by komply: such files are replaced or removed, any
    /// other file is kept, and a generated file may not replace it.
    public var isGenerated: @Sendable (Data) -> Bool
    /// The part of `folder` this commit owns, relative to it: sub-folders (ending in `/`) and files; empty
    /// owns all of it. A komply-written file outside the scope (another environment's overlay) is kept.
    public var scope: [String]

    public init(folder: String, files: [String: Data], scope: [String] = [], isGenerated: @escaping @Sendable (Data) -> Bool) {
        self.folder = folder
        self.files = files
        self.scope = scope
        self.isGenerated = isGenerated
    }

    /// Whether `path` (relative to `folder`) is this commit's to replace or remove.
    public func owns(_ path: String) -> Bool {
        scope.isEmpty || scope.contains { $0.hasSuffix("/") ? path.hasPrefix($0) : path == $0 }
    }
}

/// What a commit onto a branch did.
public enum CommitOutcome: Sendable, Equatable {
    /// A new commit is the branch's tip.
    case committed(commit: String, parent: String?)
    /// The tree equals the parent's: no commit was made; `commit` is the unchanged tip (or start point).
    case unchanged(commit: String?)

    /// The branch's tip after the operation.
    public var tip: String? {
        switch self {
        case .committed(let commit, _): return commit
        case .unchanged(let commit): return commit
        }
    }
}

extension GitRepository {
    /// The trailer that marks a commit as komply's; a branch whose tip lacks it is never moved.
    public static let ownershipTrailer = "Komply-Version"

    /// Commits `generated` onto `branch` without touching the worktree or the index: the new tree is
    /// the parent's with the folders' komply-written files replaced. The parent (first and only) is
    /// `remoteTip` when given (the branch as the remote has it), else the branch's tip, else
    /// `startPoint` (a new branch). Makes no commit when the tree would not change. Refuses a branch
    /// (local or remote tip) whose tip komply did not make, and the checked-out branch.
    public func commit(
        _ generated: [GeneratedFolder], onto branch: String, startPoint: String = "HEAD", remoteTip: String? = nil,
        message: String, author: GitSignature? = nil
    ) throws -> CommitOutcome {
        try commit(generated, onto: branch, startPoint: startPoint, remoteTip: remoteTip, author: author) { _ in message }
    }

    /// `commit(_:onto:startPoint:remoteTip:message:author:)` whose message is made from the repository paths the
    /// commit removes (komply-written files in scope that are no longer generated), so it can list them.
    public func commit(
        _ generated: [GeneratedFolder], onto branch: String, startPoint: String = "HEAD", remoteTip: String? = nil,
        author: GitSignature? = nil, message: (_ removed: [String]) -> String
    ) throws -> CommitOutcome {
        let reference = "refs/heads/" + branch
        guard git_reference_is_valid_name(reference) == 1 else { throw GitError.unknownRevision(branch) }
        if headBranch == branch, workdir != nil { throw GitError.checkedOutBranch(branch) }
        let localTip = try commitIDIfPresent(reference)
        for tip in [remoteTip, localTip].compactMap({ $0 }) {
            let tipCommit = try commit(tip)
            guard tipCommit.trailers.contains(where: { $0.key == Self.ownershipTrailer }) else {
                throw GitError.foreignBranch(branch: branch, tip: tip)
            }
        }
        let parent: String?
        if let tip = remoteTip ?? localTip {
            parent = tip
        } else {
            parent = try commitIDIfPresent(startPoint)
            if parent == nil, startPoint != "HEAD" { throw GitError.unknownRevision(startPoint) }
        }
        var baseTree: OpaquePointer?
        var parentCommit: OpaquePointer?
        if let parent {
            parentCommit = try lookupCommit(parent)
            try check(git_commit_tree(&baseTree, parentCommit), "read the tree of \(parent)")
        }
        defer { git_tree_free(baseTree); git_commit_free(parentCommit) }

        var edits: [String: Data?] = [:]
        for folder in generated {
            let prefix = try Self.normalized(folder.folder, allowEmpty: true)
            let base = prefix.isEmpty ? "" : prefix + "/"
            let existing = parent == nil ? [:] : try files(at: parent!, under: prefix)
            for (path, data) in existing where folder.owns(String(path.dropFirst(base.count))) && folder.isGenerated(data) {
                edits[path] = .some(nil)
            }
            for (relative, data) in folder.files {
                let path = base + (try Self.normalized(relative, allowEmpty: false))
                if let old = existing[path], !folder.isGenerated(old), old != data { throw GitError.collision(path: path) }
                edits[path] = .some(data)
            }
        }
        var treeID = try buildTree(base: baseTree, edits: edits)
        if let baseTree, git_oid_equal(&treeID, git_tree_id(baseTree)) == 1 {
            return .unchanged(commit: parent)
        }
        let removed = edits.filter { $0.value == nil }.map(\.key).sorted()
        let message = message(removed)
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeID), "read the new tree")
        defer { git_tree_free(tree) }
        let signature = try (author ?? defaultSignature()).make()
        defer { git_signature_free(signature) }
        var commitID = git_oid()
        var parents: [OpaquePointer?] = parentCommit.map { [$0] } ?? []
        try check(
            git_commit_create(&commitID, handle, nil, signature, signature, "UTF-8", message, tree, parents.count, &parents),
            "create the commit for \(branch)")
        var updated: OpaquePointer?
        var expected = try localTip.map(oid)
        let log = "komply sync: \(parent == nil ? "create" : "update") \(branch)"
        if expected != nil {
            try check(git_reference_create_matching(&updated, handle, reference, &commitID, 1, &expected!, log), "move \(branch)")
        } else {
            try check(git_reference_create(&updated, handle, reference, &commitID, 0, log), "create \(branch)")
        }
        git_reference_free(updated)
        return .committed(commit: hex(&commitID), parent: parent)
    }

    /// `user.name`/`user.email` from the git configuration, else `komply <komply@localhost>`.
    public func defaultSignature() -> GitSignature {
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&signature, handle) == 0, let signature else {
            return GitSignature(name: "komply", email: "komply@localhost")
        }
        defer { git_signature_free(signature) }
        return GitSignature(name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email))
    }
}

/// The author and committer of komply's commits.
public struct GitSignature: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    func make() throws -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_now(&signature, name, email), "make the signature \(name) <\(email)>")
        return signature!
    }
}

private extension GitRepository {
    /// Writes the tree that is `base` with `edits` applied (path → content, or nil to remove);
    /// folders left empty disappear.
    func buildTree(base: OpaquePointer?, edits: [String: Data?]) throws -> git_oid {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, base), "start a tree")
        defer { git_treebuilder_free(builder) }
        var nested: [String: [String: Data?]] = [:]
        for (path, content) in edits {
            if let slash = path.firstIndex(of: "/") {
                nested[String(path[..<slash]), default: [:]][String(path[path.index(after: slash)...])] = content
            } else if let content {
                var blobID = git_oid()
                let code = content.withUnsafeBytes { bytes in
                    git_blob_create_from_buffer(&blobID, handle, bytes.baseAddress, bytes.count)
                }
                try check(code, "write blob \(path)")
                try check(git_treebuilder_insert(nil, builder, path, &blobID, GIT_FILEMODE_BLOB), "add \(path)")
            } else if git_treebuilder_get(builder, path) != nil {
                try check(git_treebuilder_remove(builder, path), "remove \(path)")
            }
        }
        for (name, childEdits) in nested {
            var childBase: OpaquePointer?
            if let entry = git_treebuilder_get(builder, name), git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                try check(git_tree_lookup(&childBase, handle, git_tree_entry_id(entry)), "read tree \(name)")
            } else if git_treebuilder_get(builder, name) != nil, childEdits.values.contains(where: { $0 != nil }) {
                throw GitError.collision(path: name)  // a file where a folder must go
            }
            defer { git_tree_free(childBase) }
            var childID = try buildTree(base: childBase, edits: childEdits)
            var child: OpaquePointer?
            try check(git_tree_lookup(&child, handle, &childID), "read tree \(name)")
            let empty = git_tree_entrycount(child) == 0
            git_tree_free(child)
            if empty {
                if git_treebuilder_get(builder, name) != nil { try check(git_treebuilder_remove(builder, name), "remove \(name)") }
            } else {
                try check(git_treebuilder_insert(nil, builder, name, &childID, GIT_FILEMODE_TREE), "add \(name)")
            }
        }
        var id = git_oid()
        try check(git_treebuilder_write(&id, builder), "write a tree")
        return id
    }
}
