import Foundation
import KomplyCore

/// Every error KomplyPredict raises; each names the file and, where there is one, the position.
public enum PredictError: Error, LocalizedError, Sendable, Equatable {
    /// An input file has the wrong shape at `location`.
    case invalidInput(SourceLocation, expected: String)
    /// An input file could not be read or fetched.
    case unreadable(file: String, reason: String)
    /// The history database could not be opened, migrated, read or written.
    case database(file: String, reason: String)
    /// A value given on the command line or in configuration is not usable.
    case invalidArgument(name: String, value: String, expected: String)
    /// The history holds nothing to work with.
    case emptyHistory(file: String, detail: String)

    public var errorDescription: String? {
        switch self {
        case .invalidInput(let location, let expected):
            return "\(location): expected \(expected)"
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .database(let file, let reason):
            return "\(file): history database: \(reason)"
        case .invalidArgument(let name, let value, let expected):
            return "invalid \(name) \"\(value)\": expected \(expected)"
        case .emptyHistory(let file, let detail):
            return "\(file): history has \(detail)"
        }
    }
}
