import Foundation
import KomplyCore

/// Every error KomplyRefine raises: a bad `refine` configuration (with its file:line:column), a provider
/// that gave no usable answer, or a replay-cache miss under `--llm-offline`.
public enum RefineError: Error, LocalizedError, Sendable, Equatable {
    /// A `refine` setting in komply.yaml (or a `--llm*` option) is not what it must be.
    case invalidConfig(SourceLocation, expected: String)
    /// The environment variable the config names for the API key is unset or empty.
    case missingAPIKey(variable: String, provider: String)
    /// The server could not be reached or did not answer in time (retries exhausted).
    case unreachable(url: String, reason: String)
    /// The server answered with an HTTP error that is not worth retrying (or retries ran out).
    case httpStatus(url: String, status: Int, detail: String)
    /// The account has no quota left (OpenAI `insufficient_quota`): never retried.
    case quotaExhausted(url: String, detail: String)
    /// The reply is larger than the response limit.
    case responseTooLarge(url: String, limit: Int)
    /// The request would be larger than the request limit.
    case requestTooLarge(bytes: Int, limit: Int)
    /// The server answered but gave no usable answer (truncated, filtered, refused, no content).
    case noAnswer(provider: String, reason: String)
    /// `--llm-offline` and the replay cache has no entry for this prompt.
    case cacheMiss(key: String, path: String)
    /// A replay-cache file exists but is not what komply writes.
    case corruptCache(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .invalidConfig(let location, let expected):
            return "\(location): expected \(expected)"
        case .missingAPIKey(let variable, let provider):
            return "the \(provider) API key is read from the environment variable \(variable), which is unset or empty; "
                + "export it (the key is never read from komply.yaml)"
        case .unreachable(let url, let reason):
            return "LLM at \(url) not reachable: \(reason)"
        case .httpStatus(let url, let status, let detail):
            return "LLM at \(url) answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")"
        case .quotaExhausted(let url, let detail):
            return "LLM at \(url): quota exhausted (not retried)\(detail.isEmpty ? "" : ": \(detail)")"
        case .responseTooLarge(let url, let limit):
            return "LLM at \(url): reply larger than the \(limit)-byte limit (refine.maxResponseBytes)"
        case .requestTooLarge(let bytes, let limit):
            return "LLM request of \(bytes) bytes is larger than the \(limit)-byte limit (refine.maxRequestBytes)"
        case .noAnswer(let provider, let reason):
            return "\(provider) gave no answer: \(reason)"
        case .cacheMiss(let key, let path):
            return "--llm-offline: no replay-cache entry \(key) (\(path)); run once without --llm-offline to record it"
        case .corruptCache(let path, let reason):
            return "\(path): not a komply replay-cache entry: \(reason)"
        }
    }
}
