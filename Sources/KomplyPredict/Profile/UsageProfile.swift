import Foundation

/// What one container used over a window of history, aggregated the way the VPA recommender does
/// (decaying histograms of CPU and of per-interval memory peaks) plus exact weighted percentiles.
public struct UsageProfile: Sendable, Hashable, Codable {
    /// The app as a history key (`HistoryApp.key`); empty for legacy rows recorded without an app.
    public var app: String
    /// The service.
    public var service: String
    /// The container.
    public var container: String
    /// CPU usage, each sample weighted by max(CPU request, 0.1 core) and decayed.
    public var cpu: DecayingHistogram
    /// Memory peaks per aggregation interval (24 h), decayed, with OOM kills bumped up.
    public var memoryPeaks: DecayingHistogram
    /// CPU samples (value, decayed weight) for exact percentiles.
    public var cpuValues: [WeightedValue]
    /// Working-set memory samples (value, decayed weight) for exact percentiles.
    public var memoryValues: [WeightedValue]
    /// Time of the first and last usable sample.
    public var firstSample: Double?
    /// Time of the last usable sample.
    public var lastSample: Double?
    /// How many CPU samples were aggregated.
    public var cpuSampleCount: Int
    /// How many memory samples were aggregated.
    public var memorySampleCount: Int
    /// The highest memory sample (bytes), OOM bumps included.
    public var peakMemory: Double
    /// The highest CPU sample (cores).
    public var peakCPU: Double
    /// OOM kills seen.
    public var oomKills: Int
    /// The memory needed after the last OOM kill: max(used + 100 MiB, used × 1.2).
    public var oomBumpedMemory: Double?
    /// Throttling events seen.
    public var throttlingEvents: Int
    /// Restarts seen.
    public var restarts: Int
    /// Data-hygiene notes: dropped NaN, duplicate, future and out-of-window samples, gaps.
    public var notes: [String]

    /// The VPA's confidence: min(lifespan in days, samples / (60 × 24)).
    public var confidence: Double {
        guard let first = firstSample, let last = lastSample else { return 0 }
        let lifespanDays = (last - first) / 86_400
        let samplesAmount = Double(cpuSampleCount) / (60 * 24)
        return min(lifespanDays, samplesAmount)
    }

    /// True when no sample was aggregated.
    public var isEmpty: Bool { cpuSampleCount == 0 && memorySampleCount == 0 }

    /// Days between the first and the last sample.
    public var lifespanDays: Double {
        guard let first = firstSample, let last = lastSample else { return 0 }
        return (last - first) / 86_400
    }
}

/// A value and its (decayed) weight.
public struct WeightedValue: Sendable, Hashable, Codable {
    /// The value.
    public var value: Double
    /// Its weight.
    public var weight: Double

    /// Creates one.
    public init(_ value: Double, weight: Double) {
        self.value = value
        self.weight = weight
    }
}

/// Exact weighted percentiles.
public enum WeightedPercentile {
    /// The smallest value whose cumulative weight (values in ascending order) reaches `p × total`; 0 when empty.
    public static func of(_ values: [WeightedValue], _ p: Double) -> Double {
        let sorted = values.sorted { ($0.value, $0.weight) < ($1.value, $1.weight) }
        let total = sorted.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return 0 }
        let threshold = p * total
        var partial = 0.0
        for item in sorted {
            partial += item.weight
            if partial >= threshold * (1 - 1e-12) { return item.value }
        }
        return sorted.last!.value
    }
}

/// The VPA recommender's three estimates for one container.
public struct VPAEstimate: Sendable, Hashable {
    /// Target: P90 × 1.15 (CPU cores, memory bytes).
    public var targetCPU: Double
    /// Target memory.
    public var targetMemory: Double
    /// Lower bound: P50 × 1.15 × (1 + 0.001 / confidence)^−2.
    public var lowerCPU: Double
    /// Lower bound memory.
    public var lowerMemory: Double
    /// Upper bound: P95 × 1.15 × (1 + 1 / confidence).
    public var upperCPU: Double
    /// Upper bound memory.
    public var upperMemory: Double
}

