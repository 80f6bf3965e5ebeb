import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint
import KomplyPredict
import KomplyRefine
import KomplySources

/// `komply.yaml` as every command reads it: found the same way (the current folder up to the repository
/// root, or `--config`), validated whole (the published schema, the generator's rules, the policy
/// section with its rule ids, the predict, history and refine sections) before any command uses a section, and
/// its `sources` used when a command is given no app.
public enum ProjectConfig {
    /// The config named by `path`, else the one found from the current folder up to the repository root
    /// (nil when there is none), validated whole. `checkRuleIDs` false leaves the rule ids to the caller's
    /// own linter (`komply lint` builds one anyway).
    public static func load(path: String? = nil, checkRuleIDs: Bool = true) throws -> ConfigFile? {
        let file: ConfigFile?
        if let path {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                throw GenerateError.configNotFound(path: path)
            }
            file = try ConfigFile.load(path: path)
        } else {
            file = try ConfigFile.discover(from: FileManager.default.currentDirectoryPath)
        }
        if let file { try validate(file, checkRuleIDs: checkRuleIDs) }
        return file
    }

    /// Checks every section of `file`; the first section with problems throws them (each with its
    /// file:line:column).
    public static func validate(_ file: ConfigFile, checkRuleIDs: Bool = true) throws {
        // The schema covers every top-level key and the shape of every section.
        _ = try GenerateConfigLoader.read(file)
        let policy = try PolicyConfig.read(file)
        _ = try SizingConfig.read(file)
        _ = try ObserveConfig.read(file)
        _ = try ReportFlow.prices(file)
        _ = try RefineConfig.read(file)
        if checkRuleIDs {
            // Built-in rules plus policy.rulesDirectories: the ids `policy.rules` may name.
            _ = try Linter(config: policy)
        }
    }

    /// `request` with komply.yaml's `sources` as its apps when it names none (no PATH, no `-f`);
    /// unchanged otherwise, or when there is no config or it has no `sources`.
    public static func sources(_ request: SourceRequest, config file: ConfigFile?) throws -> SourceRequest {
        guard request.paths.isEmpty, request.files.isEmpty, let file else { return request }
        var request = request
        request.paths = try sourcePaths(GenerateConfigLoader.read(file))
        return request
    }

    /// The files komply.yaml's `sources` globs match, relative to the current folder; empty when it has no
    /// `sources`. Globs that match nothing are an error naming the file.
    public static func sourcePaths(_ config: GenerateConfig) throws -> [String] {
        guard !config.sources.isEmpty else { return [] }
        let base = config.location.map { ($0.file as NSString).deletingLastPathComponent } ?? "."
        let paths = try Glob.expand(config.sources, in: base.isEmpty ? "." : base).map {
            base.isEmpty || base == "." ? $0 : Paths.join(base, $0)
        }
        if paths.isEmpty { throw PipelineError.sourcesMatchNothing(config: config.location?.description ?? ConfigFile.fileName) }
        return paths
    }
}
