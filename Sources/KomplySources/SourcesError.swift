import Foundation
import KomplyCore

/// Every error KomplySources raises; each names the file and position and what was expected.
public enum SourcesError: Error, LocalizedError, Sendable, Equatable {
    /// A YAML/JSON loading error from the core.
    case core(CoreError)
    /// A value has the wrong shape: `expected` says what the key takes.
    case invalid(SourceLocation, key: String, expected: String, found: String)
    /// A value is malformed in a way a sentence explains.
    case malformed(SourceLocation, message: String)
    /// Interpolation failed (`${VAR:?err}` fired, or a malformed `${…}`).
    case interpolation(SourceLocation, message: String)
    /// A referenced file does not exist.
    case missingFile(SourceLocation?, path: String, purpose: String)
    /// `extends` forms a cycle.
    case extendsCycle(SourceLocation, chain: [String])
    /// An `extends` chain is longer than `limit` services.
    case extendsTooDeep(SourceLocation, limit: Int)
    /// A port range (`ports` or `expose`) holds more than `limit` ports.
    case portRangeTooLarge(SourceLocation, key: String, range: String, count: Int, limit: Int)
    /// A `ports` or `expose` list adds up to more than `limit` ports; the location is the entry that passes it.
    case tooManyPorts(SourceLocation, key: String, limit: Int)
    /// A folder holds no compose file.
    case noComposeFile(directory: String)
    /// A name refers to something that is not defined (a service, volume, network, secret or config).
    case undefined(SourceLocation, kind: String, name: String)
    /// A PATH argument is neither a compose file, an inspect snapshot nor a folder.
    case unrecognisedInput(path: String, reason: String)
    /// A secret variable is interpolated where Kubernetes cannot take it from a Secret (`labels`, `image`, `ports`…).
    case secretOutOfPlace(SourceLocation, key: String, variable: String, reason: String)
    /// Input holds U+FDD0 or U+FDD1, which komply reserves for its secret markers (`variable` when it came from one).
    case markerCharacter(SourceLocation, variable: String?)

    public var errorDescription: String? {
        switch self {
        case .core(let error):
            return error.errorDescription
        case .invalid(let location, let key, let expected, let found):
            return "\(location): \(key) must be \(expected), found \(found)"
        case .malformed(let location, let message):
            return "\(location): \(message)"
        case .interpolation(let location, let message):
            return "\(location): \(message)"
        case .missingFile(let location, let path, let purpose):
            return "\(location.map { "\($0): " } ?? "")\(purpose) \"\(path)\" not found; expected an existing file"
        case .extendsCycle(let location, let chain):
            return "\(location): extends cycle: \(chain.joined(separator: " -> ")); expected extends to end at a service without one"
        case .extendsTooDeep(let location, let limit):
            return "\(location): extends chain is longer than \(limit) services; expected at most \(limit) extends in a row"
        case .portRangeTooLarge(let location, let key, let range, let count, let limit):
            return
                "\(location): \(key) \"\(range)\" spans \(count) ports; expected at most \(limit) ports in one range (list the ports the service listens on)"
        case .tooManyPorts(let location, let key, let limit):
            return
                "\(location): \(key) adds up to more than \(limit) ports here; expected at most \(limit) ports in the list, ranges counted port by port"
        case .noComposeFile(let directory):
            return "\(directory): no compose file found; expected compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml"
        case .undefined(let location, let kind, let name):
            return
                "\(location): \(kind) \"\(name)\" is not defined; expected it under the top-level \(kind == "service" ? "services" : kind + "s") key"
        case .unrecognisedInput(let path, let reason):
            return "\(path): \(reason)"
        case .secretOutOfPlace(let location, let key, let variable, let reason):
            return
                "\(location): \(key) interpolates the secret variable \(variable) (\(reason)); Kubernetes can take a Secret only in environment, command, entrypoint and healthcheck.test, so komply will not write its value here; expected a value that is not secret (or move it into environment and refer to it at runtime)"
        case .markerCharacter(let location, let variable):
            return
                "\(location): \(variable.map { "the variable \($0) holds" } ?? "the value holds") a Unicode noncharacter (U+FDD0 or U+FDD1) that komply reserves for its secret markers; expected text without it"
        }
    }

    /// The location the error points at, when there is one.
    public var location: SourceLocation? {
        switch self {
        case .core(let error): return error.location
        case .invalid(let l, _, _, _), .malformed(let l, _), .interpolation(let l, _), .extendsCycle(let l, _),
            .undefined(let l, _, _), .extendsTooDeep(let l, _), .portRangeTooLarge(let l, _, _, _, _),
            .tooManyPorts(let l, _, _), .secretOutOfPlace(let l, _, _, _), .markerCharacter(let l, _):
            return l
        case .missingFile(let l, _, _): return l
        case .noComposeFile(let d): return SourceLocation(file: d)
        case .unrecognisedInput(let p, _): return SourceLocation(file: p)
        }
    }
}