/// Builds usage profiles from samples and events, stating what it dropped.
public struct ProfileBuilder: Sendable {
    /// Half-life of sample weights (VPA: 24 h).
    public var halfLife: Double = 24 * 3600
    /// Memory peaks are taken per interval of this length (VPA: 24 h).
    public var memoryAggregationInterval: Double = 24 * 3600
    /// Samples later than `now + futureTolerance` are dropped as clock skew.
    public var futureTolerance: Double = 300
    /// A silence longer than this between two samples of a resource is reported as a gap.
    public var gapThreshold: Double = 600
    /// VPA's minimum CPU sample weight.
    public static let minCPUWeight = 0.1
    /// VPA's OOM bump-up: at least 100 MiB more …
    public static let oomMinBumpUp = 100.0 * 1_048_576
    /// … and at least 20 % more.
    public static let oomBumpUpRatio = 1.2

    /// Creates a builder with the VPA defaults.
    public init() {}

    /// The profile of one container from its samples and events (any order, any source).
    ///
    /// `cpuRequest` weighs CPU samples as the VPA does; `memoryRequest` is the floor of the memory
    /// an OOM kill is assumed to have used; `now` bounds clock skew (nil: no bound).
    public func build(
        app: String = "", service: String, container: String, samples: [UsageSample], events: [UsageEvent],
        cpuRequest: Double? = nil, memoryRequest: Double? = nil, now: Double? = nil
    ) -> UsageProfile {
        var profile = UsageProfile(
            app: app, service: service, container: container, cpu: DecayingHistogram(options: .cpu, halfLife: halfLife),
            memoryPeaks: DecayingHistogram(options: .memory, halfLife: halfLife), cpuValues: [], memoryValues: [],
            firstSample: nil, lastSample: nil, cpuSampleCount: 0, memorySampleCount: 0, peakMemory: 0, peakCPU: 0,
            oomKills: 0, oomBumpedMemory: nil, throttlingEvents: 0, restarts: 0, notes: [])
        let clean = hygiene(samples, now: now, notes: &profile.notes)
        let lastTime = clean.last?.time ?? 0
        var peaks = PeakWindow(interval: memoryAggregationInterval)
        var timeline: [(time: Double, order: Int, sample: UsageSample?, event: UsageEvent?)] =
            clean.map { ($0.time, 1, $0, nil) }
        let usableEvents = events.filter { event in
            guard event.time.isFinite else { return false }
            if let now, event.time > now + futureTolerance { return false }
            return true
        }.sorted { ($0.time, $0.kind.rawValue) < ($1.time, $1.kind.rawValue) }
        timeline += usableEvents.map { ($0.time, 0, nil, $0) }
        timeline.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        let cpuWeight = max(cpuRequest ?? 0, Self.minCPUWeight)
        for entry in timeline {
            if let sample = entry.sample {
                profile.firstSample = profile.firstSample ?? sample.time
                profile.lastSample = sample.time
                let decay = exp2((sample.time - lastTime) / halfLife)
                switch sample.resource {
                case .cpu:
                    profile.cpu.add(sample.value, weight: cpuWeight, at: sample.time)
                    profile.cpuValues.append(WeightedValue(sample.value, weight: cpuWeight * decay))
                    profile.cpuSampleCount += 1
                    profile.peakCPU = max(profile.peakCPU, sample.value)
                case .memory:
                    peaks.add(sample.value, at: sample.time, into: &profile.memoryPeaks)
                    profile.memoryValues.append(WeightedValue(sample.value, weight: decay))
                    profile.memorySampleCount += 1
                    profile.peakMemory = max(profile.peakMemory, sample.value)
                }
            } else if let event = entry.event {
                switch event.kind {
                case .oomKilled:
                    profile.oomKills += 1
                    let used = max(memoryRequest ?? 0, peaks.usagePeak)
                    let needed = Self.oomBump(used)
                    profile.oomBumpedMemory = max(profile.oomBumpedMemory ?? 0, needed)
                    peaks.add(needed, at: event.time, oom: true, into: &profile.memoryPeaks)
                    profile.peakMemory = max(profile.peakMemory, needed)
                case .throttled: profile.throttlingEvents += 1
                case .restart: profile.restarts += Int(event.value ?? 1)
                }
            }
        }
        return profile
    }

    /// The memory an OOM-killed container needs: max(used + 100 MiB, used × 1.2).
    public static func oomBump(_ used: Double) -> Double {
        max(used + oomMinBumpUp, used * oomBumpUpRatio)
    }

