import Foundation
import KomplyCore
import KomplyGit

extension GeneratePipeline {
    /// Generates from the staged content (the git index), for pre-commit: the repository around the
    /// current folder is snapshotted, the request's absolute paths are moved into the snapshot, and
    /// `body` runs inside it (so `--check` compares with the output folder as staged). The sizing
    /// history stays the worktree's: it is evidence about the running system, not a source.
    public static func staged<T>(_ request: GenerateRequest, _ body: (GeneratePipeline) throws -> T) throws -> T {
        let repository = try SourceSnapshot.stagedRepository()
        let locations = try RepositoryPaths(repository: repository)
        var request = request
        let history = try HistoryLocation.resolve(request.history)
        if FileManager.default.fileExists(atPath: history) {
            request.history = URL(fileURLWithPath: history).standardizedFileURL.path
        }
        return try SourceSnapshot.run(.staged, repository: repository) { root in
            try body(try run(request.moved(into: root, locations: locations)))
        }
    }
}

extension GenerateRequest {
    /// This request with absolute paths into the worktree moved into the snapshot at `root` (the
    /// history file excepted, which stays in the worktree); relative paths already resolve inside it.
    func moved(into root: String, locations: RepositoryPaths) -> GenerateRequest {
        func move(_ path: String) -> String {
            guard path.hasPrefix("/"), let inside = locations.repositoryPath(of: path) else { return path }
            return inside.isEmpty ? root : root + "/" + inside
        }
        var moved = self
        moved.sources.paths = sources.paths.map(move)
        moved.sources.files = sources.files.map(move)
        moved.sources.envFiles = sources.envFiles.map(move)
        moved.sources.stats = sources.stats.map(move)
        moved.sources.root = sources.root.map(move)
        moved.output = output.map(move)
        moved.config = config.map(move)
        moved.templates = templates.map(move)
        return moved
    }
}
