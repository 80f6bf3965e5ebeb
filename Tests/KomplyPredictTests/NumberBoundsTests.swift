import Foundation
import GRDB
import KomplyCore
import XCTest

@testable import KomplyPredict

/// History and runtime flags are bounded (issue 16, item 1): noisy streams drop what is out of range with a
/// warning naming file:line:column, strict formats refuse it, nothing poisoned reaches SQLite, and a store
/// poisoned before the bounds is read without trapping.
final class NumberBoundsTests: XCTestCase {
    let now = 1_796_601_600.0  // 2026-12-07T00:00:00Z

    func read(_ text: String, file: String, _ options: HistoryImporter.Options = HistoryImporter.Options()) throws -> HistoryBatch {
        try HistoryImporter(options: options).read(data: Data(text.utf8), file: file)
    }

    // MARK: Importers

    func testCSVValuesAndTimesOutOfBoundsAreDroppedWithTheirPosition() throws {
        let batch = try read(
            """
            time,service,container,cpu_cores,memory_bytes
            2026-12-01T00:00:00Z,api,api,1e300,1000000
            2026-12-01T00:01:00Z,api,api,0.5,1e300
            1e300,api,api,0.5,1000
            -1e300,api,api,0.5,1000
            2026-12-01T00:02:00Z,api,api,0.25,2000
            """, file: "u.csv")
        XCTAssertEqual(batch.samples.map(\.value), [1_000_000, 0.5, 0.25, 2000])
        guard batch.warnings.count == 4 else { return XCTFail("\(batch.warnings)") }
        XCTAssertEqual(
            batch.warnings[0],
            "u.csv:2:30: dropped cpu_cores: 1e+300 is out of range for CPU cores: expected a finite number from 0 to 1000000")
        XCTAssertTrue(batch.warnings[1].hasPrefix("u.csv:3:34: dropped memory_bytes: 1e+300 is out of range for memory bytes"))
        XCTAssertTrue(batch.warnings[2].hasPrefix("u.csv:4:1: dropped the row: time 1e+300 is out of range for a Unix time"))
        XCTAssertTrue(batch.warnings[3].hasPrefix("u.csv:5:1: dropped the row: time -1e+300"))
    }

