import Foundation
import KomplyCore

/// What `komply sources` (and later `generate`) reads: apps from paths, `-f` files and stats snapshots.
public struct SourceRequest: Sendable {
    /// Each path is one app (a compose file, an inspect snapshot, a folder), or a `docker stats` JSON-lines
    /// file whose usage is attached to the apps named beside it (alone, it is refused: it is not an app).
    public var paths: [String]
    /// `-f` files merged into one app.
    public var files: [String]
    /// `--env-file` files.
    public var envFiles: [String]
    /// Profiles to enable.
    public var profiles: [String]
    /// `docker stats` JSON-lines files to attach to the apps' services.
    public var stats: [String]
    /// The process environment.
    public var environment: [String: String]
    /// Reads must stay inside this directory (default: the git repository around each app).
    public var root: String?

    /// Creates a request.
    public init(
        paths: [String] = [], files: [String] = [], envFiles: [String] = [], profiles: [String] = [],
        stats: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment, root: String? = nil
    ) {
        self.paths = paths
        self.files = files
        self.envFiles = envFiles
        self.profiles = profiles
        self.stats = stats
        self.environment = environment
        self.root = root
    }
}

/// Reads every app a request names, in argument order.
public enum SourceLoader {
    /// The apps; with neither paths nor files, the compose files of the current directory.
    public static func load(_ request: SourceRequest) throws(SourcesError) -> [ComposeProject] {
        var projects: [ComposeProject] = []
        var statsFiles = request.stats
        // Without paths or -f files, the compose files of the current folder, as docker compose does.
        let paths = request.paths.isEmpty && request.files.isEmpty ? ["."] : request.paths
        if !request.files.isEmpty {
            projects.append(try ComposeLoader.load(composeRequest(request, files: request.files)))
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unrecognisedInput(
                    path: path, reason: "no such file or directory; expected a compose file, an inspect snapshot or a folder")
            }
            if isDirectory.boolValue {
                let files = try ComposeLoader.discover(in: path)
                projects.append(try ComposeLoader.load(composeRequest(request, files: files)))
            } else if path.hasSuffix(".jsonl") {
                statsFiles.append(path)
            } else if path.hasSuffix(".json") {
                let documents: [Node]
                do { documents = try YAMLLoader.load(path: path) } catch { throw .core(error) }
                if DockerInspectReader.looksLikeInspect(documents) {
                    projects += try DockerInspectReader.read(documents, file: path)
                    if let sibling = siblingStats(of: path), !statsFiles.contains(sibling) { statsFiles.append(sibling) }
                } else {
                    projects.append(try ComposeLoader.load(composeRequest(request, files: [path])))
                }
            } else {
                projects.append(try ComposeLoader.load(composeRequest(request, files: [path])))
            }
        }
        // Usage needs an app to belong to: a stats file alone names no image, port or command to model.
        if projects.isEmpty, let lone = paths.first(where: { $0.hasSuffix(".jsonl") }) {
            throw .unrecognisedInput(
                path: lone,
                reason:
                    "docker stats usage, not an app; name its app too (a compose file, folder or docker inspect snapshot: a sibling x.stats.jsonl of x.inspect.json is attached by itself) or pass it with --stats"
            )
        }
        for file in statsFiles {
            let samples = try DockerStatsReader.read(path: file, displayName: file)
            let diagnostics = DockerStatsReader.attach(samples, to: &projects, source: file)
            if let first = projects.indices.first { projects[first].diagnostics += diagnostics }
        }
        return projects
    }
}

private extension SourceLoader {
    static func composeRequest(_ request: SourceRequest, files: [String]) -> ComposeRequest {
        ComposeRequest(
            files: files, envFiles: request.envFiles, profiles: request.profiles,
            environment: request.environment, root: request.root)
    }

    /// `x.stats.jsonl` next to `x.inspect.json` or `x.json`.
    static func siblingStats(of path: String) -> String? {
        var base = path
        for suffix in [".inspect.json", ".json"] where base.hasSuffix(suffix) {
            base = String(base.dropLast(suffix.count))
            break
        }
        let candidate = base + ".stats.jsonl"
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }
}
