import XCTest

@testable import KomplyPredict

/// Gaps, counter resets, NaN, clock skew and empty history: each handled with a stated assumption.
final class HygieneTests: XCTestCase {
    let t0 = 1_763_683_200.0

    func sample(_ offset: Double, _ value: Double, _ resource: ResourceKind = .cpu) -> UsageSample {
        UsageSample(service: "s", container: "c", time: t0 + offset, resource: resource, value: value, source: "t")
    }

    func testNaNInfinityAndNegativeSamplesAreDroppedAndCounted() {
        let profile = ProfileBuilder().build(
            service: "s", container: "c",
            samples: [sample(0, .nan), sample(1, .infinity), sample(2, -1), sample(3, 0.5)], events: [])
        XCTAssertEqual(profile.cpuSampleCount, 1)
        XCTAssertTrue(profile.notes.contains("dropped 3 sample(s) that were NaN, infinite or negative"), "\(profile.notes)")
    }

    func testClockSkewFutureSamplesAreDroppedAndOutOfOrderSamplesSorted() {
        let samples = [sample(120, 0.3), sample(0, 0.1), sample(60, 0.2), sample(3600, 9)]
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: [], now: t0 + 200)
        XCTAssertEqual(profile.cpuSampleCount, 3)
        XCTAssertEqual(profile.firstSample, t0)
        XCTAssertEqual(profile.lastSample, t0 + 120)
        XCTAssertEqual(profile.peakCPU, 0.3)
        XCTAssertTrue(profile.notes.contains { $0.contains("clock skew") })
    }

    func testDuplicateTimestampsKeepTheFirstSample() {
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: [sample(0, 0.1), sample(0, 0.9)], events: [])
        XCTAssertEqual(profile.cpuSampleCount, 1)
        XCTAssertEqual(profile.peakCPU, 0.1)
    }

    func testGapsAreReportedNotFilled() {
        let profile = ProfileBuilder().build(
            service: "s", container: "c",
            samples: [sample(0, 0.1), sample(60, 0.1), sample(7260, 0.1)], events: [])
        XCTAssertEqual(profile.cpuSampleCount, 3)
        XCTAssertTrue(profile.notes.contains { $0.contains("1 gap(s) longer than 600 s (longest 7200 s)") }, "\(profile.notes)")
    }

    func testEmptyHistoryGivesAnEmptyProfileAndAColdStart() throws {
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: [], events: [])
        XCTAssertTrue(profile.isEmpty)
        XCTAssertEqual(profile.confidence, 0)
        XCTAssertEqual(profile.cpu.percentile(0.9), 0)
        let recommendation = Recommender(history: [ServiceHistory(profile: profile, latest: nil)])
            .recommend(WorkloadFeatures(app: "a", service: "s", container: "c", image: "redis:7"))
        XCTAssertTrue(recommendation.reasons.contains { $0.hasPrefix("No usage history for s/c of app \"a\": cold start") })
        XCTAssertThrowsError(try Backtest().run(HistoryBatch(), file: "empty.jsonl")) { error in
            XCTAssertEqual(
                (error as? PredictError)?.localizedDescription,
                "empty.jsonl: history has no usage samples spanning any time; import samples first (komply history import)")
        }
    }

    func testPrometheusCounterResetsGapsNaNAndDuplicates() throws {
        // cpu-seconds counter every 60 s: 0, 30, 60, (reset) 12, NaN, 42, 42 again, then a 1 h gap, 72.
        let json = """
            {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"container_cpu_usage_seconds_total",
            "pod":"api-7d4b9c8f6-x2x9z","container":"api"},"values":[[1000,"0"],[1060,"30"],[1120,"60"],[1180,"12"],[1240,"NaN"],
            [1300,"42"],[1300,"43"],[4900,"72"]]}]}}
            """
        let batch = try HistoryImporter().read(data: Data(json.utf8), file: "cpu.json")
        let rates = batch.samples.map(\.value)
        // 30/60, 30/60, reset → 12/60, 1180→1300 (NaN dropped) 30/120; the 3600 s step is a gap (> 5 × median 60 s).
        XCTAssertEqual(rates, [0.5, 0.5, 0.2, 0.25])
        XCTAssertEqual(batch.samples.first?.service, "api", "pod name without ReplicaSet and pod hashes")
        XCTAssertEqual(
            batch.notes,
            [
                "dropped 1 NaN or infinite value(s)", "dropped 1 point(s) repeating the previous timestamp",
                "1 counter reset(s): the increase over that step is the new counter value",
                "1 gap(s) longer than 5 × the median step: not filled, no rate across them",
            ])
    }
}