    func testJSONLinesAreStrictAboutBounds() {
        let cases = [
            (#"{"type":"deployment","service":"a","time":"2026-12-01T00:00:00Z","replicas":1e300}"#, "1:77", "replicas"),
            (#"{"type":"deployment","service":"a","time":"2026-12-01T00:00:00Z","replicas":9.3e18}"#, "1:77", "replicas"),
            (#"{"type":"deployment","service":"a","time":"2026-12-01T00:00:00Z","replicas":"nan"}"#, "1:77", "replicas"),
            (#"{"type":"deployment","service":"a","time":"2026-12-01T00:00:00Z","replicas":"inf"}"#, "1:77", "replicas"),
            (#"{"type":"sample","service":"a","time":"1e300","resource":"cpu","value":0.5}"#, "1:39", "time"),
            (#"{"type":"sample","service":"a","time":"2026-12-01T00:00:00Z","resource":"cpu","value":1e300}"#, "1:87", "value"),
        ]
        for (line, position, key) in cases {
            XCTAssertThrowsError(try read(line + "\n", file: "h.jsonl"), line) { error in
                let message = error.localizedDescription
                XCTAssertTrue(message.hasPrefix("h.jsonl:\(position): expected \"\(key)\""), message)
            }
        }
    }

    func testDockerStatsAndPrometheusDropNoiseWithAWarning() throws {
        var options = HistoryImporter.Options(format: .dockerStats, at: now - 60)
        options.service = "api"
        let stats = try read(
            #"{"Name":"shop-api-1","CPUPerc":"1e300%","MemUsage":"1MiB / 2MiB"}"# + "\n"
                + #"{"Name":"shop-api-1","CPUPerc":"1%","MemUsage":"4097PiB / 5000PiB"}"# + "\n"
                + #"{"Name":"shop-api-1","CPUPerc":"2%","MemUsage":"1MiB / 2MiB"}"# + "\n", file: "s.jsonl", options)
        XCTAssertEqual(stats.samples.count, 2)
        guard stats.warnings.count == 2 else { return XCTFail("\(stats.warnings)") }
        XCTAssertTrue(stats.warnings[0].hasPrefix("s.jsonl:1:32: dropped the line: CPUPerc"), stats.warnings[0])
        XCTAssertTrue(stats.warnings[1].hasPrefix("s.jsonl:2:48: dropped the line: MemUsage"), stats.warnings[1])
        let prometheus = try read(
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x","container":"api"},"#
                + #""values":[[1e300,"1"],[1796601000,"1e300"],[1796601060,"0.5"]]}]}}"#, file: "p.json",
            HistoryImporter.Options(format: .prometheus, metric: .cpu))
        XCTAssertEqual(prometheus.samples.map(\.value), [0.5])
        XCTAssertEqual(prometheus.warnings.count, 2, "\(prometheus.warnings)")
        XCTAssertTrue(prometheus.warnings.allSatisfy { $0.hasPrefix("p.json:1:") }, "\(prometheus.warnings)")
    }

    func testDockerInspectRestartCountBeyondACountIsRefused() {
        let json = #"[{"Name":"/a","RestartCount":9.3e18,"State":{"StartedAt":"2026-12-01T00:00:00Z"},"Config":{},"HostConfig":{}}]"#
        XCTAssertThrowsError(try read(json, file: "i.json", HistoryImporter.Options(format: .dockerInspect))) { error in
            XCTAssertTrue(error.localizedDescription.hasPrefix("i.json:1:30: expected RestartCount within bounds"), "\(error)")
        }
    }

    // MARK: The store

    func testNothingOutOfBoundsOrFromTheFutureReachesSQLite() throws {
        let store = try HistoryStore.inMemory()
        let batch = HistoryBatch(
            deployments: [
                DeploymentRecord(service: "a", container: "a", replicas: 2_000_000, time: now - 10),
                DeploymentRecord(service: "a", container: "a", replicas: 2, time: now - 20),
            ],
            samples: [
                UsageSample(service: "a", container: "a", time: now - 60, resource: .cpu, value: 1e300, source: "t"),
                UsageSample(service: "a", container: "a", time: now + 86_400, resource: .cpu, value: 0.5, source: "t"),
                UsageSample(service: "a", container: "a", time: -1e300, resource: .memory, value: 1, source: "t"),
                UsageSample(service: "a", container: "a", time: now - 60, resource: .cpu, value: 0.25, source: "t"),
            ],
            events: [UsageEvent(service: "a", container: "a", time: now - 60, kind: .restart, value: 9.3e18)])
        let summary = try store.write(batch, now: now)
        XCTAssertEqual(summary.samples, 1)
        XCTAssertEqual(summary.deployments, 1)
        XCTAssertEqual(summary.events, 0)
        XCTAssertEqual(try store.samples().map(\.value), [0.25])
        guard summary.dropped.count == 3 else { return XCTFail("\(summary.dropped)") }
        XCTAssertTrue(summary.dropped[0].hasPrefix("dropped 3 sample(s) outside komply's physical bounds (first: a/a cpu: 1e+300"))
        XCTAssertTrue(summary.dropped[1].hasPrefix("dropped 1 event(s)"))
        XCTAssertTrue(summary.dropped[2].contains("replicas 2000000 is out of range for replicas"), summary.dropped[2])
    }

    /// A store written before the bounds: its rows and profile are read without trapping, poisoned rows skipped.
    func testAPoisonedStoreIsReadWithoutTrapping() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("poisoned-\(UUID().uuidString).sqlite").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let store = try HistoryStore.open(path: path)
        try store.write(
            HistoryBatch(
                deployments: [DeploymentRecord(service: "a", container: "a", replicas: 1, time: now - 100)],
                samples: [UsageSample(service: "a", container: "a", time: now - 60, resource: .cpu, value: 0.25, source: "t")]),
            now: now)
        // Poison it as older komply versions could: REAL replicas, huge values and times, a poisoned profile.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "UPDATE deployments SET replicas = 1e300")
            try db.execute(
                sql: "INSERT INTO samples VALUES ('', 'a', 'a', 1e300, 'cpu', 0.5, 't'), ('', 'a', 'a', ?, 'memory', 1e300, 't')",
                arguments: [now - 30])
            let profile = try String.fetchOne(db, sql: "SELECT profile FROM profiles")!
            try db.execute(
                sql: "UPDATE profiles SET profile = ?",
                arguments: [profile.replacingOccurrences(of: #""peakCPU":0.25"#, with: #""peakCPU":1e300"#)])
        }
        try queue.close()
        let reopened = try HistoryStore.open(path: path)
        XCTAssertEqual(try reopened.deployments(), [], "a deployment whose replicas are 1e300 is skipped")
        XCTAssertEqual(try reopened.samples().map(\.value), [0.25])
        let histories = try reopened.serviceHistories()
        XCTAssertEqual(histories.first?.profile.peakCPU, 0.25)
        XCTAssertTrue(histories.first?.profile.notes.contains { $0.contains("rebuilt from the rows within them") } == true)
        XCTAssertNoThrow(try reopened.exportJSONLines())
        let recommendation = Recommender(history: histories).recommend(WorkloadFeatures(app: "x", service: "a"))
        XCTAssertFalse(recommendation.cpuRequest.isNegative)
    }

    /// A backtest over files reads them without the store: the same bounds apply, named in its notes.
    func testBacktestLeavesOutWhatIsOutOfBounds() throws {
        var samples: [UsageSample] = []
        for minute in 0..<120 {
            for resource in ResourceKind.allCases {
                let value = resource == .cpu ? 0.25 : 100_000_000
                samples.append(
                    UsageSample(
                        service: "a", container: "a", time: now + Double(minute * 60), resource: resource, value: value, source: "t"))
            }
        }
        samples.append(UsageSample(service: "a", container: "a", time: now + 30, resource: .cpu, value: 1e300, source: "t"))
        samples.append(UsageSample(service: "a", container: "a", time: 1e300, resource: .memory, value: 1, source: "t"))
        let report = try Backtest().run(HistoryBatch(samples: samples), file: "t")
        XCTAssertEqual(report.services.count, 1)
        XCTAssertTrue(report.notes.contains { $0.hasPrefix("dropped 2 sample(s) outside komply's physical bounds") }, "\(report.notes)")
    }

    // MARK: Runtime flags

    func testRuntimeFlagsBeyondTheirBoundsAreIgnoredWithAWarning() {
        let environments: [[String: String]] = [
            ["GOMEMLIMIT": "NaN"], ["GOMEMLIMIT": "inf"], ["GOMEMLIMIT": "999999999999999TiB"],
            ["GOMAXPROCS": "9223372036854775807"], ["NODE_OPTIONS": "--max-old-space-size=99999999999999999"],
            ["JAVA_OPTS": "-Xmx99999999t"], ["JAVA_OPTS": "-XX:MaxRAMPercentage=1e300"],
        ]
        for environment in environments {
            let features = WorkloadFeatures(app: "a", service: "s", image: "golang-app:1", environment: environment)
            let traits = WorkloadTraits.of(features)
            XCTAssertNil(traits.goMemLimitBytes ?? traits.nodeOldSpaceBytes ?? traits.jvmHeapBytes, "\(environment)")
            XCTAssertNil(traits.goMaxProcs.map(Double.init) ?? traits.jvmMaxRAMPercentage, "\(environment)")
            XCTAssertEqual(traits.ignoredHints.count, 1, "\(environment)")
            let recommendation = Recommender().recommend(features)
            XCTAssertTrue(recommendation.warnings.contains { $0.code == "runtime-hint-out-of-range" }, "\(environment)")
        }
        // A flag in a variable that is not a runtime-options one (it may be a secret) is named without its value.
        let hidden = WorkloadTraits.of(
            WorkloadFeatures(app: "a", service: "s", environment: ["DB_PASSWORD": "-Xmx7777777777777t hunter2"]))
        XCTAssertEqual(hidden.ignoredHints, ["-Xmx (DB_PASSWORD) outside memory bytes from 0 to 4611686018427387904, or not finite"])
        let ordinary = WorkloadTraits.of(
            WorkloadFeatures(app: "a", service: "s", environment: ["GOMEMLIMIT": "900MiB", "GOMAXPROCS": "4"]))
        XCTAssertEqual(ordinary.goMemLimitBytes, 900 * 1_048_576)
        XCTAssertEqual(ordinary.goMaxProcs, 4)
        XCTAssertEqual(ordinary.ignoredHints, [])
    }
}
