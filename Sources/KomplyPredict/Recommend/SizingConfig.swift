import Foundation
import KomplyCore

/// The `predict:` section of `komply.yaml`: history path, default tier, tiers per environment, CPU-limit policy.
///
/// ```yaml
/// history:
///   path: .komply/history.sqlite   # or predict.history
/// predict:
///   history: .komply/history.sqlite
///   tier: balanced
///   tiers: {dev: cost, prod: performance}
///   cpuLimit: none        # or a ratio such as 2
/// ```
public struct SizingConfig: Sendable, Hashable {
    /// The history file.
    public var historyPath: String?
    /// The default tier.
    public var tier: Tier?
    /// Tier per environment name.
    public var tiers: [String: Tier] = [:]
    /// CPU-limit policy.
    public var cpuLimit: CPULimitPolicy?

    /// Creates an empty config.
    public init() {}

    /// Reads the `predict:` section of the config file at `path`; nil when the file does not exist.
    public static func load(path: String) throws(PredictError) -> SizingConfig? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file: ConfigFile
        do {
            file = try ConfigFile.load(path: path)
        } catch {
            throw .invalidInput(error.location ?? SourceLocation(file: path), expected: "valid YAML (\(error.localizedDescription))")
        }
        return try read(file)
    }

    /// Reads the `predict:` and `history:` sections of a config file read by `ConfigFile` (the history
    /// path as written: relative to the file's folder, see `ConfigFile.resolve`).
    public static func read(_ file: ConfigFile) throws(PredictError) -> SizingConfig {
        let documents = file.documents
        var config = SizingConfig()
        // The top-level `history:` section may name the file too; `predict.history` wins.
        if let history = documents.first?["history"], let path = history["path"] {
            guard let text = path.scalar, !path.isNull else {
                throw .invalidInput(path.location, expected: "history.path to be a file path")
            }
            config.historyPath = text
        }
        guard let section = documents.first?["predict"], !section.isNull else { return config }
        let fields = NodeFields(node: section)
        guard section.mapping != nil else { throw .invalidInput(section.location, expected: "predict to be a mapping") }
        if let path = try fields.optionalString("history") { config.historyPath = path }
        if let text = try fields.optionalString("tier") {
            guard let tier = Tier(rawValue: text) else {
                throw .invalidInput(fields.location("tier"), expected: "tier cost, balanced or performance")
            }
            config.tier = tier
        }
        for (env, text) in try fields.stringMap("tiers") {
            guard let tier = Tier(rawValue: text) else {
                throw .invalidInput(fields.location("tiers"), expected: "tier cost, balanced or performance for environment \(env)")
            }
            config.tiers[env] = tier
        }
        if let text = try fields.optionalString("cpuLimit") {
            do {
                config.cpuLimit = try CPULimitPolicy(parsing: text)
            } catch {
                throw .invalidInput(fields.location("cpuLimit"), expected: "cpuLimit none or a ratio of at least 1")
            }
        }
        return config
    }
}
