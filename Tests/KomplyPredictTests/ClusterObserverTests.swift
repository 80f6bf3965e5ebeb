import Foundation
import KomplyCore
import KomplyTestSupport
import XCTest

@testable import KomplyPredict

/// `komply observe`'s reading of a cluster, against a real Prometheus (Debian's) whose TSDB holds the
/// `PrometheusScenario` series: owners, a counter reset, a gap, an OOM kill, a deleted pod, throttling.
final class ClusterObserverTests: XCTestCase {
    static let scenario = PrometheusScenario()

    func server(_ scenario: PrometheusScenario = scenario) throws -> PrometheusServer {
        guard PrometheusServer.isAvailable else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI must install prometheus (scripts/setup)") }
            throw XCTSkip("prometheus and promtool are not installed (apt-get install prometheus)")
        }
        return try PrometheusServer(openMetrics: scenario.openMetrics())
    }

    func observe(_ server: PrometheusServer, name: String = "prod", label: String? = nil, from: Double? = nil) async throws
        -> ClusterObserver.Observation?
    {
        let cluster = ClusterObserver.Cluster(name: name, url: URL(string: server.url)!, clusterLabel: label)
        return try await ClusterObserver(cluster: cluster).observe(
            from: from ?? Double(Self.scenario.start), to: Double(Self.scenario.end), options: HistoryImporter.Options())
    }

    func testEverySignalIsReadAndMappedToItsWorkload() async throws {
        let server = try server()
        defer { server.stop() }
        let observationRead = try await observe(server)
        let observation = try XCTUnwrap(observationRead)
        XCTAssertEqual(observation.step, 60)
        XCTAssertEqual(observation.mappedPods, 5, "three api pods (one deleted after 2 h), db-0, the CronJob's pod")
        let batch = observation.batch
        // A point a minute (scrapes every 30 s) for each pod while it ran: 6 h → 360 memory points.
        let perPod = Dictionary(grouping: batch.samples.filter { $0.resource == .memory }, by: \.source).mapValues(\.count)
        XCTAssertEqual(perPod["prometheus:prod/api-7d4b9c6f8d-x2k9p"], 360)
        XCTAssertEqual(perPod["prometheus:prod/report-29000000-h7k2m"], 25, "20 minutes, plus the 5-minute lookback")
        // Pods map to workloads (Deployment through its ReplicaSet, CronJob through its Job), not to pod-name guesses.
        XCTAssertEqual(Set(batch.samples.map(\.service)), ["api", "db", "report"])
        XCTAssertEqual(Set(batch.samples.map(\.app)), ["shop"])
        // The pause and pod-level cgroups are not containers of the app.
        XCTAssertEqual(Set(batch.samples.map(\.container)), ["api", "db", "report"])
        // Each replica is kept: three api pods measured at the same minutes are three samples, not one.
        let apiSources = Set(batch.samples.filter { $0.service == "api" }.map(\.source))
        XCTAssertEqual(
            apiSources,
            ["prometheus:prod/api-7d4b9c6f8d-x2k9p", "prometheus:prod/api-7d4b9c6f8d-q8w4n", "prometheus:prod/api-7d4b9c6f8d-zz9kq"])
        // The deleted pod's usage is kept, and stops when the pod did.
        let deleted = batch.samples.filter { $0.source.hasSuffix("zz9kq") && $0.resource == .memory }.map(\.time)
        XCTAssertFalse(deleted.isEmpty)
        XCTAssertLessThanOrEqual(deleted.max()!, Double(Self.scenario.start + 2 * 3600 + 300))
        // The counter reset at 3 h gives no negative or absurd rate.
        let cpu = batch.samples.filter { $0.resource == .cpu }.map(\.value)
        XCTAssertTrue(cpu.allSatisfy { $0 >= 0 && $0 < 2 }, "CPU rates within 0…2 cores: \(cpu.min()!)…\(cpu.max()!)")
        // db-0's 30-minute gap stays a gap (past Prometheus' 5-minute lookback): nothing is filled in.
        let gapStart = Double(Self.scenario.start + 480 * 30 + 360), gapEnd = Double(Self.scenario.start + 540 * 30)
        XCTAssertTrue(batch.samples.filter { $0.service == "db" && $0.time > gapStart && $0.time < gapEnd }.isEmpty)
        // The OOM kill and the restart at 3 h, the throttling in the sixth hour, all on api.
        let oom = batch.events.filter { $0.kind == .oomKilled }
        XCTAssertEqual(oom.map(\.service), ["api"])
        XCTAssertEqual(oom.first!.time, Double(Self.scenario.start + 3 * 3600), accuracy: 120)
        XCTAssertEqual(batch.events.filter { $0.kind == .restart }.map(\.service), ["api"])
        let throttled = batch.events.filter { $0.kind == .throttled }
        XCTAssertEqual(throttled.map(\.service), ["api"])
        XCTAssertGreaterThan(throttled.first!.time, Double(Self.scenario.start + 5 * 3600))
    }

    func testASecondObservationFromTheMarkRecordsNothingNew() async throws {
        let server = try server()
        defer { server.stop() }
        let store = try HistoryStore.inMemory()
        let firstRead = try await observe(server)
        let first = try XCTUnwrap(firstRead)
        let written = try store.write(first.batch, now: Double(Self.scenario.end), observed: ["prod": first.end])
        XCTAssertGreaterThan(written.samples, 1000)
        XCTAssertEqual(try store.observationMarks(), ["prod": first.end])
        // From one second past the mark to the same end: less than a step, nothing to ask for.
        let second = try await observe(server, from: first.end + 1)
        XCTAssertNil(second)
        // Asking again for the whole window writes nothing either (the same points, the same keys).
        let againRead = try await observe(server)
        let again = try XCTUnwrap(againRead)
        XCTAssertEqual(try store.write(again.batch, now: Double(Self.scenario.end)).samples, 0)
    }

    func testTwoClustersInOneSharedPrometheusAreToldApartByTheirLabel() async throws {
        // One Prometheus (a Thanos, say) holding two clusters' series, told apart by `cluster`.
        var eu = Self.scenario
        eu.clusterLabel = "eu"
        var us = Self.scenario
        us.clusterLabel = "us"
        us.scale = 2
        guard PrometheusServer.isAvailable else { throw XCTSkip("prometheus is not installed") }
        let euText = eu.openMetrics(), usText = us.openMetrics()
        // Families must be contiguous in OpenMetrics: merge the two texts family by family.
        let server = try PrometheusServer(openMetrics: Self.merge(euText, usText))
        defer { server.stop() }
        let euObserved = try await observe(server, name: "eu", label: "cluster")
        let euRead = try XCTUnwrap(euObserved)
        let usObserved = try await observe(server, name: "us", label: "cluster")
        let usRead = try XCTUnwrap(usObserved)
        func peak(_ batch: HistoryBatch) -> Double {
            batch.samples.filter { $0.service == "db" && $0.resource == .memory }.map(\.value).max() ?? 0
        }
        XCTAssertEqual(peak(usRead.batch) / peak(euRead.batch), 2, accuracy: 0.05)
        XCTAssertTrue(euRead.batch.samples.allSatisfy { $0.source.hasPrefix("prometheus:eu/") })
        XCTAssertEqual(euRead.batch.samples.count, usRead.batch.samples.count)
    }

    func testOwnersMapReplicaSetsAndJobsToTheirControllers() {
        let workloads = PodWorkloads(
            podOwners: [
                ["namespace": "a", "pod": "web-5f6d-abcde", "owner_kind": "ReplicaSet", "owner_name": "web-5f6d"],
                ["namespace": "a", "pod": "nightly-123-xyz", "owner_kind": "Job", "owner_name": "nightly-123"],
                ["namespace": "a", "pod": "once-xyz", "owner_kind": "Job", "owner_name": "once"],
                ["namespace": "a", "pod": "db-0", "owner_kind": "StatefulSet", "owner_name": "db"],
                ["namespace": "a", "pod": "lone", "owner_kind": "<none>", "owner_name": "<none>"],
            ],
            replicaSetOwners: [["namespace": "a", "replicaset": "web-5f6d", "owner_kind": "Deployment", "owner_name": "web"]],
            jobOwners: [["namespace": "a", "job_name": "nightly-123", "owner_kind": "CronJob", "owner_name": "nightly"]])
        XCTAssertEqual(
            workloads.byPod, ["a/web-5f6d-abcde": "web", "a/nightly-123-xyz": "nightly", "a/once-xyz": "once", "a/db-0": "db"])
    }

    func testConfigErrorsNameTheirPosition() throws {
        let text = """
            apiVersion: komply.dev/v1
            kind: Config
            observe:
              since: 7y
            """
        let file = ConfigFile(path: "komply.yaml", documents: try YAMLLoader.parse(text, file: "komply.yaml"))
        XCTAssertThrowsError(try ObserveConfig.read(file)) { error in
            XCTAssertTrue("\(error.localizedDescription)".contains("komply.yaml:4:10"), error.localizedDescription)
        }
        XCTAssertEqual(ObserveConfig.window("7d"), 604_800)
        XCTAssertNil(ObserveConfig.window("0d"))
        XCTAssertNil(ObserveConfig.window("401d"))
        XCTAssertNil(ObserveConfig.window("1e9d"))
        XCTAssertNil(ObserveConfig.cluster(flag: "prod=http://user:pw@host:9090"), "credentials belong in tokenEnv")
        XCTAssertNil(ObserveConfig.cluster(flag: "Prod=http://host:9090"))
        XCTAssertEqual(ObserveConfig.cluster(flag: "prod=https://host/prom")?.url.absoluteString, "https://host/prom")
    }

    static func merge(_ texts: String...) -> String {
        var families: [String: [String]] = [:]
        var order: [String] = []
        for text in texts {
            var current = ""
            for line in text.split(separator: "\n").map(String.init) where line != "# EOF" {
                if line.hasPrefix("# TYPE ") {
                    current = line
                    if families[line] == nil { order.append(line) }
                    families[line, default: []].append(contentsOf: [])
                } else {
                    families[current, default: []].append(line)
                }
            }
        }
        return order.map { ([$0] + families[$0]!).joined(separator: "\n") }.joined(separator: "\n") + "\n# EOF\n"
    }
}
