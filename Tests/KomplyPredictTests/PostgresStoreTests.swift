import Foundation
import KomplyTestSupport
import XCTest

@testable import KomplyPredict

/// Issue 18: PostgreSQL as the shared history store, against a real PostgreSQL 15 started by the test.
final class PostgresStoreTests: XCTestCase {
    var folder: URL!
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    override class func tearDown() {
        TestPostgres.stop()
        super.tearDown()
    }

    /// The measured fixture history plus names whose order differs between byte order and a locale's.
    func imports() throws -> [HistoryBatch] {
        let measured = repository.appendingPathComponent("fixtures/history/measured")
        var batches = try ["deployments.jsonl", "samples.csv", "events.jsonl"].map {
            try HistoryImporter().read(path: measured.appendingPathComponent($0).path)
        }
        var names = HistoryBatch()
        for (index, service) in ["Web", "web", "web-2", "web_1", "Ärger", "a b", "z"].enumerated() {
            names.samples.append(
                UsageSample(
                    app: "shop", service: service, container: service, time: 1_763_683_200 + Double(index), resource: .cpu, value: 0.5,
                    source: "t"))
            names.deployments.append(
                DeploymentRecord(
                    app: "shop", service: service, container: service, image: "nginx:1",
                    environment: index.isMultiple(of: 2) ? nil : "prod",
                    cluster: index.isMultiple(of: 3) ? nil : "eu1", time: 1_763_683_200))
        }
        batches.append(names)
        return batches
    }

    func testBothStoresExportTheSameBytesForTheSameImports() throws {
        let sqlite = try HistoryStore.open(path: folder.appendingPathComponent("h.sqlite").path)
        let postgres = try HistoryStore.open(path: try TestPostgres.newDatabase())
        for batch in try imports() {
            XCTAssertEqual(try sqlite.write(batch), try postgres.write(batch), "the same write summary")
        }
        let expected = try sqlite.exportJSONLines()
        XCTAssertGreaterThan(expected.split(separator: "\n").count, 7_000)
        XCTAssertEqual(try postgres.exportJSONLines(), expected)
        XCTAssertEqual(
            try postgres.serviceHistories().map(\.profile), try sqlite.serviceHistories().map(\.profile), "the same profiles")
        XCTAssertEqual(try postgres.deployments(), try sqlite.deployments())
    }

