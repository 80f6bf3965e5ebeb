import XCTest

@testable import KomplyPredict

/// The VPA math against values computed by hand (see docs/sizing.md for the formulas).
final class HistogramTests: XCTestCase {
    let day = 86_400.0
    let t0 = 1_763_683_200.0  // 2025-11-21T00:00:00Z, a multiple of 24 h

    func testBucketLayoutMatchesTheVPA() {
        // ⌈log(1000 × 0.05 / 0.01 + 1) / log 1.05⌉ + 1 = ⌈174.57⌉ + 1
        XCTAssertEqual(HistogramOptions.cpu.bucketCount, 176)
        XCTAssertEqual(HistogramOptions.memory.bucketCount, 176)
        // ⌊log(0.5 × 0.05 / 0.01 + 1) / log 1.05⌋ = ⌊log 3.5 / log 1.05⌋ = ⌊25.68⌋
        XCTAssertEqual(HistogramOptions.cpu.bucket(for: 0.5), 25)
        XCTAssertEqual(HistogramOptions.cpu.bucket(for: 0.001), 0)
        XCTAssertEqual(HistogramOptions.cpu.bucket(for: 1e9), 175)
        // start(26) = 0.01 × (1.05^26 − 1) / 0.05
        XCTAssertEqual(HistogramOptions.cpu.bucketStart(26), 0.2 * (pow(1.05, 26) - 1), accuracy: 1e-12)
        XCTAssertEqual(HistogramOptions.cpu.bucketStart(26), 0.511134537, accuracy: 1e-9)
        XCTAssertEqual(HistogramOptions.cpu.bucketStart(0), 0)
    }

    func testPercentileIsTheEndOfTheBucketReachingTheThreshold() {
        var histogram = DecayingHistogram(options: .cpu)
        XCTAssertEqual(histogram.percentile(0.9), 0, "an empty histogram answers 0")
        histogram.add(0.5, weight: 1, at: t0)
        XCTAssertEqual(histogram.percentile(0.5), 0.511134537, accuracy: 1e-9)
        XCTAssertEqual(histogram.percentile(1.0), 0.511134537, accuracy: 1e-9)
        // 9 samples at 1 core and 1 at 2 cores: P90 reaches the threshold 9 in the 1-core bucket (36, end 1.01628).
        var mixed = DecayingHistogram(options: .cpu)
        for _ in 0..<9 { mixed.add(1.0, weight: 1, at: t0) }
        mixed.add(2.0, weight: 1, at: t0)
        XCTAssertEqual(mixed.percentile(0.9), 1.016281389, accuracy: 1e-9)
        XCTAssertEqual(mixed.percentile(0.95), 2.093479957, accuracy: 1e-9)
    }

    func testDecayDoublesTheWeightOfASampleOneHalfLifeNewer() {
        var histogram = DecayingHistogram(options: .cpu)
        histogram.add(1.0, weight: 1, at: t0)
        histogram.add(2.0, weight: 1, at: t0 + day)
        // Weights 1 and 2^(24h / 24h) = 2: total 3.
        XCTAssertEqual(histogram.totalWeight, 3, accuracy: 1e-12)
        XCTAssertEqual(histogram.referenceTime, t0)
        // P30: threshold 0.9 ≤ 1 → the 1-core bucket; P50: threshold 1.5 > 1 → the 2-core bucket.
        XCTAssertEqual(histogram.percentile(0.3), 1.016281389, accuracy: 1e-9)
        XCTAssertEqual(histogram.percentile(0.5), 2.093479957, accuracy: 1e-9)
        // Half a half-life later: 2^0.5.
        histogram.add(1.0, weight: 1, at: t0 + day / 2)
        XCTAssertEqual(histogram.totalWeight, 3 + sqrt(2), accuracy: 1e-12)
    }

    func testReferenceShiftsBeforeTheExponentPasses100AndKeepsRatios() {
        var histogram = DecayingHistogram(options: .cpu)
        histogram.add(1.0, weight: 1, at: t0)
        histogram.add(2.0, weight: 1, at: t0 + 101 * day)
        // The old sample is worth 2^-101 of the new one: below epsilon after the shift, so dropped.
        XCTAssertEqual(histogram.referenceTime, t0 + 101 * day)
        XCTAssertEqual(histogram.totalWeight, 1, accuracy: 1e-12)
        XCTAssertEqual(histogram.percentile(0.01), 2.093479957, accuracy: 1e-9)
    }

    func testSubtractRemovesWhatAddAdded() {
        var histogram = DecayingHistogram(options: .memory)
        histogram.add(300 * 1_048_576, weight: 1, at: t0)
        histogram.subtract(300 * 1_048_576, weight: 1, at: t0)
        XCTAssertTrue(histogram.isEmpty)
    }

