import Foundation
import KomplyTestSupport
import XCTest

/// The PostgreSQL server the store tests of one class share: started on first use, stopped by `stop()` in
/// the class's `tearDown()`. Without PostgreSQL 15 a test is skipped, or fails when `CI` is set, so the
/// PostgreSQL half of the suite cannot silently stop running in CI.
enum TestPostgres {
    nonisolated(unsafe) private static var running: PostgresServer?

    /// The shared server, started if needed.
    static func server() throws -> PostgresServer {
        if let running { return running }
        guard PostgresServer.isAvailable else {
            let message = "PostgreSQL 15 is not installed (\(PostgresServer.binaries)/initdb); scripts/setup installs postgresql-15"
            let ci = ProcessInfo.processInfo.environment["CI"].map { !["", "0", "false"].contains($0.lowercased()) } ?? false
            if ci { throw NSError(domain: "TestPostgres", code: 1, userInfo: [NSLocalizedDescriptionKey: message]) }
            throw XCTSkip(message)
        }
        let server = try PostgresServer()
        running = server
        return server
    }

    /// A fresh, empty database on the shared server, as komply's `postgres://` URL.
    static func newDatabase() throws -> String { try server().createDatabase() }

    /// Stops and removes the shared server, if one was started.
    static func stop() {
        running?.stop()
        running = nil
    }
}
