import Foundation

/// Every error KomplyCore raises; each names the file and, where there is one, the position.
public enum CoreError: Error, LocalizedError, Sendable, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The path is a named pipe, device, socket or folder, which komply never opens as an input
    /// (reading a pipe would block forever); `kind` names what it is ("a named pipe").
    case notRegularFile(file: String, kind: String)
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
    /// The text is not a Kubernetes quantity.
    case invalidQuantity(String)
    /// The text is not a docker/compose byte size.
    case invalidByteSize(String)
    /// The text or operation denotes an amount beyond `limit`.
    case quantityOutOfRange(String, limit: String)
    /// A number from outside is not finite or lies outside its physical bound (`NumberBound`).
    case numberOutOfBounds(String, bound: String, range: String)
    /// Text that should hold a number does not; `expected` says which number.
    case invalidNumber(String, expected: String)
    /// An argument of an operation is unusable.
    case invalidArgument(String, value: String, expected: String)
    /// A glob pattern is absolute; patterns are relative to the root.
    case absolutePattern(pattern: String)
    /// A glob pattern's `..` segments climb above the root (or follow a wildcard).
    case patternEscapesRoot(pattern: String)
    /// A matched path is a symbolic link whose target lies outside the root (or does not exist).
    case symlinkEscapesRoot(path: String, target: String)
    /// A path a source names leads outside the repository root (`through` says how: `".."`, an
    /// absolute path, a symbolic link and its target); nothing there was read.
    case pathEscapesRoot(SourceLocation?, path: String, through: String)
    /// Resolving a path a source names followed more symbolic links than `RepositoryRoot.maxLinks`.
    case symlinkLoop(SourceLocation?, path: String)
    /// A glob's root is missing or is not a readable folder.
    case unreadableRoot(path: String)
    /// Writing, flushing or renaming failed; nothing at the target changed.
    case cannotWrite(file: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .notRegularFile(let file, let kind):
            return "\(file): not a regular file (\(kind)); expected a file"
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
        case .invalidQuantity(let text):
            return "invalid quantity \(text.debugDescription): expected a number with an optional suffix "
                + "(n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent like 1e3)"
        case .invalidByteSize(let text):
            return "invalid byte size \(text.debugDescription): expected a non-negative number with an optional "
                + "unit (b, k, m, g, t, p, optionally followed by b or ib; for example 512m or 1.5GiB)"
        case .quantityOutOfRange(let text, let limit):
            return "\(text.debugDescription) is out of range: expected a magnitude of at most \(limit)"
        case .numberOutOfBounds(let value, let bound, let range):
            return "\(value) is out of range for \(bound): expected a finite number \(range)"
        case .invalidNumber(let text, let expected):
            return "\(text.debugDescription) is not a number: expected \(expected)"
        case .invalidArgument(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        case .absolutePattern(let pattern):
            return "\(pattern): absolute path pattern; expected a pattern relative to the repository folder"
        case .patternEscapesRoot(let pattern):
            return "\(pattern): pattern leaves the repository folder through \"..\"; expected paths inside it"
        case .symlinkEscapesRoot(let path, let target):
            return "\(path): symbolic link points outside the repository folder (to \(target)); refusing to follow it"
        case .pathEscapesRoot(let location, let path, let through):
            return "\(location.map { "\($0): " } ?? "")\(path.debugDescription) leads outside the repository through \(through); "
                + "komply reads only files inside the repository: expected a path inside it"
        case .symlinkLoop(let location, let path):
            return "\(location.map { "\($0): " } ?? "")\(path.debugDescription) follows more than \(RepositoryRoot.maxLinks) "
                + "symbolic links (a loop?); expected a path that resolves to a file"
        case .unreadableRoot(let path):
            return "\(path): cannot read folder"
        case .cannotWrite(let file, let reason):
            return "\(file): cannot write file: \(reason)"
        }
    }

    /// The location the error points at, when it has one.
    public var location: SourceLocation? {
        switch self {
        case .unreadable(let file, _), .fileTooLarge(let file, _, _), .notRegularFile(let file, _): return SourceLocation(file: file)
        case .syntax(let l, _), .duplicateKey(let l, _, _), .unknownAlias(let l, _),
            .aliasExpansionLimit(let l, _), .nestingTooDeep(let l, _), .invalidMerge(let l):
            return l
        case .pathEscapesRoot(let l, _, _), .symlinkLoop(let l, _): return l
        case .invalidQuantity, .invalidByteSize, .quantityOutOfRange, .numberOutOfBounds, .invalidNumber, .invalidArgument,
            .absolutePattern, .patternEscapesRoot,
            .symlinkEscapesRoot, .unreadableRoot, .cannotWrite:
            return nil
        }
    }

    private static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1_048_576) : "\(n) bytes"
    }
}
