import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The shared history: a PostgreSQL database through postgres-nio, with the schema and migrations of the
/// SQLite file.
///
/// `HistoryStore`'s API stays synchronous. postgres-nio is asynchronous, so this backend owns an event loop
/// group of one thread and one connection on it; every statement is sent there and the caller's thread waits
/// for its future (a caller on an event loop would deadlock, and NIO traps that). A lock keeps one
/// transaction at a time on the connection. Writing transactions also take a transaction-scoped advisory
/// lock, so writers in several processes run one after another as SQLite's do; readers are never blocked.
final class PostgresHistoryDatabase: HistoryDatabase, @unchecked Sendable {
    let location: String
    var dialect: SQLDialect { .postgres }
    private let group: MultiThreadedEventLoopGroup
    private let connection: PostgresConnection
    private let logger: Logger
    // Serialises transactions on the one connection; `connection` itself is Sendable.
    private let lock = NSLock()

    /// Connects to `url` (see `PostgresLocation`), the password from `environment`.
    static func connect(url: String, environment: [String: String]) throws(PredictError) -> PostgresHistoryDatabase {
        let target = try PostgresLocation(parsing: url)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let configuration = try target.connectionConfiguration(environment: environment)
            let logger = Logger(label: "komply.history", factory: { _ in SwiftLogNoOpLogHandler() })
            let connection = try PostgresConnection.connect(
                on: group.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
            return PostgresHistoryDatabase(location: target.description, group: group, connection: connection, logger: logger)
        } catch {
            try? group.syncShutdownGracefully()
            throw .database(file: target.description, reason: target.cannotConnect(error))
        }
    }

    private init(location: String, group: MultiThreadedEventLoopGroup, connection: PostgresConnection, logger: Logger) {
        self.location = location
        self.group = group
        self.connection = connection
        self.logger = logger
    }

    deinit {
        try? connection.close().wait()
        try? group.syncShutdownGracefully()
    }

    func migrate(_ migrations: [HistoryMigration]) throws {
        try transaction(writing: true) { connection in
            // Same bookkeeping table as GRDB's, so both engines answer appliedMigrations() alike.
            try connection.execute("CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            let applied = Set(try connection.fetch("SELECT identifier FROM grdb_migrations").map { $0.string("identifier") })
            for migration in migrations where !applied.contains(migration.identifier) {
                try migration.apply(connection)
                try connection.execute("INSERT INTO grdb_migrations (identifier) VALUES (?)", [.text(migration.identifier)])
            }
        }
    }

    func transaction<T>(writing: Bool, _ body: (any HistoryConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let open = Connection(connection: connection, logger: logger)
        try open.execute(writing ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            if writing { try open.execute("SELECT pg_advisory_xact_lock(?)", [.integer(Self.writerLock)]) }
            let result = try body(open)
            try open.execute("COMMIT")
            return result
        } catch {
            _ = try? open.execute("ROLLBACK")
            throw error
        }
    }

    /// A readable reason for a driver error (postgres-nio's own description hides the server's message).
    static func describe(_ error: any Error) -> String { PostgresLocation.describe(error) }
}

private extension PostgresHistoryDatabase {
    /// The advisory lock key writers take: "komply" in ASCII.
    static let writerLock: Int64 = 0x6b6f_6d70_6c79

    struct Connection: HistoryConnection {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: SQLDialect { .postgres }

        func execute(_ sql: String, _ arguments: [HistoryValue]) throws -> Int {
            // The extended protocol runs one statement at a time; scripts are split.
            let statements = arguments.isEmpty ? SQLDialect.statements(sql) : [sql]
            var changed = 0
            for statement in statements {
                changed += try run(statement, arguments).metadata.rows ?? 0
            }
            return changed
        }

        func fetch(_ sql: String, _ arguments: [HistoryValue]) throws -> [HistoryRow] {
            try run(sql, arguments).rows.map { row in
                var values: [String: HistoryValue] = [:]
                for cell in row { values[cell.columnName] = try Self.value(cell) }
                return HistoryRow(values: values)
            }
        }

        func run(_ sql: String, _ arguments: [HistoryValue]) throws -> PostgresQueryResult {
            var bindings = PostgresBindings(capacity: arguments.count)
            for argument in arguments {
                switch argument {
                case .null: bindings.appendNull()
                case .integer(let number): bindings.append(number)
                case .real(let number): bindings.append(number)
                case .text(let text): bindings.append(text)
                }
            }
            let query = PostgresQuery(unsafeSQL: SQLDialect.postgres.translate(sql), binds: bindings)
            return try connection.query(query, logger: logger).wait()
        }

        static func value(_ cell: PostgresCell) throws -> HistoryValue {
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            default: return .text(try cell.decode(String.self))
            }
        }
    }
}
