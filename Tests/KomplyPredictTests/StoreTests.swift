import GRDB
import KomplyTestSupport
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

    override class func tearDown() {
        TestPostgres.stop()
        super.tearDown()
    }

    /// A new, empty store of `backend`: an SQLite file in the test's folder, or a fresh PostgreSQL database.
    func newStore(_ backend: Backend) throws -> HistoryStore {
        switch backend {
        case .sqlite: return try HistoryStore.open(path: folder.appendingPathComponent("\(UUID().uuidString).sqlite").path)
        case .postgres: return try HistoryStore.open(path: try TestPostgres.newDatabase())
        }
    }

    /// The two engines every store test runs against.
    enum Backend { case sqlite, postgres }

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
        XCTAssertEqual(
            try store.appliedMigrations(), ["v1-history", "v2-app", "v3-observations", "v4-deployment-key", "v5-deployment-source"])
        // Reopening does not migrate twice.
        XCTAssertEqual(
            try HistoryStore.open(path: store.path).appliedMigrations(),
            ["v1-history", "v2-app", "v3-observations", "v4-deployment-key", "v5-deployment-source"])
    }

    func testPostgresStoreAppliesTheSameMigrations() throws {
        let store = try newStore(.postgres)
        XCTAssertEqual(try store.journalMode(), "postgresql")
        XCTAssertEqual(
            try store.appliedMigrations(), ["v1-history", "v2-app", "v3-observations", "v4-deployment-key", "v5-deployment-source"])
        XCTAssertEqual(
            try HistoryStore.open(path: store.path).appliedMigrations(),
            ["v1-history", "v2-app", "v3-observations", "v4-deployment-key", "v5-deployment-source"])
        // The same tables and key columns as the SQLite file, text ordered byte-wise whatever the locale.
        let server = try TestPostgres.server()
        let database = String(store.path.split(separator: "/").last!)
        XCTAssertEqual(
            try server.psql(
                database,
                "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'"),
            "deployments,events,grdb_migrations,observations,outcomes,profiles,samples\n")
        XCTAssertEqual(
            try server.psql(database, "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY'"),
            "1\n", "outcomes still reference deployments after v2-app")
    }

    func testWriteIsIdempotentAndRebuildsProfiles() throws {
        try checkWriteIsIdempotentAndRebuildsProfiles(try newStore(.sqlite))
    }

    func testWriteIsIdempotentAndRebuildsProfilesOnPostgres() throws {
        try checkWriteIsIdempotentAndRebuildsProfiles(try newStore(.postgres))
    }

    func checkWriteIsIdempotentAndRebuildsProfiles(_ store: HistoryStore) throws {
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

    func testADeploymentWithoutEnvironmentOrClusterIsStoredOnce() throws {
        try checkADeploymentWithoutEnvironmentOrClusterIsStoredOnce(try newStore(.sqlite))
    }

    func testADeploymentWithoutEnvironmentOrClusterIsStoredOnceOnPostgres() throws {
        try checkADeploymentWithoutEnvironmentOrClusterIsStoredOnce(try newStore(.postgres))
    }

    /// UNIQUE treats NULLs as distinct: before `v4-deployment-key` every re-import added the row again.
    func checkADeploymentWithoutEnvironmentOrClusterIsStoredOnce(_ store: HistoryStore) throws {
        var record = batch().deployments[0]
        record.environment = nil
        record.cluster = nil
        XCTAssertEqual(try store.write(HistoryBatch(deployments: [record])).deployments, 1)
        XCTAssertEqual(try store.write(HistoryBatch(deployments: [record])).deployments, 0)
        record.environment = "prod"
        XCTAssertEqual(try store.write(HistoryBatch(deployments: [record])).deployments, 1, "another environment is another row")
        XCTAssertEqual(try store.deployments().count, 2)
    }

    func testJSONLinesRoundTripIsStable() throws {
        try checkJSONLinesRoundTripIsStable(try HistoryStore.inMemory(), copy: try HistoryStore.inMemory())
    }

    func testJSONLinesRoundTripIsStableOnPostgres() throws {
        try checkJSONLinesRoundTripIsStable(try newStore(.postgres), copy: try newStore(.postgres))
    }

    func checkJSONLinesRoundTripIsStable(_ store: HistoryStore, copy: HistoryStore) throws {
        try store.write(batch())
        let text = try store.exportJSONLines()
        XCTAssertEqual(
            text.split(separator: "\n").first,
            #"{"cluster":"eu1","commit":"abc123","container":"api","environment":"prod","features":{"family":"node"},"image":"node:20","outcome":"healthy","replicas":2,"resources":{"cpu_request":0.25,"memory_limit":536870912},"role":"api","runtime":"node","service":"api","time":"1970-01-01T00:16:40.000Z","type":"deployment"}"#
        )
        let decoded = try HistoryJSONLines.decode(text, file: "h.jsonl")
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

    func testInterruptedWriteLeavesThePreviousStateOnPostgres() throws {
        let store = try newStore(.postgres)
        try store.write(batch())
        let database = String(store.path.split(separator: "/").last!)
        XCTAssertThrowsError(
            try TestPostgres.server().psql(
                database,
                """
                BEGIN; INSERT INTO samples VALUES ('', 'api', 'api', 2000, 'cpu', 1, 'x');
                INSERT INTO samples VALUES ('', 'api', 'api', 2001, 'disk', 1, 'x'); COMMIT;
                """))
        XCTAssertEqual(try store.samples().count, 2)
    }

    func testConcurrentReaderSeesCommittedDataWhileWriterAppends() throws {
        let path = folder.appendingPathComponent("history.sqlite").path
        try checkReaderSeesCommittedData(writer: try HistoryStore.open(path: path), reader: try HistoryStore.open(path: path))
    }

    func testConcurrentReaderSeesCommittedDataOnPostgres() throws {
        let url = try TestPostgres.newDatabase()
        try checkReaderSeesCommittedData(writer: try HistoryStore.open(path: url), reader: try HistoryStore.open(path: url))
    }

    func checkReaderSeesCommittedData(writer: HistoryStore, reader: HistoryStore) throws {
        XCTAssertEqual(try reader.samples().count, 0)
        try writer.write(batch())
        XCTAssertEqual(try reader.samples().count, 2)
        XCTAssertEqual(try reader.exportJSONLines(), try writer.exportJSONLines())
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
