import Foundation
import KomplyCore
import KomplyGenerate
import KomplyGit
import KomplySources

/// Turns command-line options and komply.yaml into the sources to read and the generator's settings.
struct GeneratePlan {
    var sourceRequest: SourceRequest
    var settings: GeneratorSettings
    var outputDirectory: String

    static func make(input: InputOptions, output: String?, environments: [String], config: String?, registry: String?) throws
        -> GeneratePlan
    {
        var settings = GeneratorSettings()
        let repository = RepositoryInfo.discover(from: FileManager.default.currentDirectoryPath)
        var loaded: GenerateConfig?
        if let config {
            loaded = try GenerateConfigLoader.load(path: config)
        } else {
            loaded = try GenerateConfigLoader.discover(from: FileManager.default.currentDirectoryPath)
        }
        var paths = input.paths
        var outputDirectory = output ?? "deploy"
        if let loaded {
            settings = GeneratorSettings(config: loaded)
            let base = loaded.location.map { ($0.file as NSString).deletingLastPathComponent } ?? "."
            if output == nil { outputDirectory = join(base, loaded.output) }
            if paths.isEmpty && input.files.isEmpty && !loaded.sources.isEmpty {
                paths = try Glob.expand(loaded.sources, in: base.isEmpty ? "." : base).map { join(base, $0) }
                if paths.isEmpty {
                    throw CLIError(
                        message:
                            "\(loaded.location?.description ?? "komply.yaml"): sources match no files; expected globs such as apps/*/compose.yaml"
                    )
                }
            }
        }
        if let registry { settings.registry = registry }
        if settings.argocd.repoURL == nil, let remote = repository?.remoteURL(named: "origin") {
            // Never copy a token from an https remote into a committed Application.
            settings.argocd.repoURL = RepositoryInfo.publicURL(remote)
        }
        if !environments.isEmpty {
            let known = Set(settings.environments.map(\.name))
            for name in environments where !known.contains(name) && !(known.isEmpty && name == "default") {
                throw CLIError(
                    message:
                        "--env \(name): no such environment in komply.yaml; expected one of \(known.isEmpty ? "default" : known.sorted().joined(separator: ", "))"
                )
            }
            settings.environments = settings.environments.filter { environments.contains($0.name) }
        }
        settings.outputPath = relativeToRepository(outputDirectory, repository: repository)
        var request = SourceRequest(
            paths: paths, files: input.files, envFiles: input.envFiles, profiles: input.profiles,
            stats: input.stats, root: input.root)
        if request.paths.isEmpty && request.files.isEmpty { request.paths = ["."] }
        settings.buildTags = [:]
        return GeneratePlan(sourceRequest: request, settings: settings, outputDirectory: outputDirectory)
    }

    static func join(_ base: String, _ path: String) -> String {
        if path.hasPrefix("/") || base.isEmpty || base == "." { return path }
        return (base as NSString).appendingPathComponent(path)
    }

    /// The output folder as a path inside the repository (what Argo CD's `path` needs).
    static func relativeToRepository(_ folder: String, repository: RepositoryInfo?) -> String {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        guard let root = repository?.root, absolute.hasPrefix(root + "/") else { return folder }
        return String(absolute.dropFirst(root.count + 1))
    }
}
