import GRDB
import XCTest

@testable import KomplyPredict

final class StoreTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func batch() -> HistoryBatch {
        HistoryBatch(
            deployments: [
                DeploymentRecord(
                    service: "api", container: "api", image: "node:20", runtime: "node", role: "api",
                    features: ["family": "node"], resources: ResourceAmounts(cpuRequest: 0.25, memoryLimit: 512 * 1_048_576),
                    replicas: 2, environment: "prod", cluster: "eu1", commit: "abc123", time: 1_000, outcome: "healthy")
            ],
            samples: [
                UsageSample(service: "api", container: "api", time: 1_000, resource: .cpu, value: 0.125, source: "csv"),
                UsageSample(service: "api", container: "api", time: 1_000, resource: .memory, value: 104_857_600, source: "csv"),
            ],
            events: [UsageEvent(service: "api", container: "api", time: 1_030, kind: .oomKilled, value: 536_870_912, detail: "exit 137")])
    }

    func testFileStoreUsesWALAndMigrations() throws {
        let store = try HistoryStore.open(path: folder.appendingPathComponent("h/history.sqlite").path)
        XCTAssertEqual(try store.journalMode(), "wal")
        XCTAssertEqual(try store.appliedMigrations(), ["v1-history", "v2-app", "v3-observations"])
        // Reopening does not migrate twice.
        XCTAssertEqual(try HistoryStore.open(path: store.path).appliedMigrations(), ["v1-history", "v2-app", "v3-observations"])
    }

    func testWriteIsIdempotentAndRebuildsProfiles() throws {
        let store = try HistoryStore.open(path: folder.appendingPathComponent("history.sqlite").path)
        let first = try store.write(batch())
        XCTAssertEqual([first.deployments, first.samples, first.events, first.profiles], [1, 2, 1, 1])
        let again = try store.write(batch())
        XCTAssertEqual([again.deployments, again.samples, again.events], [0, 0, 0], "duplicates are ignored")
        let histories = try store.serviceHistories()
        XCTAssertEqual(histories.count, 1)
        XCTAssertEqual(histories[0].profile.oomKills, 1)
        XCTAssertEqual(histories[0].latest?.outcome, "healthy")
        XCTAssertEqual(histories[0].oomLimits, [536_870_912])
    }

    func testJSONLinesRoundTripIsStable() throws {
        let store = try HistoryStore.inMemory()
        try store.write(batch())
        let text = try store.exportJSONLines()
        XCTAssertEqual(
            text.split(separator: "\n").first,
            #"{"cluster":"eu1","commit":"abc123","container":"api","environment":"prod","features":{"family":"node"},"image":"node:20","outcome":"healthy","replicas":2,"resources":{"cpu_request":0.25,"memory_limit":536870912},"role":"api","runtime":"node","service":"api","time":"1970-01-01T00:16:40.000Z","type":"deployment"}"#
        )
        let decoded = try HistoryJSONLines.decode(text, file: "h.jsonl")
        let copy = try HistoryStore.inMemory()
        try copy.write(decoded)
        XCTAssertEqual(try copy.exportJSONLines(), text)
    }

    func testInterruptedWriteLeavesThePreviousState() throws {
        let path = folder.appendingPathComponent("history.sqlite").path
        let store = try HistoryStore.open(path: path)
        try store.write(batch())
        // A write that fails half-way (a CHECK constraint on the second row) rolls back as a whole.
        let pool = try DatabasePool(path: path)
        XCTAssertThrowsError(
            try pool.write { db in
                try db.execute(sql: "INSERT INTO samples VALUES ('', 'api', 'api', 2000, 'cpu', 1, 'x')")
                try db.execute(sql: "INSERT INTO samples VALUES ('', 'api', 'api', 2001, 'disk', 1, 'x')")
            })
        XCTAssertEqual(try store.samples().count, 2)
    }

    func testConcurrentReaderSeesCommittedDataWhileWriterAppends() throws {
        let path = folder.appendingPathComponent("history.sqlite").path
        let writer = try HistoryStore.open(path: path)
        let reader = try HistoryStore.open(path: path)
        try writer.write(batch())
        XCTAssertEqual(try reader.samples().count, 2)
    }

    func testBadJSONLinesNameTheLineAndColumn() {
        let text = """
            {"type":"sample","service":"a","time":"2026-01-01T00:00:00Z","resource":"cpu","value":1}
            {"type":"sample","service":"a","time":"yesterday","resource":"cpu","value":1}
            """
        XCTAssertThrowsError(try HistoryJSONLines.decode(text, file: "h.jsonl")) { error in
            XCTAssertEqual(
                (error as? PredictError)?.localizedDescription,
                "h.jsonl:2:39: expected \"time\" to be an RFC 3339 time such as 2026-01-31T12:00:00Z, found \"yesterday\"")
        }
        XCTAssertThrowsError(try HistoryJSONLines.decode("\n{\"type\": \"sample\",", file: "h.jsonl")) { error in
            XCTAssertTrue((error as? PredictError)?.localizedDescription.hasPrefix("h.jsonl:2:") == true, "\(error)")
        }
    }
}
