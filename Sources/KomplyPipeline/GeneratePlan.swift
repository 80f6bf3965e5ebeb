import Foundation
import KomplyCore
import KomplyGenerate
import KomplyGit
import KomplyLint
import KomplySources

/// A generate request and komply.yaml turned into the sources to read and the generator's settings.
public struct GeneratePlan: Sendable {
    /// The apps to read.
    public var sourceRequest: SourceRequest
    /// The generator's settings.
    public var settings: GeneratorSettings
    /// The output folder as given or configured (relative to the current folder).
    public var outputDirectory: String
    /// komply.yaml, found once (or named by `--config`); nil when there is none.
    public var config: ConfigFile?
    /// The root of the git repository around the current folder; an output folder inside it is written
    /// only inside it (`OutputTree.write`). Nil outside a repository.
    public var repositoryRoot: String?

    /// The plan for `request`, with komply.yaml read once: `request.config`, else found from the
    /// current folder up to the repository root.
    public static func make(_ request: GenerateRequest) throws -> GeneratePlan {
        var settings = GeneratorSettings()
        let repository = RepositoryInfo.discover(from: FileManager.default.currentDirectoryPath)
        // The whole file is checked (every section, rule ids included), as every command does.
        let file = try ProjectConfig.load(path: request.config)
        let loaded = try file.map { file throws in try GenerateConfigLoader.read(file) }
        var paths = request.sources.paths
        var outputDirectory = request.output ?? "deploy"
        if let loaded {
            settings = GeneratorSettings(config: loaded)
            let base = loaded.location.map { ($0.file as NSString).deletingLastPathComponent } ?? "."
            if request.output == nil { outputDirectory = join(base, loaded.output) }
            if paths.isEmpty && request.sources.files.isEmpty { paths = try ProjectConfig.sourcePaths(loaded) }
        }
        // The generator never writes a suppression the policy forbids.
        if let file { settings.nonSuppressible = try PolicyConfig.read(file).nonSuppressible }
        // For warnings about expired x-komply.accept entries only (lint, not the files, treats them as expired).
        settings.today = Self.utcDay(Date())
        if let registry = request.registry { settings.registry = registry }
        if settings.argocd.repoURL == nil, let remote = repository?.remoteURL(named: "origin") {
            // Never copy a token from an https remote into a committed Application.
            settings.argocd.repoURL = RepositoryInfo.publicURL(remote)
        }
        if !request.environments.isEmpty {
            let known = Set(settings.environments.map(\.name))
            for name in request.environments where !known.contains(name) && !(known.isEmpty && name == "default") {
                throw PipelineError.unknownEnvironment(name: name, known: known.sorted())
            }
            // Every environment is still generated (SECRETS.md and an ApplicationSet list them all); only the
            // selected ones' overlays and Applications are written or removed.
            settings.selectedEnvironments = Set(request.environments)
        }
        // `-o deploy/` or `output: deploy/`: files are shown as deploy/app/…, not deploy//app/….
        while outputDirectory.count > 1 && outputDirectory.hasSuffix("/") { outputDirectory.removeLast() }
        settings.outputPath = relativeToRepository(outputDirectory, repository: repository)
        var sources = request.sources
        sources.paths = paths
        if sources.paths.isEmpty && sources.files.isEmpty { sources.paths = ["."] }
        settings.buildTags = [:]
        return GeneratePlan(
            sourceRequest: sources, settings: settings, outputDirectory: outputDirectory, config: file, repositoryRoot: repository?.root)
    }
}

private extension GeneratePlan {
    /// `path` under `base`, written as the user would (no `./` when `base` is the current folder).
    static func join(_ base: String, _ path: String) -> String {
        base.isEmpty || base == "." ? path : Paths.join(base, path)
    }

    /// The output folder as a path inside the repository (what Argo CD's `path` needs).
    static func relativeToRepository(_ folder: String, repository: RepositoryInfo?) -> String {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        guard let root = repository?.root, absolute.hasPrefix(root + "/") else { return folder }
        return String(absolute.dropFirst(root.count + 1))
    }

    /// `date` as `YYYY-MM-DD` in UTC, as lint dates suppressions.
    static func utcDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
