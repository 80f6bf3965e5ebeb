import Foundation
import KomplyCore
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
