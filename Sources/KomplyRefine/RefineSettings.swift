import Foundation
import KomplyCore

/// The `--llm*` options a command was given, before komply.yaml's `refine` section fills the gaps.
public struct LLMOptions: Sendable, Hashable {
    /// `--llm`: the provider (turns refinement on).
    public var provider: LLMProvider?
    /// `--llm-url`.
    public var url: String?
    /// `--llm-model`.
    public var model: String?
    /// `--llm-dialect`.
    public var dialect: StructuredOutputDialect?
    /// `--llm-refresh`: ask the server even when the replay cache has the answer.
    public var refresh: Bool
    /// `--llm-offline`: answer only from the replay cache; a miss is an error.
    public var offline: Bool
    /// `--no-llm`: no refinement even when komply.yaml configures it.
    public var disabled: Bool

    /// Creates options.
    public init(
        provider: LLMProvider? = nil, url: String? = nil, model: String? = nil, dialect: StructuredOutputDialect? = nil,
        refresh: Bool = false, offline: Bool = false, disabled: Bool = false
    ) {
        self.provider = provider
        self.url = url
        self.model = model
        self.dialect = dialect
        self.refresh = refresh
        self.offline = offline
        self.disabled = disabled
    }
}

/// Everything a refinement run needs, resolved: options over komply.yaml over the provider's defaults.
public struct RefineSettings: Sendable, Hashable {
    /// The provider.
    public var provider: LLMProvider
    /// The server's base URL.
    public var url: String
    /// The model.
    public var model: String
    /// The structured-output dialect (only OpenAI-compatible servers have a choice).
    public var dialect: StructuredOutputDialect
    /// The API key, read from the environment; never written anywhere.
    public var apiKey: String?
    /// The variable `refine.apiKeyEnv` names when it is unset: asking the server then fails (the cache still answers).
    public var missingKeyVariable: String?
    /// The config section the numbers come from.
    public var config: RefineConfig
    /// The replay cache folder as a path usable from the current folder.
    public var cacheDirectory: String
    /// Ask the server even on a cache hit.
    public var refresh: Bool
    /// Only the cache; a miss is an error.
    public var offline: Bool

    /// The settings for `options` and `config`, or nil when refinement is off (no provider, or `--no-llm`).
    /// `environment` is where the API key is looked up; `configDirectory` is komply.yaml's folder.
    public static func resolve(
        _ options: LLMOptions, config: RefineConfig, configDirectory: String = ".",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(RefineError) -> RefineSettings? {
        guard !options.disabled, let provider = options.provider ?? config.provider else { return nil }
        if let url = options.url, !RefineConfig.checkURL(url) {
            throw .invalidConfig(
                SourceLocation(file: "--llm-url"), expected: "an http:// or https:// URL with a host and no query, not \(url)")
        }
        // The config's url, model and key variable belong to its provider; `--llm` naming another starts from that one's defaults.
        let sameProvider = config.provider == nil || config.provider == provider
        let url = options.url ?? (sameProvider ? config.url : nil) ?? provider.defaultURL
        let model = options.model ?? (sameProvider ? config.model : nil) ?? provider.defaultModel
        let dialect = provider == .openai ? (options.dialect ?? config.dialect ?? .jsonSchema) : .jsonSchema
        var apiKey: String?
        var missing: String?
        if let variable = sameProvider ? config.apiKeyEnv : nil {
            apiKey = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
            if apiKey == nil { missing = variable }
        } else if let variable = provider.defaultKeyVariable, let key = environment[variable], !key.isEmpty {
            apiKey = key
        }
        let cache = config.cache.hasPrefix("/") || configDirectory == "." ? config.cache : configDirectory + "/" + config.cache
        return RefineSettings(
            provider: provider, url: url, model: model, dialect: dialect, apiKey: apiKey, missingKeyVariable: missing, config: config,
            cacheDirectory: cache, refresh: options.refresh, offline: options.offline)
    }

    /// The settings without the key, for logs and the cache key: `openai gpt-4o-mini at https://… (json_schema)`.
    public var summary: String {
        "\(provider.rawValue) \(model) at \(url)\(provider == .openai ? " (\(dialect.rawValue))" : "")"
    }
}
