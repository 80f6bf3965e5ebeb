import Foundation

/// Every error KomplyCore raises; each names the file and, where there is one, the position.
public enum CoreError: Error, LocalizedError, Sendable, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is larger than the configured limit.
    case fileTooLarge(file: String, size: Int, limit: Int)
    /// The YAML or JSON text is malformed.
    case syntax(SourceLocation, problem: String)
    /// A mapping defines the same key twice.
    case duplicateKey(SourceLocation, key: String, firstLine: Int)
    /// An alias names an anchor that was not defined before it.
    case unknownAlias(SourceLocation, name: String)
    /// Expanding aliases would produce more nodes than allowed (an "alias bomb").
    case aliasExpansionLimit(SourceLocation, limit: Int)
    /// The document nests deeper than allowed.
    case nestingTooDeep(SourceLocation, limit: Int)
    /// A `<<` merge key whose value is not a mapping or a list of mappings.
    case invalidMerge(SourceLocation)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .fileTooLarge(let file, let size, let limit):
            return "\(file): file is \(Self.bytes(size)), larger than the \(Self.bytes(limit)) limit; "
                + "expected a configuration file (split it, or raise the limit with KOMPLY_MAX_FILE_BYTES)"
        case .syntax(let location, let problem):
            return "\(location): invalid YAML: \(problem)"
        case .duplicateKey(let location, let key, let firstLine):
            return "\(location): duplicate key \"\(key)\" (first defined on line \(firstLine)); expected each key once"
        case .unknownAlias(let location, let name):
            return "\(location): alias *\(name) refers to an undefined anchor; expected &\(name) earlier in the document"
        case .aliasExpansionLimit(let location, let limit):
            return "\(location): aliases expand to more than \(limit) nodes; refusing a possible alias bomb"
        case .nestingTooDeep(let location, let limit):
            return "\(location): document nests deeper than \(limit) levels"
        case .invalidMerge(let location):
            return "\(location): merge key \"<<\" expects a mapping or a list of mappings"
        }
    }

    /// The location the error points at, when it has one.
    public var location: SourceLocation? {
        switch self {
        case .unreadable(let file, _), .fileTooLarge(let file, _, _): return SourceLocation(file: file)
        case .syntax(let l, _), .duplicateKey(let l, _, _), .unknownAlias(let l, _),
            .aliasExpansionLimit(let l, _), .nestingTooDeep(let l, _), .invalidMerge(let l):
            return l
        }
    }

    private static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1_048_576) : "\(n) bytes"
    }
}
