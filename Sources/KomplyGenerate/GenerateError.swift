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
    /// A symbolic link on the way to an output file dangles or leads outside `bound` (the repository, or
    /// the output folder when it is not inside one); `path` is the link, `destination` what it says.
    case outputLink(path: String, destination: String, exists: Bool, bound: String)
    /// Two services mount the same named volume, which would need one claim shared between workloads.
    case sharedVolume(SourceLocation?, volume: String, services: [String])
    /// A configuration value is unusable.
    case config(SourceLocation?, message: String)
    /// komply.yaml could not be read or is not valid YAML.
    case configUnreadable(CoreError)
    /// The komply.yaml named explicitly does not exist.
    case configNotFound(path: String)
    /// komply.yaml's values break the schema or the configuration's rules: all problems, in file order.
    case invalidConfig([ConfigProblem])

    public var errorDescription: String? {
        switch self {
        case .invalidOption(let location, let key, let expected):
            return "\(location.map { "\($0): " } ?? "")\(key) must be \(expected)"
        case .template(let name, let problem):
            return "template \(name): \(problem)"
        case .nameCollision(let location, let name, let services):
            return
                "\(location.map { "\($0): " } ?? "")services \(services.joined(separator: " and ")) both become \"\(name)\"; expected names that stay distinct in lower case"
        case .sharedVolume(let location, let volume, let services):
            return
                "\(location.map { "\($0): " } ?? "")services \(services.joined(separator: " and ")) share the named volume \"\(volume)\"; komply generates one PersistentVolumeClaim per service and does not share one between workloads (that needs ReadWriteMany storage and one writer); expected each named volume to be mounted by one service"
        case .write(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .outputLink(let path, let destination, let exists, let bound):
            return
                "\(path): symbolic link to \(destination)\(exists ? "" : " (which does not exist)"), leading outside \(bound); komply writes generated files only inside it and never through a link that leaves it; nothing was written (expected a real folder, or a link that stays inside; remove the link or choose another -o folder)"
        case .config(let location, let message):
            return "\(location.map { "\($0): " } ?? "")\(message)"
        case .configUnreadable(let error): return error.errorDescription
        case .configNotFound(let path): return "\(path): configuration file not found; expected a komply.yaml file"
        case .invalidConfig(let problems): return problems.map(\.description).joined(separator: "\n")
        }
    }

    /// The position of the (first) problem, when there is one.
    public var location: SourceLocation? {
        switch self {
        case .invalidOption(let location, _, _), .nameCollision(let location, _, _), .config(let location, _),
            .sharedVolume(let location, _, _):
            return location
        case .template, .write: return nil
        case .outputLink(let path, _, _, _): return SourceLocation(file: path)
        case .configUnreadable(let error): return error.location
        case .configNotFound(let path): return SourceLocation(file: path)
        case .invalidConfig(let problems): return problems.first?.location
        }
    }
}