    /// The VPA recommender's estimates for a profile (before its per-pod minimums).
    public static func vpaEstimate(_ profile: UsageProfile) -> VPAEstimate {
        let margin = 1.15
        let confidence = profile.confidence
        let upperFactor = confidence > 0 ? 1 + 1 / confidence : .infinity
        let lowerFactor = confidence > 0 ? pow(1 + 0.001 / confidence, -2) : 0
        return VPAEstimate(
            targetCPU: profile.cpu.percentile(0.9) * margin,
            targetMemory: profile.memoryPeaks.percentile(0.9) * margin,
            lowerCPU: profile.cpu.percentile(0.5) * margin * lowerFactor,
            lowerMemory: profile.memoryPeaks.percentile(0.5) * margin * lowerFactor,
            upperCPU: profile.cpu.percentile(0.95) * margin * upperFactor,
            upperMemory: profile.memoryPeaks.percentile(0.95) * margin * upperFactor)
    }
}

private extension ProfileBuilder {
    /// Drops unusable samples and says why: non-finite or negative values, samples from the future
    /// (clock skew beyond the tolerance), exact duplicates (one time, one pod); orders the rest by time; reports gaps.
    func hygiene(_ samples: [UsageSample], now: Double?, notes: inout [String]) -> [UsageSample] {
        var invalid = 0, future = 0, duplicates = 0
        var seen = Set<String>()
        var kept: [UsageSample] = []
        for sample in samples {
            guard sample.value.isFinite, sample.value >= 0, sample.time.isFinite else { invalid += 1; continue }
            if let now, sample.time > now + futureTolerance { future += 1; continue }
            // Replicas measured at the same instant are distinct observations: a source naming its pod
            // (`prometheus:<cluster>/<pod>`, from `komply observe`) keeps each; anything else at one time is one sample.
            let instance = sample.source.split(separator: "/", maxSplits: 1).dropFirst().first ?? ""
            let key = "\(sample.resource.rawValue)@\(sample.time)@\(instance)"
            guard seen.insert(key).inserted else { duplicates += 1; continue }
            kept.append(sample)
        }
        kept.sort { ($0.time, $0.resource.rawValue) < ($1.time, $1.resource.rawValue) }
        if invalid > 0 { notes.append("dropped \(invalid) sample(s) that were NaN, infinite or negative") }
        if future > 0 { notes.append("dropped \(future) sample(s) dated more than \(Int(futureTolerance)) s after now (clock skew)") }
        if duplicates > 0 { notes.append("dropped \(duplicates) duplicate sample(s) with the same time") }
        for resource in ResourceKind.allCases {
            let times = kept.filter { $0.resource == resource }.map(\.time)
            let gaps = zip(times, times.dropFirst()).filter { $1 - $0 > gapThreshold }
            if !gaps.isEmpty {
                let longest = gaps.map { $1 - $0 }.max()!
                notes.append(
                    "\(resource.rawValue) history has \(gaps.count) gap(s) longer than \(Int(gapThreshold)) s "
                        + "(longest \(Int(longest)) s); gaps are not filled in")
            }
        }
        return kept
    }
}

/// The VPA's per-interval memory peak: within an interval only a higher sample replaces the peak.
///
/// Usage and OOM peaks are kept apart, as the VPA does: an OOM kill bumps from the usage peak
/// only, so repeated kills do not compound (64Mi → 164Mi → 264Mi …).
private struct PeakWindow {
    var interval: Double
    var windowEnd: Double?
    var usagePeak: Double = 0
    var oomPeak: Double = 0

    /// The window's peak as the histogram holds it.
    var currentPeak: Double { max(usagePeak, oomPeak) }

    mutating func add(_ value: Double, at time: Double, oom: Bool = false, into histogram: inout DecayingHistogram) {
        guard let end = windowEnd else {
            windowEnd = time
            return add(value, at: time, oom: oom, into: &histogram)
        }
        if time < end {
            let old = currentPeak
            guard value > old else { return }
            if old > 0 { histogram.subtract(old, weight: 1, at: end) }
            histogram.add(value, weight: 1, at: end)
        } else {
            let shift = ((time - end) / interval).rounded(.down) * interval + interval
            windowEnd = end + shift
            usagePeak = 0
            oomPeak = 0
            histogram.add(value, weight: 1, at: windowEnd!)
        }
        if oom { oomPeak = max(oomPeak, value) } else { usagePeak = max(usagePeak, value) }
    }
}