    func testTwoConcurrentWritersLoseNothingAndDuplicateNothing() throws {
        let url = try TestPostgres.newDatabase()
        let first = try HistoryStore.open(path: url)
        let second = try HistoryStore.open(path: url)
        // Two writers, each with its own connection, write overlapping batches at the same time: samples 0..<600
        // and 300..<900 of two containers, in opposite orders so their row locks would cross without the
        // writers' lock.
        func batch(_ range: Range<Int>, reversed: Bool) -> [HistoryBatch] {
            let chunks = stride(from: range.lowerBound, to: range.upperBound, by: 50).map { start in
                var batch = HistoryBatch()
                for i in start..<min(start + 50, range.upperBound) {
                    for service in ["api", "db"] {
                        batch.samples.append(
                            UsageSample(
                                app: "shop", service: service, container: service, time: 1_763_683_200 + Double(i) * 30, resource: .cpu,
                                value: Double(i % 7) / 10, source: "t"))
                    }
                    batch.events.append(
                        UsageEvent(
                            app: "shop", service: "api", container: "api", time: 1_763_683_200 + Double(i) * 30, kind: .restart, value: 1))
                }
                return batch
            }
            return reversed ? chunks.reversed() : chunks
        }
        let tally = Tally()
        let group = DispatchGroup()
        for (store, batches) in [(first, batch(0..<600, reversed: false)), (second, batch(300..<900, reversed: true))] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for batch in batches {
                    do {
                        tally.add(try store.write(batch))
                    } catch {
                        tally.fail("\(error)")
                    }
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let (written, failures) = tally.result
        let samples = try first.samples()
        XCTAssertEqual(samples.count, 1_800, "900 times × 2 containers, none lost")
        XCTAssertEqual(Set(samples.map { "\($0.service)@\($0.time)" }).count, 1_800, "none twice")
        XCTAssertEqual(failures, [])
        XCTAssertEqual(written.map(\.samples).reduce(0, +), 1_800, "each row counted by exactly one writer")
        XCTAssertEqual(written.map(\.events).reduce(0, +), 900)
        XCTAssertEqual(try first.events().count, 900)
        // Each profile was rebuilt by the last write, from every row: as one writer writing everything builds it.
        let reference = try HistoryStore.inMemory()
        for batch in batch(0..<900, reversed: false) { try reference.write(batch) }
        XCTAssertEqual(try second.serviceHistories().map(\.profile), try reference.serviceHistories().map(\.profile))
        XCTAssertEqual(try first.exportJSONLines(), try reference.exportJSONLines())
    }

    func testAPasswordInTheURLIsRefusedAndNeverPrinted() {
        XCTAssertThrowsError(try HistoryStore.open(path: "postgres://komply:s3cret@127.0.0.1:5432/history")) { error in
            let message = (error as? PredictError)?.localizedDescription ?? "\(error)"
            XCTAssertFalse(message.contains("s3cret"), message)
            XCTAssertTrue(message.contains("PGPASSWORD"), message)
        }
        XCTAssertThrowsError(try HistoryStore.open(path: "postgres://127.0.0.1/history")) { error in
            XCTAssertTrue((error as? PredictError)?.localizedDescription.contains("a user name") == true, "\(error)")
        }
    }

    func testAnUnreachableServerIsNamedWithWhatWasExpected() {
        XCTAssertThrowsError(try HistoryStore.open(path: "postgres://komply@127.0.0.1:1/history?sslmode=disable")) { error in
            let message = (error as? PredictError)?.localizedDescription ?? "\(error)"
            XCTAssertTrue(
                message.hasPrefix(
                    "postgres://komply@127.0.0.1:1/history: history database: cannot connect to PostgreSQL at 127.0.0.1:1 (database \"history\", user \"komply\")"
                ), message)
            XCTAssertTrue(message.contains("expected a running server"), message)
        }
    }

    func testTheWrongDatabaseNameIsNamed() throws {
        let server = try TestPostgres.server()
        XCTAssertThrowsError(try HistoryStore.open(path: server.url(database: "missing"))) { error in
            let message = (error as? PredictError)?.localizedDescription ?? "\(error)"
            XCTAssertTrue(message.contains("database \"missing\" does not exist"), message)
        }
    }

    func testPasswordComesFromThePassfile() throws {
        let file = folder.appendingPathComponent("pgpass")
        try "# komply\n127.0.0.1:5432:other:komply:wrong\n127.0.0.1:*:history:komply:right\n".write(
            to: file, atomically: true, encoding: .utf8)
        let location = try PostgresLocation(parsing: "postgres://komply@127.0.0.1:6543/history")
        XCTAssertEqual(location.password(environment: ["PGPASSFILE": file.path]), "right")
        XCTAssertEqual(location.password(environment: ["PGPASSFILE": file.path, "PGPASSWORD": "env"]), "env")
        XCTAssertNil(location.password(environment: [:]))
    }

    func testTheDialectIsTranslatedInOnePlace() {
        XCTAssertEqual(
            SQLDialect.postgres.translate("INSERT OR IGNORE INTO t (a, b) VALUES (?, '?')"),
            "INSERT INTO t (a, b) VALUES ($1, '?') ON CONFLICT DO NOTHING")
        XCTAssertEqual(
            SQLDialect.postgres.translate("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x REAL, s TEXT) WITHOUT ROWID"),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, s TEXT COLLATE \"C\")")
        XCTAssertEqual(
            SQLDialect.postgres.translate("SET u = max(t.u, excluded.u) WHERE e IS ?"),
            "SET u = GREATEST(t.u, excluded.u) WHERE e IS NOT DISTINCT FROM $1")
        XCTAssertEqual(SQLDialect.sqlite.translate("INSERT OR IGNORE INTO t VALUES (?)"), "INSERT OR IGNORE INTO t VALUES (?)")
    }
}

/// What the concurrent writers wrote, from their threads.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var written: [HistoryStore.WriteSummary] = []
    private var failures: [String] = []

    func add(_ summary: HistoryStore.WriteSummary) { lock.withLock { written.append(summary) } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
    var result: ([HistoryStore.WriteSummary], [String]) { lock.withLock { (written, failures) } }
}
