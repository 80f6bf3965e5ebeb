import KomplyCore
import XCTest

@testable import KomplyPredict

/// The few-shot examples of the LLM prompt: similar past deployments, allocated vs used, and a lesson.
final class SimilarDeploymentsTests: XCTestCase {
    let mi = 1_048_576.0

    func history(_ service: String, image: String, family: String, peak: Double, limit: Double, oom: Bool = false) -> ServiceHistory {
        var samples: [UsageSample] = []
        for i in 0..<50 {
            samples.append(
                UsageSample(service: service, container: service, time: Double(i) * 30, resource: .memory, value: peak, source: "t"))
            samples.append(UsageSample(service: service, container: service, time: Double(i) * 30, resource: .cpu, value: 0.2, source: "t"))
        }
        let events = oom ? [UsageEvent(service: service, container: service, time: 100, kind: .oomKilled, value: limit)] : []
        let profile = ProfileBuilder().build(app: "shop", service: service, container: service, samples: samples, events: events)
        let record = DeploymentRecord(
            app: "shop", service: service, container: service, image: image, runtime: family,
            role: family == "redis" ? "cache" : "database",
            features: ["family": family],
            resources: ResourceAmounts(cpuRequest: 0.25, memoryRequest: limit / 2, memoryLimit: limit), time: 0,
            outcome: oom ? "oom_killed" : "healthy")
        return ServiceHistory(profile: profile, latest: record, oomLimits: oom ? [limit] : [])
    }

    func testTheMostSimilarComeFirstWithTheirLesson() {
        let recommender = Recommender(history: [
            history("orders-db", image: "postgres:16", family: "postgres", peak: 900 * mi, limit: 1024 * mi),
            history("users-db", image: "postgres:15", family: "postgres", peak: 300 * mi, limit: 1024 * mi, oom: true),
            history("cache", image: "redis:7", family: "redis", peak: 50 * mi, limit: 256 * mi),
            history("db", image: "postgres:16", family: "postgres", peak: 500 * mi, limit: 1024 * mi),
        ])
        let examples = recommender.similarDeployments(to: WorkloadFeatures(app: "shop", service: "db", image: "postgres:16"))
        // The service's own history is not an example of itself; redis is not similar enough.
        XCTAssertEqual(examples.map(\.service), ["orders-db", "users-db"])
        XCTAssertEqual(examples[0].lesson, "memory peaked at 87% of its limit: sized about right.")
        XCTAssertTrue(examples[1].lesson.hasPrefix("OOM-killed 1 time(s) at a 1Gi limit"), examples[1].lesson)
        XCTAssertEqual(
            examples[0].summary,
            "shop/orders-db/orders-db (similarity 0.90): requested 250m CPU, 512Mi memory, limits none CPU, 1Gi memory; "
                + "used at peak 200m CPU, 900Mi memory; 0 OOM kill(s), 0 throttling event(s); outcome healthy. "
                + "Lesson: memory peaked at 87% of its limit: sized about right.")
        XCTAssertEqual(
            recommender.similarDeployments(to: WorkloadFeatures(app: "shop", service: "db", image: "postgres:16"), limit: 1).count, 1)
    }
}
