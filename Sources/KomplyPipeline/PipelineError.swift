import Foundation
import KomplyCore

/// Every error the pipeline itself raises (features' errors pass through unchanged); each names
/// the file, flag or value and what was expected.
public enum PipelineError: Error, LocalizedError, Sendable, Equatable {
    /// komply.yaml's `sources` globs match nothing.
    case sourcesMatchNothing(config: String)
    /// `--env NAME` names no environment of komply.yaml.
    case unknownEnvironment(name: String, known: [String])
    /// A time flag or `KOMPLY_NOW` is not a time.
    case invalidTime(String)

    public var errorDescription: String? {
        switch self {
        case .sourcesMatchNothing(let config):
            return "\(config): sources match no files; expected globs such as apps/*/compose.yaml"
        case .unknownEnvironment(let name, let known):
            return
                "--env \(name): no such environment in komply.yaml; expected one of \(known.isEmpty ? "default" : known.joined(separator: ", "))"
        case .invalidTime(let text):
            return "invalid time \"\(text)\": expected RFC 3339 such as 2026-01-31T12:00:00Z or seconds since 1970"
        }
    }
}
