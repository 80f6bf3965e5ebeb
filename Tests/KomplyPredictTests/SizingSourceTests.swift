import Foundation
import GRDB
import KomplyCore
import KomplyTestSupport
import XCTest

@testable import KomplyPredict

/// Issue 17: each deployment says who chose its resources (komply's recommender, an accepted LLM change, the
/// user), the store keeps it on both engines, and the backtest compares the sources.
final class SizingSourceTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    override class func tearDown() {
        TestPostgres.stop()
        super.tearDown()
    }

    static let applied = ["v1-history", "v2-app", "v3-observations", "v4-deployment-key", "v5-deployment-source"]

    /// A row as komply wrote it before `v5-deployment-source`.
    static let v4Row = """
        INSERT INTO deployments (app, service, container, image, features, cpu_request, memory_limit, replicas, environment,
            cluster, commit_sha, time)
        VALUES ('shop', 'db', 'db', 'postgres:16', '{"family":"postgres"}', 0.5, 1073741824, 1, 'prod', 'eu1', 'abc123', 1763683200)
        """

    // MARK: the migration

    func testAV4FileKeepsItsRowsAsDeterministic() throws {
        let path = folder.appendingPathComponent("history.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            let old = SQLiteHistoryDatabase(location: path, writer: queue)
            try old.migrate(Array(HistoryStore.migrations.prefix(4)))
            try old.transaction(writing: true) { try $0.execute(Self.v4Row) }
            try queue.close()
        }
        try checkUpgrade(try HistoryStore.open(path: path))
    }

    func testAV4PostgresDatabaseKeepsItsRowsAsDeterministic() throws {
        let url = try TestPostgres.newDatabase()
        do {
            let old = try PostgresHistoryDatabase.connect(url: url, environment: ProcessInfo.processInfo.environment)
            try old.migrate(Array(HistoryStore.migrations.prefix(4)))
            try old.transaction(writing: true) { try $0.execute(Self.v4Row) }
        }
        try checkUpgrade(try HistoryStore.open(path: url))
    }

    func checkUpgrade(_ store: HistoryStore) throws {
        XCTAssertEqual(try store.appliedMigrations(), Self.applied)
        let old = try XCTUnwrap(try store.deployments().first)
        XCTAssertEqual([old.app, old.service, old.commit], ["shop", "db", "abc123"], "the v4 row is kept")
        XCTAssertEqual(old.source, .deterministic, "rows recorded before sources existed are the recommender's")
        var refined = old
        refined.time += 3_600
        refined.source = .llm
        var pinned = old
        pinned.time += 7_200
        pinned.source = .manual
        XCTAssertEqual(try store.write(HistoryBatch(deployments: [refined, pinned])).deployments, 2)
        XCTAssertEqual(try store.deployments().map(\.source), [.deterministic, .llm, .manual])
        XCTAssertEqual(try HistoryStore.open(path: store.path).appliedMigrations(), Self.applied, "reopening migrates nothing")
    }

    // MARK: JSON lines

    func testJSONLinesCarryTheSourceOnlyWhenItIsNotDeterministic() throws {
        let base = DeploymentRecord(service: "api", container: "api", resources: ResourceAmounts(cpuRequest: 0.25), time: 0)
        var llm = base
        llm.time = 60
        llm.source = .llm
        var manual = base
        manual.time = 120
        manual.source = .manual
        let text = HistoryJSONLines.encode(HistoryBatch(deployments: [base, llm, manual]))
        let lines = text.split(separator: "\n")
        XCTAssertFalse(lines[0].contains(#""source""#), "a deterministic row exports as before sources existed")
        XCTAssertTrue(lines[1].contains(#""source":"llm""#), String(lines[1]))
        XCTAssertTrue(lines[2].contains(#""source":"manual""#), String(lines[2]))
        XCTAssertEqual(try HistoryJSONLines.decode(text, file: "h.jsonl").deployments.map(\.source), [.deterministic, .llm, .manual])
    }

    func testAnUnknownSourceIsRefusedWithItsPosition() {
        let line = #"{"type":"deployment","service":"api","time":"2026-01-01T00:00:00Z","source":"gpt"}"#
        XCTAssertThrowsError(try HistoryJSONLines.decode(line, file: "h.jsonl")) { error in
            XCTAssertEqual(
                error.localizedDescription,
                #"h.jsonl:1:77: expected source "deterministic", "llm", "manual", not "gpt""#)
        }
    }

    func testSQLiteAndPostgresExportTheSameBytesWithSources() throws {
        let batch = Self.history()
        let file = try HistoryStore.open(path: folder.appendingPathComponent("h.sqlite").path)
        let server = try HistoryStore.open(path: try TestPostgres.newDatabase())
        try file.write(batch)
        try server.write(batch)
        let text = try file.exportJSONLines()
        XCTAssertTrue(text.contains(#""source":"llm""#), text)
        XCTAssertEqual(try server.exportJSONLines(), text)
    }

    // MARK: importers

    /// Workloads read back from a cluster carry komply's annotations as Argo CD synced them.
    func testKubectlWorkloadsCarryWhoChoseTheirResources() throws {
        let dump = """
            {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"api","namespace":"shop","creationTimestamp":"2026-01-01T00:00:00Z",
               "annotations":{"komply.dev/refined":"openai m changed /containers/api/resources/requests/cpu"}},
             "spec":{"template":{"spec":{"containers":[
               {"name":"api","resources":{"requests":{"cpu":"200m"}}},
               {"name":"api-sidecar","resources":{"requests":{"cpu":"10m"}}}]}}}},
             {"apiVersion":"apps/v1","kind":"StatefulSet",
             "metadata":{"name":"db","namespace":"shop","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"template":{"metadata":{"annotations":{"komply.dev/sizing":"database defaults; x-komply.resources"}},
               "spec":{"containers":[{"name":"db","resources":{"requests":{"memory":"1Gi"}}}]}}}}]}
            """
        let batch = try HistoryImporter().read(data: Data(dump.utf8), file: "dump.json")
        XCTAssertEqual(batch.deployments.map(\.container), ["api", "api-sidecar", "db"])
        XCTAssertEqual(batch.deployments.map(\.source), [.llm, .deterministic, .manual])
    }

    // MARK: the backtest per source

    static let mi = 1_048_576.0

    /// Two containers, each deployed first as the recommender sized it and then as an LLM changed it, with
    /// usage after each deployment (every number below is chosen so the figures can be worked out by hand).
    static func history() -> HistoryBatch {
        var batch = HistoryBatch()
        func deploy(_ service: String, at time: Double, _ source: SizingSource, cpu: Double, cpuLimit: Double?, memory: Double) {
            batch.deployments.append(
                DeploymentRecord(
                    app: "shop", service: service, container: service,
                    resources: ResourceAmounts(cpuRequest: cpu, cpuLimit: cpuLimit, memoryRequest: memory * mi, memoryLimit: memory * mi),
                    time: time, source: source))
        }
        func use(_ service: String, from time: Double, cpu: [Double], memory: [Double]) {
            for (index, value) in cpu.enumerated() {
                batch.samples.append(
                    UsageSample(
                        app: "shop", service: service, container: service, time: time + Double(index) * 60, resource: .cpu, value: value,
                        source: "csv"))
            }
            for (index, value) in memory.enumerated() {
                batch.samples.append(
                    UsageSample(
                        app: "shop", service: service, container: service, time: time + Double(index) * 60, resource: .memory,
                        value: value * mi, source: "csv"))
            }
        }
        // api: deterministic 0.5 cores / 256Mi, then the LLM's 0.25 cores (limit 0.3) / 128Mi.
        deploy("api", at: 0, .deterministic, cpu: 0.5, cpuLimit: nil, memory: 256)
        use("api", from: 0, cpu: [0.1, 0.2, 0.3], memory: [100, 120, 140])
        deploy("api", at: 10_000, .llm, cpu: 0.25, cpuLimit: 0.3, memory: 128)
        use("api", from: 10_000, cpu: [0.2, 0.3, 0.4], memory: [100, 120, 140])
        // worker: deterministic 1 core / 512Mi, then the LLM's 0.5 cores / 384Mi.
        deploy("worker", at: 0, .deterministic, cpu: 1, cpuLimit: nil, memory: 512)
        use("worker", from: 0, cpu: [0.4, 0.5, 0.6], memory: [300, 400, 500])
        deploy("worker", at: 10_000, .llm, cpu: 0.5, cpuLimit: nil, memory: 384)
        use("worker", from: 10_000, cpu: [0.4, 0.5, 0.6], memory: [300, 320, 340])
        return batch
    }

    func testTheBacktestComparesTheSourcesWithHandWorkedFigures() throws {
        let report = try Backtest().run(Self.history(), file: "h.jsonl")
        XCTAssertEqual(report.sources.map(\.source), [.deterministic, .llm])
        let deterministic = report.sources[0], llm = report.sources[1]
        // deterministic: api 0.5 ≥ P95 0.3 and 256Mi ≥ 140Mi; worker 1 ≥ 0.6 and 512Mi ≥ 500Mi: all 4 peaks covered.
        XCTAssertEqual(
            [
                deterministic.deployments, deterministic.cpuCovered, deterministic.memoryCovered, deterministic.oomRisk,
                deterministic.throttlingRisk,
            ],
            [2, 2, 2, 0, 0])
        XCTAssertEqual(deterministic.coverage, 1)
        // CPU slack: api 0.5 − 0.2 = 0.3, worker 1 − 0.5 = 0.5, median 0.4; memory: 256 − 120 = 136Mi, 512 − 400 = 112Mi, median 124Mi.
        XCTAssertEqual(deterministic.cpuSlack, 0.4, accuracy: 1e-9)
        XCTAssertEqual(deterministic.memorySlack, 124 * Self.mi, accuracy: 1e-3)
        // llm: api 0.25 < P95 0.4 (not covered), 128Mi < 140Mi (not covered, and above the 128Mi limit: OOM risk),
        // P99 0.4 > limit 0.3 (throttle risk); worker 0.5 < 0.6 (not covered), 384Mi ≥ 340Mi (covered).
        XCTAssertEqual([llm.deployments, llm.cpuCovered, llm.memoryCovered, llm.oomRisk, llm.throttlingRisk], [2, 0, 1, 1, 1])
        XCTAssertEqual(llm.coverage, 0.25)
        // CPU slack: api 0.25 − 0.3 = −0.05, worker 0.5 − 0.5 = 0, median −0.025; memory: 128 − 120 = 8Mi, 384 − 320 = 64Mi, median 36Mi.
        XCTAssertEqual(llm.cpuSlack, -0.025, accuracy: 1e-9)
        XCTAssertEqual(llm.memorySlack, 36 * Self.mi, accuracy: 1e-3)

        let text = report.text()
        XCTAssertTrue(
            text.contains(
                """
                source         deployments  cpu cover  mem cover  coverage  cpu slack  mem slack  oom risk  throttle risk
                deterministic            2      100 %      100 %     100 %      +400m     +124Mi         0              0
                llm                      2        0 %       50 %      25 %       -25m      +36Mi         1              1
                """), text)
        let json = try JSONSerialization.jsonObject(with: Data(JSONEmitter.emit(report.valueTree).utf8)) as? [String: Any]
        let rows = try XCTUnwrap(json?["sources"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["source"] as? String }, ["deterministic", "llm"])
        XCTAssertEqual(rows[1]["deployments"] as? Int, 2)
        XCTAssertEqual(rows[1]["coverage"] as? Double, 0.25)
        XCTAssertEqual(rows[1]["medianCPUSlackCores"] as? Double, -0.025)
        XCTAssertEqual(rows[1]["medianMemorySlackBytes"] as? Int, 37_748_736)
        XCTAssertEqual(rows[1]["oomRiskDeployments"] as? Int, 1)
        XCTAssertEqual(rows[1]["throttlingRiskDeployments"] as? Int, 1)
    }

    func testOneSourceShowsNoSourceTable() throws {
        var batch = Self.history()
        batch.deployments = batch.deployments.filter { $0.source == .deterministic }
        let report = try Backtest().run(batch, file: "h.jsonl")
        XCTAssertEqual(report.sources.map(\.source), [.deterministic])
        XCTAssertFalse(report.text().contains("By source"), "one source has nothing to compare with")
        XCTAssertEqual(report.sources[0].deployments, 2, "each deployment is evaluated until the end of the history")
    }

    func testTheMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        XCTAssertEqual(Backtest.median([3, 1, 2]), 2)
        XCTAssertEqual(Backtest.median([4, 1, 3, 2]), 2.5)
        XCTAssertEqual(Backtest.median([]), 0)
    }
}
