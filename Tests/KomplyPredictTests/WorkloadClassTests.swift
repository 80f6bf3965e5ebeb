import Foundation
import KomplyCore
import XCTest

@testable import KomplyPredict

/// Sizing starts from the generator's classification, and without one never matches image names by substring.
final class WorkloadClassTests: XCTestCase {
    func testImageNamesAreMatchedByPathComponentAndProgram() {
        func runtime(_ image: String, _ command: [String] = []) -> String? {
            WorkloadTraits.of(WorkloadFeatures(app: "a", service: "s", image: image, command: command)).runtime
        }
        XCTAssertNil(runtime("prom/node-exporter:v1.8.2"), "node-exporter is a Go binary, not Node.js")
        XCTAssertNil(runtime("quay.io/prometheus/node-exporter"))
        XCTAssertNil(runtime("example/jdk-tools-report:1"))
        XCTAssertNil(runtime("example/pythonic:1"))
        XCTAssertEqual(runtime("node:20-alpine"), "node")
        XCTAssertEqual(runtime("eclipse-temurin:21"), "jvm")
        XCTAssertEqual(runtime("example/app:1", ["sh", "-c", "exec python3 app.py"]), "python")
        XCTAssertEqual(runtime("mcr.microsoft.com/dotnet/aspnet:8.0"), "dotnet")
        func role(_ image: String, _ command: [String] = [], ports: [Int] = [8080]) -> String {
            WorkloadTraits.of(WorkloadFeatures(app: "a", service: "s", image: image, command: command, ports: ports)).role
        }
        XCTAssertEqual(role("example/jobsearch-api:1"), "api", "jobsearch is not a job")
        XCTAssertEqual(role("example/queue-worker:1"), "worker")
        XCTAssertEqual(role("example/app:1", ["php", "artisan", "queue:work"]), "worker")
        XCTAssertEqual(role("example/app:1", ["python", "manage.py", "migrate"]), "batch")
    }

    func testTheClassificationWinsOverGuessesAndGPUsRaiseThePrior() {
        let classified = WorkloadClass(role: "web", runtime: "node", family: "node", reason: "test")
        let features = WorkloadFeatures(app: "a", service: "frontend", image: nil, classified: classified)
        let traits = WorkloadTraits.of(features)
        XCTAssertEqual(traits.role, "web", "no ports would have made it a worker")
        XCTAssertEqual(traits.runtime, "node")
        let nginx = WorkloadTraits.of(
            WorkloadFeatures(
                app: "a", service: "proxy", classified: WorkloadClass(role: "proxy", runtime: nil, family: "nginx", reason: "test")))
        XCTAssertEqual(nginx.family, "nginx")
        XCTAssertEqual(nginx.runtime, "nginx", "a known family brings its prior's runtime")
        let recommender = Recommender(policy: SizingPolicy(tier: .balanced, cpuLimit: .none), history: [])
        let gpu = recommender.recommend(
            WorkloadFeatures(
                app: "a", service: "inference", image: "ghcr.io/example/inference:2",
                classified: WorkloadClass(role: "api", runtime: "python", family: "python", gpus: 1, reason: "test")))
        XCTAssertGreaterThanOrEqual(gpu.memoryRequest.bytes, 2 << 30, "CUDA runtimes are not 192Mi processes")
        XCTAssertGreaterThanOrEqual(gpu.cpuRequest.milliValue, 1000)
        XCTAssertTrue(gpu.reasons.contains { $0.contains("1 GPU reserved") }, "\(gpu.reasons)")
    }
}
