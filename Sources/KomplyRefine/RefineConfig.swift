import Foundation
import KomplyCore

/// The `refine:` section of komply.yaml: which model server to ask, how patiently, and where replies are kept.
///
/// ```yaml
/// refine:
///   provider: openai            # openai | anthropic | ollama
///   url: http://127.0.0.1:8080/v1
///   model: smollm2-135m
///   dialect: json_object        # json_schema | json_object | none (OpenAI-compatible servers)
///   apiKeyEnv: OPENAI_API_KEY   # the variable holding the key; never the key itself
/// ```
public struct RefineConfig: Sendable, Hashable {
    /// The provider; nil leaves refinement off unless `--llm` names one.
    public var provider: LLMProvider?
    /// The server's base URL.
    public var url: String?
    /// The model name.
    public var model: String?
    /// The structured-output dialect of an OpenAI-compatible server.
    public var dialect: StructuredOutputDialect?
    /// The environment variable holding the API key.
    public var apiKeyEnv: String?
    /// Seconds one HTTP call may take.
    public var timeoutSeconds: Int = 60
    /// Retries after a 429 or 5xx (0 asks once).
    public var maxRetries: Int = 2
    /// The most tokens the model may answer with.
    public var maxTokens: Int = 1_024
    /// Ollama's context window (`options.num_ctx`).
    public var contextTokens: Int = 8_192
    /// The largest request body sent.
    public var maxRequestBytes: Int = 262_144
    /// The largest reply body read.
    public var maxResponseBytes: Int = 1_048_576
    /// How far from the sizing an LLM may move a resource: within [low ÷ factor, high × factor].
    public var resourceFactor: Double = 2
    /// The replay cache folder, relative to komply.yaml's folder.
    public var cache: String = ".komply/llm-cache"
    /// Where the section is (error messages), nil when there is none.
    public var location: SourceLocation?

    /// Defaults: no provider, so no refinement.
    public init() {}

    /// Reads the `refine:` section of `file`; every problem names its file:line:column.
    public static func read(_ file: ConfigFile) throws(RefineError) -> RefineConfig {
        var config = RefineConfig()
        guard let section = file.section("refine"), !section.isNull else { return config }
        config.location = section.location
        guard let pairs = section.mapping else { throw .invalidConfig(section.location, expected: "refine to be a mapping") }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            let value = pair.value
            switch key {
            case "provider":
                config.provider = try choice(value, key, LLMProvider.self)
            case "url":
                config.url = try url(value)
            case "model":
                config.model = try text(value, key)
            case "dialect":
                config.dialect = try choice(value, key, StructuredOutputDialect.self)
            case "apiKeyEnv":
                let name = try text(value, key)
                guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                    throw .invalidConfig(value.location, expected: "refine.apiKeyEnv to name an environment variable (not the key itself)")
                }
                config.apiKeyEnv = name
            case "timeoutSeconds": config.timeoutSeconds = try integer(value, key, 1...600)
            case "maxRetries": config.maxRetries = try integer(value, key, 0...10)
            case "maxTokens": config.maxTokens = try integer(value, key, 16...32_768)
            case "contextTokens": config.contextTokens = try integer(value, key, 512...1_048_576)
            case "maxRequestBytes": config.maxRequestBytes = try integer(value, key, 4_096...16_777_216)
            case "maxResponseBytes": config.maxResponseBytes = try integer(value, key, 4_096...16_777_216)
            case "resourceFactor": config.resourceFactor = try number(value, key, 1...10)
            case "cache": config.cache = try text(value, key)
            default:
                throw .invalidConfig(
                    pair.key.location,
                    expected: "a refine key (provider, url, model, dialect, apiKeyEnv, timeoutSeconds, maxRetries, maxTokens, "
                        + "contextTokens, maxRequestBytes, maxResponseBytes, resourceFactor, cache), not \(key)")
            }
        }
        return config
    }

    /// Checks a server URL as `--llm-url` or `refine.url` gives it: http or https with a host.
    public static func checkURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else { return false }
        return true
    }
}

private extension RefineConfig {
    static func text(_ node: Node, _ key: String) throws(RefineError) -> String {
        guard let text = node.scalar, !node.isNull, !text.isEmpty else {
            throw .invalidConfig(node.location, expected: "refine.\(key) to be a non-empty string")
        }
        return text
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ key: String, _ type: T.Type) throws(RefineError) -> T
    where T.RawValue == String {
        let text = try text(node, key)
        guard let value = T(rawValue: text) else {
            throw .invalidConfig(
                node.location, expected: "refine.\(key) to be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \(text)")
        }
        return value
    }

    static func url(_ node: Node) throws(RefineError) -> String {
        let text = try text(node, "url")
        guard checkURL(text) else {
            throw .invalidConfig(
                node.location, expected: "refine.url to be an http:// or https:// URL with a host and no query, not \(text)")
        }
        return text
    }

    static func integer(_ node: Node, _ key: String, _ range: ClosedRange<Int>) throws(RefineError) -> Int {
        guard node.isPlainScalar, case .int(let value)? = node.resolved(), range.contains(value) else {
            throw .invalidConfig(
                node.location, expected: "refine.\(key) to be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func number(_ node: Node, _ key: String, _ range: ClosedRange<Double>) throws(RefineError) -> Double {
        let value: Double?
        switch node.isPlainScalar ? node.resolved() : nil {
        case .int(let whole)?: value = Double(whole)
        case .float(let real)?: value = real
        default: value = nil
        }
        guard let value, value.isFinite, range.contains(value) else {
            throw .invalidConfig(
                node.location,
                expected: "refine.\(key) to be a number from \(NumberText.short(range.lowerBound)) to \(NumberText.short(range.upperBound))"
            )
        }
        return value
    }
}
