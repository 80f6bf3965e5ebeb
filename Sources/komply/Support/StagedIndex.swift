import Foundation
import KomplyGit

/// The content a commit made now would record. Git hands hooks a different index in
/// `GIT_INDEX_FILE` during `git commit -a` (`.git/index.lock`) and `git commit PATH…`
/// (`.git/next-index-*.lock`), and `.git/index` is stale then; libgit2 reads only the repository's
/// own index, so that file is read through a throwaway repository that borrows the real one's objects.
enum StagedIndex {
    /// The repository around the current folder, whose index `--staged` reads; outside one, a usage error.
    static func repository() throws -> GitRepository {
        let folder = FileManager.default.currentDirectoryPath
        do { return try GitRepository.discover(from: folder) } catch GitError.notARepository {
            throw CLIError(
                message:
                    "--staged reads the git index, but \(folder) is not inside a git repository; expected a folder with .git at or above it"
            )
        }
    }

    /// Every staged file of `repository` by repository path: from `GIT_INDEX_FILE` when git set it to
    /// another file than the repository's index, else from the index.
    static func files(
        of repository: GitRepository, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> [String: Data] {
        guard let variable = environment["GIT_INDEX_FILE"], !variable.isEmpty else { return try repository.stagedFiles() }
        let path = variable.hasPrefix("/") ? variable : FileManager.default.currentDirectoryPath + "/" + variable
        if SourceSnapshot.canonical(path) == SourceSnapshot.canonical(repository.gitDirectory + "/index") {
            return try repository.stagedFiles()
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(
                message: "GIT_INDEX_FILE=\(variable): no such file; expected the index git is committing (or unset GIT_INDEX_FILE)")
        }
        return try stagedFiles(of: path, borrowingObjectsOf: repository)
    }
}

private extension StagedIndex {
    /// The staged files of `index` read through a bare repository in a temporary folder whose objects
    /// are `repository`'s (through `objects/info/alternates`) and whose index is a copy of `index`.
    static func stagedFiles(of index: String, borrowingObjectsOf repository: GitRepository) throws -> [String: Data] {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("komply-index-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try FileManager.default.createDirectory(atPath: folder + "/objects/info", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder + "/refs/heads", withIntermediateDirectories: true)
            try Data("ref: refs/heads/komply-staged\n".utf8).write(to: URL(fileURLWithPath: folder + "/HEAD"))
            try Data((commonDirectory(of: repository) + "/objects\n").utf8)
                .write(to: URL(fileURLWithPath: folder + "/objects/info/alternates"))
            try FileManager.default.copyItem(atPath: index, toPath: folder + "/index")
            return try GitRepository(path: folder).stagedFiles()
        } catch {
            throw CLIError(message: "\(index): cannot read the index git is committing: \(error.localizedDescription)")
        }
    }

    /// The folder holding the objects: a linked worktree's git folder names it in `commondir`.
    static func commonDirectory(of repository: GitRepository) -> String {
        let gitDirectory = repository.gitDirectory
        guard let data = FileManager.default.contents(atPath: gitDirectory + "/commondir") else { return gitDirectory }
        let named = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return named.hasPrefix("/") ? named : RepositoryPaths.normalized(gitDirectory + "/" + named)
    }
}
