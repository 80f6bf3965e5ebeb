import Foundation
import KomplyCore

/// Every error the generator raises; each names where and what was expected.
public enum GenerateError: Error, LocalizedError, Sendable, Equatable {
    /// An `x-komply` option has the wrong shape.
    case invalidOption(SourceLocation?, key: String, expected: String)
    /// A template failed to render or rendered invalid YAML.
    case template(name: String, problem: String)
    /// Two services produce objects with the same name.
    case nameCollision(SourceLocation?, name: String, services: [String])
    /// The output could not be written.
    case write(path: String, reason: String)
    /// A configuration value is unusable.
    case config(SourceLocation?, message: String)

    public var errorDescription: String? {
        switch self {
        case .invalidOption(let location, let key, let expected):
            return "\(location.map { "\($0): " } ?? "")\(key) must be \(expected)"
        case .template(let name, let problem):
            return "template \(name): \(problem)"
        case .nameCollision(let location, let name, let services):
            return
                "\(location.map { "\($0): " } ?? "")services \(services.joined(separator: " and ")) both become \"\(name)\"; expected names that stay distinct in lower case"
        case .write(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .config(let location, let message):
            return "\(location.map { "\($0): " } ?? "")\(message)"
        }
    }
}