    func testMemoryPeaksArePerDayAndReplacedOnlyByHigherSamples() {
        let mi = 1_048_576.0
        let samples = [(0.0, 100.0), (3600, 300), (7200, 200), (day + 60, 150)].map {
            UsageSample(service: "s", container: "c", time: t0 + $0.0, resource: .memory, value: $0.1 * mi, source: "test")
        }
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: [])
        // Day 1 peak 300 MiB at its window end t0 + 1 d (the reference time, weight 1); day 2 peak 150 MiB at t0 + 2 d (weight 2).
        XCTAssertEqual(profile.memoryPeaks.referenceTime, t0 + day)
        XCTAssertEqual(profile.memoryPeaks.totalWeight, 1 + 2, accuracy: 1e-9)
        // P50: threshold 1.5; ascending: the 150 MiB bucket (weight 2) reaches it → end of bucket 11 = 159171265.2.
        XCTAssertEqual(profile.memoryPeaks.percentile(0.5), 159_171_265.204, accuracy: 0.01)
        // P90: threshold 2.7 → the 300 MiB bucket (19, end 330659541.03).
        XCTAssertEqual(profile.memoryPeaks.percentile(0.9), 330_659_541.029, accuracy: 0.01)
        XCTAssertEqual(profile.peakMemory, 300 * mi)
    }

    func testOOMBumpIsMaxOfPlus100MiBAndTimes1Point2() {
        let mi = 1_048_576.0
        XCTAssertEqual(ProfileBuilder.oomBump(200 * mi), 300 * mi)  // 200 + 100 > 240
        XCTAssertEqual(ProfileBuilder.oomBump(1000 * mi), 1200 * mi)  // 1000 × 1.2 > 1100
        XCTAssertEqual(ProfileBuilder.oomBump(500 * mi), 600 * mi)  // equal at 500
        let samples = [UsageSample(service: "s", container: "c", time: t0, resource: .memory, value: 200 * mi, source: "t")]
        let oom = UsageEvent(service: "s", container: "c", time: t0 + 60, kind: .oomKilled, value: 256 * mi)
        // The request (250 MiB) is above the window peak (200 MiB), so the OOM counts from the request: 350 MiB.
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: [oom], memoryRequest: 250 * mi)
        XCTAssertEqual(profile.oomKills, 1)
        XCTAssertEqual(profile.oomBumpedMemory, 350 * mi)
        XCTAssertEqual(profile.peakMemory, 350 * mi)
        let estimate = Recommender.fromHistory(profile, tier: .balanced)
        XCTAssertGreaterThanOrEqual(estimate.memoryRequest, 350 * mi, "after an OOM kill the request covers the bumped memory")
    }

    func testConfidenceAndBoundsFollowTheVPAFormulas() {
        // 2 days of one CPU sample per minute: lifespan 2 d, samples 2880 / 1440 = 2 → confidence 2.
        var samples: [UsageSample] = []
        for minute in 0...(2 * 1440) {
            samples.append(
                UsageSample(service: "s", container: "c", time: t0 + Double(minute) * 60, resource: .cpu, value: 0.5, source: "t"))
        }
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: [])
        XCTAssertEqual(profile.confidence, 2.0, accuracy: 1e-3)
        let estimate = ProfileBuilder.vpaEstimate(profile)
        let end = 0.511134537  // every percentile is the 0.5-core bucket's end
        XCTAssertEqual(estimate.targetCPU, end * 1.15, accuracy: 1e-6)
        XCTAssertEqual(estimate.upperCPU, end * 1.15 * (1 + 1 / profile.confidence), accuracy: 1e-6)  // × 1.5
        XCTAssertEqual(estimate.lowerCPU, end * 1.15 * pow(1 + 0.001 / profile.confidence, -2), accuracy: 1e-6)
        // Half a day: samples 720 / 1440 = 0.5 → confidence 0.5 and upper × 3.
        let short = ProfileBuilder().build(service: "s", container: "c", samples: Array(samples.prefix(721)), events: [])
        XCTAssertEqual(short.confidence, 0.5, accuracy: 1e-3)
        XCTAssertEqual(ProfileBuilder.vpaEstimate(short).upperCPU, end * 1.15 * 3, accuracy: 1e-5)
    }

    func testCPUSamplesAreWeightedByTheRequest() {
        let samples = [UsageSample(service: "s", container: "c", time: t0, resource: .cpu, value: 0.2, source: "t")]
        let light = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: [], cpuRequest: 0.05)
        XCTAssertEqual(light.cpu.totalWeight, 0.1, accuracy: 1e-12, "the VPA's minimum sample weight is 0.1")
        let heavy = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: [], cpuRequest: 2)
        XCTAssertEqual(heavy.cpu.totalWeight, 2, accuracy: 1e-12)
    }

    func testWeightedPercentile() {
        let values = [WeightedValue(1, weight: 1), WeightedValue(3, weight: 1), WeightedValue(2, weight: 2)]
        XCTAssertEqual(WeightedPercentile.of(values, 0.25), 1)
        XCTAssertEqual(WeightedPercentile.of(values, 0.5), 2)
        XCTAssertEqual(WeightedPercentile.of(values, 0.75), 2)
        XCTAssertEqual(WeightedPercentile.of(values, 0.76), 3)
        XCTAssertEqual(WeightedPercentile.of([], 0.9), 0)
    }
}

extension HistogramTests {
    func testRepeatedOOMKillsBumpFromTheUsagePeakAndDoNotCompound() {
        let mi = 1_048_576.0
        var samples: [UsageSample] = []
        var events: [UsageEvent] = []
        for i in 0..<5 {
            samples.append(
                UsageSample(service: "s", container: "c", time: t0 + Double(i) * 100, resource: .memory, value: 64 * mi, source: "t"))
            events.append(UsageEvent(service: "s", container: "c", time: t0 + Double(i) * 100 + 50, kind: .oomKilled, value: 64 * mi))
        }
        let profile = ProfileBuilder().build(service: "s", container: "c", samples: samples, events: events)
        XCTAssertEqual(profile.oomKills, 5)
        XCTAssertEqual(profile.oomBumpedMemory, 164 * mi, "64Mi + 100Mi each time, not 64 → 164 → 264 …")
        // One window: its peak is the OOM sample; P90 is the end of the 164 MiB bucket.
        let bucket = HistogramOptions.memory.bucket(for: 164 * mi)
        XCTAssertEqual(profile.memoryPeaks.percentile(0.9), HistogramOptions.memory.bucketStart(bucket + 1), accuracy: 1e-3)
    }
}
