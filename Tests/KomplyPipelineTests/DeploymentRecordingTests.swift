import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict
import XCTest

@testable import KomplyPipeline

/// `komply history record` keeps what was deployed: the declared resources, or komply's
/// recommendation when that is what went out.
final class DeploymentRecordingTests: XCTestCase {
    let feature = WorkloadFeatures(
        app: "shop", service: "api", container: "api", image: "eclipse-temurin:21-jre", command: ["java", "-Xmx512m", "-jar", "app.jar"],
        environment: [:], ports: [8080],
        declared: ResourceAmounts(cpuRequest: 0.25, cpuLimit: nil, memoryRequest: 268_435_456, memoryLimit: nil), replicas: 2)

    func testDeclaredResourcesAreRecordedWithTheContext() {
        let context = DeploymentRecording.Context(environment: "prod", cluster: "eu-1", commit: "abc123", outcome: "healthy", time: 1000)
        let records = DeploymentRecording.records(for: [feature], context: context, recommended: false, histories: [])
        XCTAssertEqual(records.count, 1)
        let record = records[0]
        XCTAssertEqual(record.resources, feature.declared)
        XCTAssertEqual([record.environment, record.cluster, record.commit, record.outcome], ["prod", "eu-1", "abc123", "healthy"])
        XCTAssertEqual(record.time, 1000)
        XCTAssertEqual(record.replicas, 2)
        XCTAssertEqual(record.runtime, "jvm", "the runtime is derived from the image and command")
    }

    func testRecordsAreKeyedByTheAppAsGeneratedOutputNamesIt() {
        var mine = feature
        mine.app = "My_Shop"
        let records = DeploymentRecording.records(for: [mine], context: .init(time: 0), recommended: false, histories: [])
        XCTAssertEqual(records.map(\.app), ["my-shop"])
        XCTAssertEqual(records[0].app, Naming.dnsLabel(mine.app))
    }

    /// History's app key is the name generated output gives the app, so a namespace read back maps to it.
    func testTheHistoryAppKeyIsTheGeneratedAppName() {
        for name in ["shop", "My_Shop", "a.b.c", "-x-", "ÄÖÜ shop", "__", String(repeating: "ab-", count: 40), "UPPER_case-1"] {
            XCTAssertEqual(HistoryApp.key(name), Naming.dnsLabel(name), name)
        }
        XCTAssertEqual(HistoryApp.key(""), "", "a legacy row stays legacy")
    }

    func testRecommendedResourcesComeFromTheRecommender() {
        let records = DeploymentRecording.records(for: [feature], context: .init(time: 0), recommended: true, histories: [])
        let expected = Recommender(history: []).recommend(feature).amounts
        XCTAssertEqual(records[0].resources, expected)
        XCTAssertNotEqual(records[0].resources, feature.declared, "a JVM with -Xmx512m is sized above its 256 MiB request")
    }
}

/// `komply history import|observe`: files read into one batch; a bad Prometheus flag is named.
final class HistoryIngestTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/history/measured").path

    func testFilesAreReadIntoOneBatch() async throws {
        let files = ["deployments.jsonl", "samples.csv"].map { Self.fixtures + "/" + $0 }
        let batch = try await HistoryIngest.batch(files: files, importer: HistoryImporter(), now: 2_000_000_000)
        XCTAssertFalse(batch.deployments.isEmpty)
        XCTAssertFalse(batch.samples.isEmpty)
    }

    func testNamespaceTemplatesOfKomplyYAMLMapNamespacesBackToApps() throws {
        let file = try ConfigFile.parse(
            """
            apiVersion: komply.dev/v1
            kind: Config
            environments:
              - name: staging
              - name: prod
                namespace: team-{app}
            """)
        let patterns = try HistoryIngest.namespacePatterns(config: file)
        XCTAssertEqual(patterns, [.init(prefix: "", suffix: "-staging"), .init(prefix: "team-", suffix: "")])
        var options = HistoryImporter.Options(format: .prometheus, metric: .memory)
        options.namespacePatterns = patterns
        let response = #"""
            {"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"namespace":"shop-staging","container":"db"},"values":[[60,"100"]]},
            {"metric":{"namespace":"team-shop","container":"db"},"values":[[60,"100"]]},
            {"metric":{"namespace":"blog","container":"db"},"values":[[60,"100"]]}]}}
            """#
        let batch = try HistoryImporter(options: options).read(data: Data(response.utf8), file: "m.json")
        XCTAssertEqual(batch.samples.map(\.app), ["shop", "shop", "blog"])
        XCTAssertEqual(try HistoryIngest.namespacePatterns(config: nil), [])
    }

    func testAPrometheusURLThatIsNotHTTPIsRefusedBeforeAnyQuery() async throws {
        let query = HistoryIngest.PrometheusQuery(url: "ftp://metrics", query: "up", start: "2026-11-01T00:00:00Z", end: nil, step: 60)
        do {
            _ = try await HistoryIngest.batch(files: [], importer: HistoryImporter(), prometheus: query, now: 2_000_000_000)
            XCTFail("an ftp URL was accepted")
        } catch let error as PipelineError {
            XCTAssertEqual(error.localizedDescription, "invalid --prometheus-url \"ftp://metrics\": expected http://host:port")
        }
        let badTime = HistoryIngest.PrometheusQuery(url: "http://127.0.0.1:1", query: "up", start: "yesterday", end: nil, step: 60)
        do {
            _ = try await HistoryIngest.batch(files: [], importer: HistoryImporter(), prometheus: badTime, now: 2_000_000_000)
            XCTFail("a start that is not a time was accepted")
        } catch let error as PipelineError {
            XCTAssertEqual(error.localizedDescription, "invalid --start or --end: expected RFC 3339 times")
        }
    }
}
