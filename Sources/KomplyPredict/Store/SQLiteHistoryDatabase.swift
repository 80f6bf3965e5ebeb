import Foundation
import GRDB

/// The embedded history: one SQLite file (WAL) or memory, through GRDB.
final class SQLiteHistoryDatabase: HistoryDatabase {
    let location: String
    var dialect: SQLDialect { .sqlite }
    private let writer: any DatabaseWriter

    /// A store over GRDB's pool (a file) or queue (memory).
    init(location: String, writer: any DatabaseWriter) {
        self.location = location
        self.writer = writer
    }

    func migrate(_ migrations: [HistoryMigration]) throws {
        // GRDB's migrator records each step in grdb_migrations, as komply's files always did.
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in try migration.apply(Connection(db: db)) }
        }
        try migrator.migrate(writer)
    }

    func transaction<T>(writing: Bool, _ body: (any HistoryConnection) throws -> T) throws -> T {
        // SQLite allows one writer at a time; WAL readers see the last commit.
        if writing { return try writer.write { db in try body(Connection(db: db)) } }
        return try writer.read { db in try body(Connection(db: db)) }
    }

    /// The journal mode SQLite reports (`wal` for files).
    func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

private extension SQLiteHistoryDatabase {
    struct Connection: HistoryConnection {
        let db: Database
        var dialect: SQLDialect { .sqlite }

        func execute(_ sql: String, _ arguments: [HistoryValue]) throws -> Int {
            if arguments.isEmpty {
                try db.execute(sql: sql)
            } else {
                try db.execute(sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
            }
            return db.changesCount
        }

        func fetch(_ sql: String, _ arguments: [HistoryValue]) throws -> [HistoryRow] {
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue))).map { row in
                var values: [String: HistoryValue] = [:]
                for (column, value) in row {
                    switch value.storage {
                    case .null: values[column] = .null
                    case .int64(let number): values[column] = .integer(number)
                    case .double(let number): values[column] = .real(number)
                    case .string(let text): values[column] = .text(text)
                    case .blob(let data): values[column] = .text(String(decoding: data, as: UTF8.self))
                    }
                }
                return HistoryRow(values: values)
            }
        }
    }
}

private extension HistoryValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        }
    }
}
