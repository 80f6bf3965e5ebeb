import Foundation

/// Where a history lives: an SQLite file (embedded) or a PostgreSQL database (shared). `HistoryStore` holds
/// one and writes the same SQL through it; the SQL spelling differences live in `SQLDialect`.
///
/// The interface is synchronous, like `HistoryStore`'s: a backend whose driver is asynchronous (postgres-nio)
/// runs it on an event loop group of its own and waits from the caller's thread, never from an event loop.
protocol HistoryDatabase: Sendable {
    /// The file path or the URL (without a password), for messages.
    var location: String { get }
    /// How this engine spells what SQLite and PostgreSQL spell differently.
    var dialect: SQLDialect { get }
    /// Applies the history migrations that are not applied yet, in order, each once even with several
    /// processes opening the store at the same time.
    func migrate(_ migrations: [HistoryMigration]) throws
    /// Runs `body` in one transaction: all of it or none of it. Writing transactions run one at a time;
    /// reading ones see one consistent snapshot.
    func transaction<T>(writing: Bool, _ body: (any HistoryConnection) throws -> T) throws -> T
}

/// One open transaction: statements with `?` placeholders, in the SQLite spelling `SQLDialect` translates.
protocol HistoryConnection {
    /// The engine's spelling.
    var dialect: SQLDialect { get }
    /// Runs one statement (or, without arguments, a script of statements separated by `;`) and returns the
    /// number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [HistoryValue]) throws -> Int
    /// Runs one query and returns its rows.
    func fetch(_ sql: String, _ arguments: [HistoryValue]) throws -> [HistoryRow]
}

extension HistoryConnection {
    /// Runs a statement without arguments.
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    /// Runs a query without arguments.
    func fetch(_ sql: String) throws -> [HistoryRow] { try fetch(sql, []) }
}

/// A value bound to a placeholder or read from a column: the four storage classes both engines share.
enum HistoryValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// A text value, or NULL.
    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    /// A number, or NULL.
    init(_ number: Double?) { self = number.map { .real($0) } ?? .null }
    /// An integer, or NULL.
    init(_ number: Int?) { self = number.map { .integer(Int64($0)) } ?? .null }

    /// The text, or nil for anything else.
    var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The number (an integer read as a number), or nil for NULL and text.
    var real: Double? {
        switch self {
        case .integer(let number): return Double(number)
        case .real(let number): return number
        default: return nil
        }
    }
}

/// A result row: its values by column name.
struct HistoryRow: Sendable {
    /// Values by column name.
    var values: [String: HistoryValue]

    /// The column's value (NULL when the column is missing).
    subscript(column: String) -> HistoryValue { values[column] ?? .null }

    /// The column as text ("" for NULL, which the key columns never are).
    func string(_ column: String) -> String { self[column].text ?? "" }

    /// The column as text, or nil for NULL.
    func optionalString(_ column: String) -> String? { self[column].text }

    /// The column as a number (0 for NULL, which NOT NULL columns never are).
    func double(_ column: String) -> Double { self[column].real ?? 0 }

    /// The column as a number, or nil for NULL.
    func optionalDouble(_ column: String) -> Double? { self[column].real }
}

/// One schema step, named as SQLite's store has always named it (`grdb_migrations`), applied once per store.
struct HistoryMigration: Sendable {
    /// The identifier recorded once applied.
    var identifier: String
    /// The step, written once for both engines.
    var apply: @Sendable (any HistoryConnection) throws -> Void
}
