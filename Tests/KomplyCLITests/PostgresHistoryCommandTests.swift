import Foundation
import KomplyTestSupport
import XCTest

/// Issue 18 end to end: `--history postgres://…` works for every history command as a file does, against a
/// real PostgreSQL 15 started by the test.
final class PostgresHistoryCommandTests: XCTestCase {
    var folder: URL!
    var server: PostgresServer!

    override func setUpWithError() throws {
        guard PostgresServer.isAvailable else {
            let message = "PostgreSQL 15 is not installed (\(PostgresServer.binaries)/initdb); scripts/setup installs postgresql-15"
            let ci = ProcessInfo.processInfo.environment["CI"].map { !["", "0", "false"].contains($0.lowercased()) } ?? false
            if ci { throw NSError(domain: "PostgresHistoryCommandTests", code: 1, userInfo: [NSLocalizedDescriptionKey: message]) }
            throw XCTSkip(message)
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-pg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        server = try PostgresServer()
    }

    override func tearDownWithError() throws {
        server?.stop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func testHistoryCommandsWorkOnPostgresAsOnAFile() throws {
        let url = try server.createDatabase("history")
        let file = folder.appendingPathComponent("h.sqlite").path
        let inputs = [
            "fixtures/history/measured/samples.csv", "fixtures/history/measured/events.jsonl",
            "fixtures/history/measured/deployments.jsonl",
        ]
        for history in [file, url] {
            let imported = try CLIHarness.run(
                ["history", "import"] + inputs + ["--history", history, "--now", "2030-01-01T00:00:00Z", "--app", "shop"])
            XCTAssertEqual(imported.status, 0, imported.stderr)
            XCTAssertTrue(imported.stdout.contains("+4 deployment(s)"), imported.stdout)
        }
        let again = try CLIHarness.run(
            ["history", "import"] + inputs + ["--history", url, "--now", "2030-01-01T00:00:00Z", "--app", "shop"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("+0 deployment(s)"), again.stdout)
        let fromFile = try CLIHarness.run(["history", "export", "--history", file])
        let fromPostgres = try CLIHarness.run(["history", "export", "--history", url])
        XCTAssertEqual(fromPostgres.status, 0, fromPostgres.stderr)
        XCTAssertFalse(fromPostgres.stdout.isEmpty)
        XCTAssertEqual(fromPostgres.stdout, fromFile.stdout, "byte-identical exports")
        // predict and backtest read it as they read the file.
        let compose = folder.appendingPathComponent("compose.yaml")
        try "name: shop\nservices:\n  cache:\n    image: redis:7.0\n".write(to: compose, atomically: true, encoding: .utf8)
        let predicted = try CLIHarness.run(["predict", compose.path, "--history", url, "--format", "json"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertEqual(predicted.stdout, try CLIHarness.run(["predict", compose.path, "--history", file, "--format", "json"]).stdout)
        let backtest = try CLIHarness.run(["backtest", "--history", url, "--format", "json"])
        XCTAssertEqual(backtest.status, 0, backtest.stderr)
        XCTAssertEqual(
            backtest.stdout.replacingOccurrences(of: url, with: "H"),
            try CLIHarness.run(["backtest", "--history", file, "--format", "json"]).stdout.replacingOccurrences(of: file, with: "H"))
        // komply.yaml's history.path may be the URL too.
        try "apiVersion: komply.dev/v1\nkind: Config\nhistory:\n  path: \(url)\n".write(
            to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let configured = try CLIHarness.run(["history", "export"], in: folder)
        XCTAssertEqual(configured.status, 0, configured.stderr)
        XCTAssertEqual(configured.stdout, fromFile.stdout)
    }

    func testBadPostgresURLsExitTwoAndNameWhatWasExpected() throws {
        let secret = try CLIHarness.run(["history", "export", "--history", "postgres://komply:hunter2@127.0.0.1:\(server.port)/history"])
        XCTAssertEqual(secret.status, 2, secret.stderr)
        XCTAssertFalse(secret.stderr.contains("hunter2"), secret.stderr)
        XCTAssertTrue(secret.stderr.contains("PGPASSWORD"), secret.stderr)
        let missing = try CLIHarness.run(["history", "export", "--history", server.url(database: "nothing")])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("127.0.0.1:\(server.port)"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains(#"database "nothing" does not exist"#), missing.stderr)
    }
}
