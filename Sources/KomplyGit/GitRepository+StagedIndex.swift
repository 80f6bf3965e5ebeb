import Foundation
import KomplyCore

extension GitRepository {
    /// Every staged file by repository path — the content a commit made now would record. Git hands
    /// hooks a different index in `GIT_INDEX_FILE` during `git commit -a` (`.git/index.lock`) and
    /// `git commit PATH…` (`.git/next-index-*.lock`), and `.git/index` is stale then; so when
    /// `environment` sets it to another file than the repository's index, that file is read (a
    /// relative value against `currentDirectory`), else the repository's index.
    public func committableFiles(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> [String: Data] {
        try committableEntries(environment: environment, currentDirectory: currentDirectory).files
    }

    /// `committableFiles` plus which of them are symbolic links (their data is the link's target).
    public func committableEntries(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> (files: [String: Data], links: Set<String>) {
        guard let variable = environment["GIT_INDEX_FILE"], !variable.isEmpty else { return try stagedEntries() }
        let path = variable.hasPrefix("/") ? variable : currentDirectory + "/" + variable
        if Paths.canonical(path) == Paths.canonical(gitDirectory + "/index") { return try stagedEntries() }
        guard FileManager.default.fileExists(atPath: path) else { throw GitError.missingIndexFile(value: variable) }
        return try stagedEntries(ofIndex: path)
    }
}

private extension GitRepository {
    /// The staged files of the index file at `index`, read through a bare repository in a temporary
    /// folder whose objects are this repository's (through `objects/info/alternates`) and whose index
    /// is a copy of `index` (libgit2 reads only a repository's own index).
    func stagedEntries(ofIndex index: String) throws -> (files: [String: Data], links: Set<String>) {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("komply-index-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try FileManager.default.createDirectory(atPath: folder + "/objects/info", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder + "/refs/heads", withIntermediateDirectories: true)
            try Data("ref: refs/heads/komply-staged\n".utf8).write(to: URL(fileURLWithPath: folder + "/HEAD"))
            try Data((commonDirectory + "/objects\n").utf8).write(to: URL(fileURLWithPath: folder + "/objects/info/alternates"))
            try FileManager.default.copyItem(atPath: index, toPath: folder + "/index")
            return try GitRepository(path: folder).stagedEntries()
        } catch {
            throw GitError.unreadableIndex(path: index, reason: error.localizedDescription)
        }
    }

    /// The folder holding the objects: a linked worktree's git folder names it in `commondir`.
    var commonDirectory: String {
        guard let data = FileManager.default.contents(atPath: gitDirectory + "/commondir") else { return gitDirectory }
        let named = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return named.hasPrefix("/") ? named : Paths.normalized(gitDirectory + "/" + named)
    }
}
