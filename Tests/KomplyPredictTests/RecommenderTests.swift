import KomplyCore
import XCTest

@testable import KomplyPredict

final class RecommenderTests: XCTestCase {
    let mi = 1_048_576.0

    var paymentAPI: WorkloadFeatures {
        WorkloadFeatures(
            app: "payment-api", service: "payment-api", image: "registry.example.com/pay/payment-api:3.2.0",
            command: ["sh", "-c", "exec java $JAVA_OPTS -jar /app/app.jar"],
            environment: ["JAVA_OPTS": "-Xms512m -Xmx768m -XX:+UseG1GC", "JAVA_HOME": "/opt/java/openjdk"], ports: [8080],
            declared: ResourceAmounts(cpuLimit: 1.5, memoryLimit: 512 * mi), restartCount: 2)
    }

    func testHeapAboveTheLimitWarnsAndRaisesTheLimitToAtLeast1Gi() throws {
        let recommendation = Recommender().recommend(paymentAPI)
        XCTAssertEqual(recommendation.warnings.first?.code, "heap-exceeds-limit")
        XCTAssertTrue(recommendation.warnings[0].message.contains("-Xmx 768Mi"))
        XCTAssertTrue(recommendation.warnings[0].message.contains("512Mi memory limit"))
        XCTAssertGreaterThanOrEqual(recommendation.memoryLimit, try Quantity(parsing: "1Gi"))
        XCTAssertEqual(recommendation.memoryRequest, try Quantity(parsing: "1Gi"))
        XCTAssertTrue(recommendation.reasons.contains { $0.contains("JVM heap -Xmx 768Mi") && $0.contains("the JVM needs 1Gi") })
        XCTAssertTrue(recommendation.warnings.contains { $0.code == "restarts" })
    }

    func testTraits() {
        let traits = WorkloadTraits.of(
            WorkloadFeatures(
                app: "a", service: "w", image: "python:3.12", command: ["gunicorn", "-w", "4", "app:app"],
                environment: ["NODE_OPTIONS": "--max-old-space-size=1536", "GOMAXPROCS": "4"]))
        XCTAssertEqual(traits.workers, 4)
        XCTAssertEqual(traits.nodeOldSpaceBytes, 1536 * mi)
        XCTAssertEqual(traits.goMaxProcs, 4)
        XCTAssertEqual(traits.family, "python")
        XCTAssertEqual(traits.version, "3.12")
        XCTAssertEqual(
            WorkloadTraits.of(WorkloadFeatures(app: "a", service: "db", image: "docker.io/library/postgres:16-alpine")).role, "database")
        XCTAssertEqual(
            WorkloadTraits.of(WorkloadFeatures(app: "a", service: "j", environment: ["JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75.0"]))
                .jvmMaxRAMPercentage, 75)
    }

    func testTiersAreOrderedAndCPULimitPolicyApplies() throws {
        var samples: [UsageSample] = []
        for i in 0..<600 {
            let t = 1_763_683_200 + Double(i) * 10
            samples.append(
                UsageSample(service: "cache", container: "cache", time: t, resource: .cpu, value: 0.1 + Double(i % 10) * 0.02, source: "t"))
            samples.append(
                UsageSample(service: "cache", container: "cache", time: t, resource: .memory, value: (60 + Double(i % 7)) * mi, source: "t")
            )
        }
        let profile = ProfileBuilder().build(app: "shop", service: "cache", container: "cache", samples: samples, events: [])
        let history = [ServiceHistory(profile: profile, latest: nil)]
        let features = WorkloadFeatures(app: "shop", service: "cache", image: "redis:7")
        let tiers = Tier.allCases.map { Recommender(policy: SizingPolicy(tier: $0), history: history).recommend(features) }
        XCTAssertLessThan(tiers[0].cpuRequest, tiers[1].cpuRequest)
        XCTAssertLessThan(tiers[1].cpuRequest, tiers[2].cpuRequest)
        XCTAssertLessThanOrEqual(tiers[0].memoryRequest, tiers[1].memoryRequest)
        XCTAssertLessThanOrEqual(tiers[1].memoryRequest, tiers[2].memoryRequest)
        // Balanced: CPU P95 (0.28) × 1.05 = 294m; memory P95 (66Mi) × 1.1 = 72.6 → 73Mi; limit peak 66Mi × 1.2 = 79.2 → 80Mi.
        XCTAssertEqual(tiers[1].cpuRequest.description, "294m")
        XCTAssertEqual(tiers[1].memoryRequest.description, "73Mi")
        XCTAssertEqual(tiers[1].memoryLimit.description, "80Mi")
        XCTAssertNil(tiers[1].cpuLimit)
        let limited = Recommender(policy: SizingPolicy(cpuLimit: try CPULimitPolicy(parsing: "2")), history: history).recommend(features)
        XCTAssertEqual(limited.cpuLimit?.description, "588m")
        for tier in tiers { XCTAssertGreaterThanOrEqual(tier.memoryLimit, tier.memoryRequest, "memory limit never below the request") }
    }

