import Foundation
import KomplyCore
import KomplyGit
import KomplyRefine

extension GeneratePipeline {
    /// Generates from the staged content (the git index), for pre-commit: the repository around the
    /// current folder is snapshotted, the request's absolute paths are moved into the snapshot, and
    /// `body` runs inside it (so `--check` compares with the output folder as staged). The sizing
    /// history stays the worktree's: it is evidence about the running system, not a source. Refinement (`llm`,
    /// komply.yaml's `refine`) runs as `komply generate` runs it, replaying the staged `.komply/llm-cache`.
    public static func staged<T>(
        _ request: GenerateRequest, llm: LLMOptions = LLMOptions(), _ body: (GeneratePipeline) throws -> T
    ) async throws -> T {
        let repository = try SourceSnapshot.stagedRepository()
        let locations = try RepositoryPaths(repository: repository)
        var worktreeRequest = request
        let history = try HistoryLocation.resolve(worktreeRequest.history)
        if FileManager.default.fileExists(atPath: history) {
            worktreeRequest.history = URL(fileURLWithPath: history).standardizedFileURL.path
        }
        let request = worktreeRequest
        return try await SourceSnapshot.run(.staged, repository: repository) { root in
            let moved = request.moved(into: root, locations: locations)
            return try body(try await run(moved).refined(llm, templates: moved.templates, history: moved.history))
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