    func testNeighborsAreBlendedAndNamed() {
        var samples: [UsageSample] = []
        for i in 0..<200 {
            samples.append(
                UsageSample(service: "orders-db", container: "db", time: Double(i) * 30, resource: .cpu, value: 0.8, source: "t"))
            samples.append(
                UsageSample(service: "orders-db", container: "db", time: Double(i) * 30, resource: .memory, value: 900 * mi, source: "t"))
        }
        let profile = ProfileBuilder().build(app: "shop", service: "orders-db", container: "db", samples: samples, events: [])
        let record = DeploymentRecord(
            service: "orders-db", container: "db", image: "postgres:16", runtime: "postgres", role: "database",
            features: ["family": "postgres", "role": "database", "runtime": "postgres"], time: 0)
        let recommendation = Recommender(history: [ServiceHistory(profile: profile, latest: record)])
            .recommend(WorkloadFeatures(app: "shop", service: "db", image: "postgres:16"))
        let blended = recommendation.reasons.first { $0.hasPrefix("Blended with 1 similar service") }
        XCTAssertNotNil(blended, "\(recommendation.reasons)")
        // Same family (0.5), runtime (0.2) and role (0.2): similarity 0.9.
        XCTAssertTrue(blended!.contains("orders-db/db (similarity 0.90: 840m CPU"), blended!)
        // Prior 250m weighs 1; the neighbour's balanced 0.8 × 1.05 = 840m weighs 0.9: (250 + 0.9 × 840) / 1.9 = 529.5 → 530m.
        XCTAssertEqual(recommendation.cpuRequest.description, "530m")
    }

    func testOOMHistoryWarns() {
        let samples = (0..<200).map {
            UsageSample(service: "s", container: "s", time: Double($0), resource: .memory, value: 60 * mi, source: "t")
        }
        let oom = UsageEvent(service: "s", container: "s", time: 100, kind: .oomKilled, value: 64 * mi)
        let profile = ProfileBuilder().build(app: "a", service: "s", container: "s", samples: samples, events: [oom])
        let recommendation = Recommender(history: [ServiceHistory(profile: profile, latest: nil, oomLimits: [64 * mi])])
            .recommend(WorkloadFeatures(app: "a", service: "s", image: "redis:7", declared: ResourceAmounts(memoryLimit: 64 * mi)))
        XCTAssertTrue(recommendation.warnings.contains { $0.code == "limit-caused-oom-kills" && $0.message.contains("64Mi") })
        XCTAssertGreaterThanOrEqual(recommendation.memoryRequest.bytes, Int(160 * mi))  // 60 + 100
    }

    func testAShortHistoryNeverPutsTheLimitBelowItsPeak() {
        // A 20-minute job: 24 samples at 300Mi and 0.9 cores, weighted 0.2 against a 192Mi python prior.
        let samples = (0..<24).flatMap { i in
            [
                UsageSample(service: "job", container: "job", time: Double(i * 60), resource: .memory, value: 300 * mi, source: "t"),
                UsageSample(service: "job", container: "job", time: Double(i * 60), resource: .cpu, value: 0.9, source: "t"),
            ]
        }
        let profile = ProfileBuilder().build(app: "a", service: "job", container: "job", samples: samples, events: [])
        let recommendation = Recommender(history: [ServiceHistory(profile: profile, latest: nil, oomLimits: [])])
            .recommend(WorkloadFeatures(app: "a", service: "job", image: "python:3.12-slim", command: ["python", "job.py"]))
        XCTAssertLessThan(recommendation.memoryRequest.bytes, Int(300 * mi), "the request is still blended")
        XCTAssertGreaterThanOrEqual(recommendation.memoryLimit.bytes, Int(360 * mi), "peak 300Mi × 1.2")
        XCTAssertTrue(recommendation.reasons.contains { $0.contains("would be an OOM kill") })
    }

    func testReplicasMeasuredAtTheSameInstantAreEachKept() {
        let samples = ["web-1", "web-2"].enumerated().flatMap { index, pod in
            (0..<10).map { i in
                UsageSample(
                    service: "web", container: "web", time: Double(i * 60), resource: .memory, value: Double(100 + 100 * index) * mi,
                    source: "prometheus:prod/\(pod)")
            }
        }
        let profile = ProfileBuilder().build(app: "a", service: "web", container: "web", samples: samples + samples, events: [])
        XCTAssertEqual(profile.memorySampleCount, 20, "two pods × 10 minutes; the repeated import is dropped")
        XCTAssertEqual(profile.peakMemory, 200 * mi)
    }

    func testJSONShape() {
        let json = Recommender().recommend(paymentAPI).valueTree.compactJSON
        XCTAssertTrue(
            json.hasPrefix(
                #"{"app":"payment-api","service":"payment-api","container":"payment-api","tier":"balanced","cpu":{"request":"500m","limit":null},"memory":{"request":"1Gi","limit":"1280Mi"},"confidence":0.45,"reasons":["#
            ), json)
    }
}
