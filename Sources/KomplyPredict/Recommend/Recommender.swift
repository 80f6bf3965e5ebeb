import Foundation
import KomplyCore

/// The rules a recommendation follows: tier, CPU-limit policy, minimums, neighbours.
public struct SizingPolicy: Sendable, Hashable {
    /// The tier.
    public var tier: Tier
    /// CPU limits: none, or a ratio to the request.
    public var cpuLimit: CPULimitPolicy
    /// The smallest CPU request (cores).
    public var minCPU: Double
    /// The smallest memory request (bytes).
    public var minMemory: Double
    /// How many similar services from history to blend into a cold start.
    public var neighbors: Int

    /// Creates a policy: balanced, no CPU limits, 10m and 32Mi minimums, 3 neighbours.
    public init(
        tier: Tier = .balanced, cpuLimit: CPULimitPolicy = .none, minCPU: Double = 0.01,
        minMemory: Double = 32 * 1_048_576, neighbors: Int = 3
    ) {
        self.tier = tier
        self.cpuLimit = cpuLimit
        self.minCPU = minCPU
        self.minMemory = minMemory
        self.neighbors = neighbors
    }
}

/// One service's history as the recommender sees it: its profile and its latest deployment.
public struct ServiceHistory: Sendable, Hashable {
    /// The usage profile.
    public var profile: UsageProfile
    /// The latest deployment record, if any (features, declared resources).
    public var latest: DeploymentRecord?
    /// OOM kills per memory limit in bytes (from events).
    public var oomLimits: [Double]

    /// Creates one.
    public init(profile: UsageProfile, latest: DeploymentRecord?, oomLimits: [Double] = []) {
        self.profile = profile
        self.latest = latest
        self.oomLimits = oomLimits
    }
}

/// Turns features plus history into requests, limits, confidence, reasons and warnings.
public struct Recommender: Sendable {
    /// The sizing rules.
    public var policy: SizingPolicy
    /// Every service's history (may be empty: then every recommendation is a cold start).
    public var history: [ServiceHistory]

    /// Creates a recommender.
    public init(policy: SizingPolicy = SizingPolicy(), history: [ServiceHistory] = []) {
        self.policy = policy
        self.history = history
    }

    /// The recommendation for one container.
    public func recommend(_ features: WorkloadFeatures) -> Recommendation {
        let traits = WorkloadTraits.of(features)
        var reasons: [String] = []
        var prior = coldStart(features, traits, reasons: &reasons)
        // Own history is this app's rows only: another app's `db`, or a row recorded without an app, never sizes this `db`.
        let app = HistoryApp.key(features.app)
        let own = history.first {
            $0.profile.app == app && $0.profile.service == features.service && $0.profile.container == features.container
        }
        blendNeighbors(features, traits, excluding: own, into: &prior, reasons: &reasons)
        var estimate = Self.shape(prior: prior, tier: policy.tier)
        if let own, !own.profile.isEmpty {
            let fromHistory = Self.fromHistory(own.profile, tier: policy.tier)
            estimate = blend(estimate, with: fromHistory, profile: own.profile, reasons: &reasons)
        } else {
            reasons.append(
                "No usage history for \(features.service)/\(features.container) of \(HistoryApp.describe(app)): cold start, "
                    + "\(policy.tier.rawValue) tier "
                    + "(\(Self.coldStartShape(policy.tier).describe)).")
        }
        let limitFactor = own.map { $0.profile.isEmpty } ?? true ? Self.coldStartShape(policy.tier).memoryLimit : 1
        applyFloors(&estimate, prior: prior, limitFactor: limitFactor, reasons: &reasons)
        var warnings = Self.warnings(features, traits, estimate: estimate, own: own)
        if let legacy = unattributed(features, app: app, own: own) { warnings.append(legacy) }
        return finish(features, estimate, reasons: reasons, warnings: warnings)
    }

    /// Tier estimates from a usage profile alone (what `komply backtest` evaluates).
    public static func fromHistory(_ profile: UsageProfile, tier: Tier) -> Estimate {
        let shape = historyShape(tier)
        let cpuP = WeightedPercentile.of(profile.cpuValues, shape.cpuPercentile)
        let memP = WeightedPercentile.of(profile.memoryValues, shape.memoryPercentile)
        let peak = max(profile.peakMemory, profile.oomBumpedMemory ?? 0)
        var estimate = Estimate(
            cpuRequest: cpuP * shape.cpuMargin, memoryRequest: memP * shape.memoryMargin,
            memoryLimit: peak * shape.memoryLimitMargin, confidence: historyConfidence(profile))
        if profile.oomBumpedMemory != nil {
            // After an OOM kill the request must cover what the container tried to use.
            estimate.memoryRequest = max(estimate.memoryRequest, profile.oomBumpedMemory!)
        }
        estimate.memoryLimit = max(estimate.memoryLimit, estimate.memoryRequest)
        estimate.cpuPeak = profile.peakCPU
        return estimate
    }

    /// The confidence of a history estimate: min(1, samples / 120) × (0.6 + 0.4 × min(1, days / 7)).
    public static func historyConfidence(_ profile: UsageProfile) -> Double {
        let samples = Double(min(profile.cpuSampleCount, profile.memorySampleCount))
        return min(1, samples / 120) * (0.6 + 0.4 * min(1, profile.lifespanDays / 7))
    }

    /// An intermediate estimate in cores and bytes.
    public struct Estimate: Sendable, Hashable {
        /// CPU request.
        public var cpuRequest: Double
        /// Memory request.
        public var memoryRequest: Double
        /// Memory limit.
        public var memoryLimit: Double
        /// 0…1.
        public var confidence: Double
        /// The highest CPU seen, when known.
        public var cpuPeak: Double?
        /// A memory amount the runtime needs whatever the history says (heap + overhead).
        public var memoryFloor: Double?
        /// Why the floor exists.
        public var memoryFloorReason: String?
    }
}

extension Recommender {
    /// Percentiles and margins used on a service's own history, per tier.
    struct HistoryShape {
        var cpuPercentile: Double
        var cpuMargin: Double
        var memoryPercentile: Double
        var memoryMargin: Double
        var memoryLimitMargin: Double

        var describe: String {
            "CPU P\(Int(cpuPercentile * 100)) × \(JSONEmitter.number(cpuMargin)), memory P\(Int(memoryPercentile * 100)) × "
                + "\(JSONEmitter.number(memoryMargin)), memory limit peak × \(JSONEmitter.number(memoryLimitMargin))"
        }
    }

    /// Factors applied to a cold-start prior, per tier.
    struct ColdShape {
        var cpu: Double
        var memory: Double
        var memoryLimit: Double

        var describe: String {
            "CPU × \(JSONEmitter.number(cpu)), memory × \(JSONEmitter.number(memory)), memory limit = request × \(JSONEmitter.number(memoryLimit))"
        }
    }

    static func historyShape(_ tier: Tier) -> HistoryShape {
        switch tier {
        case .cost: HistoryShape(cpuPercentile: 0.8, cpuMargin: 1.0, memoryPercentile: 0.9, memoryMargin: 1.05, memoryLimitMargin: 1.1)
        case .balanced:
            HistoryShape(cpuPercentile: 0.95, cpuMargin: 1.05, memoryPercentile: 0.95, memoryMargin: 1.1, memoryLimitMargin: 1.2)
        case .performance:
            HistoryShape(cpuPercentile: 0.99, cpuMargin: 1.15, memoryPercentile: 1.0, memoryMargin: 1.15, memoryLimitMargin: 1.3)
        }
    }

    static func coldStartShape(_ tier: Tier) -> ColdShape {
        switch tier {
        case .cost: ColdShape(cpu: 0.6, memory: 0.9, memoryLimit: 1.5)
        case .balanced: ColdShape(cpu: 1.0, memory: 1.0, memoryLimit: 1.25)
        case .performance: ColdShape(cpu: 1.5, memory: 1.25, memoryLimit: 1.0)
        }
    }
}

private extension Recommender {
    static let mi = 1_048_576.0

    /// The prior from features alone: family/runtime defaults, declared reservations, runtime flags, docker stats.
    func coldStart(_ features: WorkloadFeatures, _ traits: WorkloadTraits, reasons: inout [String]) -> Estimate {
        let entry = traits.family.flatMap { Priors.families[$0] } ?? traits.runtime.flatMap { Priors.runtimes[$0] } ?? Priors.unknown
        let label =
            traits.family.flatMap { Priors.families[$0] != nil ? "image family \($0)" : nil }
            ?? traits.runtime.map { "\($0) runtime" } ?? "an unrecognised image"
        var cpu = entry.cpu, memory = entry.memory
        var confidence = 0.2
        reasons.append("Starting point for \(label) (role \(traits.role)): \(Self.cores(cpu)) CPU, \(Self.mem(memory)) memory.")
        if let gpus = traits.gpus, cpu < Priors.gpu.cpu || memory < Priors.gpu.memory {
            cpu = max(cpu, Priors.gpu.cpu)
            memory = max(memory, Priors.gpu.memory)
            reasons.append(
                "\(gpus) GPU\(gpus == 1 ? "" : "s") reserved: CUDA runtimes hold host memory of their own; starting point raised to at "
                    + "least \(Self.cores(Priors.gpu.cpu)) CPU and \(Self.mem(Priors.gpu.memory)).")
        }
        if let workers = traits.workers, workers > 1 {
            cpu += Double(workers - 1) * Priors.perWorker.cpu
            memory += Double(workers - 1) * Priors.perWorker.memory
            reasons.append(
                "\(workers) worker processes (\(traits.workersSource ?? "command")): +\(Self.cores(Priors.perWorker.cpu)) CPU "
                    + "and +\(Self.mem(Priors.perWorker.memory)) per extra worker.")
        }
        if let reserved = features.declared.cpuRequest {
            cpu = reserved
            reasons.append("Declared CPU reservation \(Self.cores(reserved)) taken as the CPU starting point.")
        }
        if let reserved = features.declared.memoryRequest {
            memory = reserved
            reasons.append("Declared memory reservation \(Self.mem(reserved)) taken as the memory starting point.")
        }
        if let goMaxProcs = traits.goMaxProcs {
            cpu = max(cpu, Double(goMaxProcs) * 0.25)
            reasons.append(
                "GOMAXPROCS=\(goMaxProcs): the Go scheduler runs up to \(goMaxProcs) threads at once; CPU starting point at least "
                    + "a quarter of that, \(Self.cores(Double(goMaxProcs) * 0.25)).")
            confidence += 0.1
        }
        if let goMemLimit = traits.goMemLimitBytes {
            memory = max(memory, goMemLimit * 1.1)
            reasons.append(
                "GOMEMLIMIT \(Self.mem(goMemLimit)): the Go heap grows towards it; memory starting point at least 110 % of it, "
                    + "\(Self.mem(goMemLimit * 1.1)).")
            confidence += 0.1
        }
        if let observed = features.observed {
            cpu = observed.cpuCores * Priors.observedHeadroom.cpu
            memory = observed.memoryBytes * Priors.observedHeadroom.memory
            confidence += min(0.3, 0.15 + 0.01 * Double(observed.samples))
            reasons.append(
                "docker stats (\(observed.source), \(observed.samples) sample\(observed.samples == 1 ? "" : "s")): "
                    + "\(Self.cores(observed.cpuCores)) CPU and \(Self.mem(observed.memoryBytes)) memory in use; "
                    + "with headroom × \(JSONEmitter.number(Priors.observedHeadroom.cpu)) CPU and × \(JSONEmitter.number(Priors.observedHeadroom.memory)) "
                    + "memory: \(Self.cores(cpu)) and \(Self.mem(memory)).")
        }
        var estimate = Estimate(cpuRequest: cpu, memoryRequest: memory, memoryLimit: memory, confidence: confidence)
        if let heap = traits.jvmHeapBytes {
            let floor = heap + Priors.jvmOverhead(heap: heap)
            estimate.memoryFloor = floor
            estimate.memoryFloorReason =
                "JVM heap -Xmx \(Self.mem(heap)) (\(traits.jvmHeapSource ?? "command")) plus non-heap "
                + "overhead max(256Mi, 25 % of heap) = \(Self.mem(Priors.jvmOverhead(heap: heap))): the JVM needs \(Self.mem(floor))."
            estimate.confidence += 0.25
        } else if let oldSpace = traits.nodeOldSpaceBytes {
            let floor = oldSpace + Priors.nodeOverhead(oldSpace: oldSpace)
            estimate.memoryFloor = floor
            estimate.memoryFloorReason =
                "Node --max-old-space-size \(Self.mem(oldSpace)) (\(traits.nodeOldSpaceSource ?? "command")) plus "
                + "max(128Mi, 25 %) for new space, code and buffers: Node needs \(Self.mem(floor))."
            estimate.confidence += 0.25
        } else if let percentage = traits.jvmMaxRAMPercentage {
            reasons.append("JVM heap follows the memory limit (MaxRAMPercentage=\(JSONEmitter.number(percentage))).")
        }
        return estimate
    }

    /// Blends the prior with the k most similar services that have history, naming them.
    func blendNeighbors(
        _ features: WorkloadFeatures, _ traits: WorkloadTraits, excluding own: ServiceHistory?,
        into prior: inout Estimate, reasons: inout [String]
    ) {
        guard policy.neighbors > 0 else { return }
        let candidates = history.filter { $0 != own && !$0.profile.isEmpty }.compactMap { item -> (ServiceHistory, Double)? in
            let similarity = Self.similarity(traits, features, item.latest)
            return similarity >= 0.35 ? (item, similarity) : nil
        }.sorted {
            ($0.1, $1.0.profile.service, $1.0.profile.app, $1.0.profile.container)
                > ($1.1, $0.0.profile.service, $0.0.profile.app, $0.0.profile.container)
        }.prefix(policy.neighbors)
        guard !candidates.isEmpty else { return }
        var cpu = prior.cpuRequest, memory = prior.memoryRequest, weight = 1.0
        var named: [String] = []
        let app = HistoryApp.key(features.app)
        var foreign = false
        for (item, similarity) in candidates {
            let whose = item.profile.app == app ? "" : " of \(HistoryApp.describe(item.profile.app))"
            foreign = foreign || item.profile.app != app
            let estimate = Self.fromHistory(item.profile, tier: .balanced)
            cpu += similarity * estimate.cpuRequest
            memory += similarity * estimate.memoryRequest
            weight += similarity
            named.append(
                "\(item.profile.service)/\(item.profile.container)\(whose) (similarity \(String(format: "%.2f", similarity)): "
                    + "\(Self.cores(estimate.cpuRequest)) CPU, \(Self.mem(estimate.memoryRequest)) memory)")
        }
        prior.cpuRequest = cpu / weight
        prior.memoryRequest = memory / weight
        prior.memoryLimit = max(prior.memoryLimit, prior.memoryRequest)
        prior.confidence += 0.15 * candidates.map(\.1).max()!
        reasons.append(
            "Blended with \(candidates.count) similar service\(candidates.count == 1 ? "" : "s") from history, weighted by "
                + "similarity against the starting point's weight of 1: " + named.joined(separator: ", ") + "."
                + (foreign ? " Other apps' history is a prior here, never this service's own history." : ""))
    }

    /// A warning when the only history of this service was recorded without an app: it may be another app's,
    /// so it is not this app's own history; the message says how to attribute it.
    func unattributed(_ features: WorkloadFeatures, app: String, own: ServiceHistory?) -> SizingWarning? {
        guard !app.isEmpty, own.map({ $0.profile.isEmpty }) ?? true,
            let legacy = history.first(where: {
                $0.profile.app.isEmpty && $0.profile.service == features.service && $0.profile.container == features.container
            }), !legacy.profile.isEmpty
        else { return nil }
        return SizingWarning(
            code: "history-without-app",
            message: "History holds \(legacy.profile.cpuSampleCount + legacy.profile.memorySampleCount) usage sample(s) of "
                + "\(features.service)/\(features.container) recorded without an app (before komply keyed history by app); they may be "
                + "another app's, so they do not size \(features.app)/\(features.service). Re-import this app's usage with "
                + "`komply history import --app \(app)` (an `app` column or field works too).")
    }

    // Internal, not private: the prompt's examples (Recommender+Examples) rank history the same way.
    internal static func similarity(_ traits: WorkloadTraits, _ features: WorkloadFeatures, _ record: DeploymentRecord?) -> Double {
        guard let record else { return 0 }
        var score = 0.0
        if let family = traits.family, family == record.features["family"] { score += 0.5 }
        if let runtime = traits.runtime, runtime == (record.runtime ?? record.features["runtime"]) { score += 0.2 }
        if traits.role == (record.role ?? record.features["role"]) { score += 0.2 }
        if let heap = traits.jvmHeapBytes, let other = record.features["heap_bytes"].flatMap(Double.init), other > 0 {
            score += 0.1 * min(heap, other) / max(heap, other)
        } else if traits.version != nil, traits.version == record.features["version"] {
            score += 0.1
        }
        return min(1, score)
    }

    static func shape(prior: Estimate, tier: Tier) -> Estimate {
        let shape = coldStartShape(tier)
        var estimate = prior
        estimate.cpuRequest = prior.cpuRequest * shape.cpu
        estimate.memoryRequest = prior.memoryRequest * shape.memory
        estimate.memoryLimit = estimate.memoryRequest * shape.memoryLimit
        return estimate
    }

    /// Blends the cold-start estimate with the service's own history, by evidence: min(1, samples / 120).
    func blend(_ prior: Estimate, with fromHistory: Estimate, profile: UsageProfile, reasons: inout [String]) -> Estimate {
        let cpuWeight = min(1, Double(profile.cpuSampleCount) / 120)
        let memoryWeight = min(1, Double(profile.memorySampleCount) / 120)
        var estimate = prior
        estimate.cpuRequest = cpuWeight * fromHistory.cpuRequest + (1 - cpuWeight) * prior.cpuRequest
        estimate.memoryRequest = memoryWeight * fromHistory.memoryRequest + (1 - memoryWeight) * prior.memoryRequest
        estimate.memoryLimit = memoryWeight * fromHistory.memoryLimit + (1 - memoryWeight) * prior.memoryLimit
        estimate.confidence = max(prior.confidence, fromHistory.confidence)
        estimate.cpuPeak = fromHistory.cpuPeak
        let span = profile.lifespanDays * 24
        reasons.append(
            (profile.app.isEmpty ? "Own history: " : "Own history of app \"\(profile.app)\": ")
                + "\(profile.cpuSampleCount) CPU and \(profile.memorySampleCount) memory samples over "
                + "\(String(format: span < 1 ? "%.2f" : "%.1f", span)) h (24 h half-life), peak \(Self.cores(profile.peakCPU)) CPU and "
                + "\(Self.mem(profile.peakMemory)) memory; \(policy.tier.rawValue) tier uses \(Self.historyShape(policy.tier).describe)"
                + (cpuWeight < 1 || memoryWeight < 1
                    ? "; weighted \(String(format: "%.2f", min(cpuWeight, memoryWeight))) against the starting point" : "")
                + ".")
        // The weight tempers what the scheduler reserves, never the limit: a limit below a peak the container already
        // reached is an OOM kill waiting to happen, however short the history.
        if estimate.memoryLimit < fromHistory.memoryLimit {
            estimate.memoryLimit = fromHistory.memoryLimit
            reasons.append(
                "The memory limit stays at the observed peak × \(JSONEmitter.number(Self.historyShape(policy.tier).memoryLimitMargin)) = "
                    + "\(Self.mem(fromHistory.memoryLimit)) whatever the weight: a limit below a peak already reached would be an OOM kill."
            )
        }
        if profile.oomKills > 0, let bumped = profile.oomBumpedMemory {
            reasons.append(
                "\(profile.oomKills) OOM kill\(profile.oomKills == 1 ? "" : "s") in history: memory bumped to "
                    + "max(used + 100Mi, used × 1.2) = \(Self.mem(bumped)).")
        }
        for note in profile.notes { reasons.append("History: \(note).") }
        return estimate
    }

    /// Runtime floors (heap + overhead) and minimums; a cold start keeps its tier's limit/request ratio above the floor.
    func applyFloors(_ estimate: inout Estimate, prior: Estimate, limitFactor: Double, reasons: inout [String]) {
        if let floor = prior.memoryFloor, let why = prior.memoryFloorReason {
            if estimate.memoryRequest < floor || estimate.memoryLimit < floor {
                reasons.append(
                    why + " The memory request is at least that"
                        + (limitFactor == 1 ? " and so is the limit." : ", the limit at least \(JSONEmitter.number(limitFactor)) × that."))
            } else {
                reasons.append(why)
            }
            estimate.memoryRequest = max(estimate.memoryRequest, floor)
            estimate.memoryLimit = max(estimate.memoryLimit, floor * limitFactor)
        }
        if estimate.cpuRequest < policy.minCPU || estimate.memoryRequest < policy.minMemory {
            reasons.append("Minimums: \(Self.cores(policy.minCPU)) CPU, \(Self.mem(policy.minMemory)) memory.")
        }
        estimate.cpuRequest = max(estimate.cpuRequest, policy.minCPU)
        estimate.memoryRequest = max(estimate.memoryRequest, policy.minMemory)
        estimate.memoryLimit = max(estimate.memoryLimit, estimate.memoryRequest)
        estimate.confidence = min(0.95, estimate.confidence)
    }

    func finish(_ features: WorkloadFeatures, _ estimate: Estimate, reasons: [String], warnings: [SizingWarning]) -> Recommendation {
        var reasons = reasons
        // Every input is bounded when read, but margins and tiers multiply; the result is clamped to the same
        // physical bounds (NaN to zero) so the conversion to whole millicores and MiB cannot trap.
        let cpuMilli = Int(Self.clamped(estimate.cpuRequest * 1000 - 1e-9, NumberBound.cpuCores.highest * 1000).rounded(.up))
        let maxMi = NumberBound.memoryBytes.highest / Self.mi
        let memoryRequestMi = Int(Self.clamped(estimate.memoryRequest / Self.mi - 1e-9, maxMi).rounded(.up))
        let memoryLimitMi = max(memoryRequestMi, Int(Self.clamped(estimate.memoryLimit / Self.mi - 1e-9, maxMi).rounded(.up)))
        var cpuLimit: Quantity?
        switch policy.cpuLimit {
        case .none:
            reasons.append("No CPU limit (policy none): the request guarantees \(Quantity(milliCPU: cpuMilli)); idle CPU may be used.")
        case .ratio(let ratio):
            cpuLimit = Quantity(
                milliCPU: Int(Self.clamped(Double(cpuMilli) * ratio - 1e-9, NumberBound.cpuCores.highest * 1000).rounded(.up)))
            reasons.append("CPU limit = request × \(JSONEmitter.number(ratio)) (policy).")
        }
        return Recommendation(
            app: features.app, service: features.service, container: features.container, tier: policy.tier,
            cpuRequest: Quantity(milliCPU: cpuMilli), cpuLimit: cpuLimit, memoryRequest: Quantity(bytes: memoryRequestMi << 20),
            memoryLimit: Quantity(bytes: memoryLimitMi << 20), confidence: (estimate.confidence * 100).rounded() / 100,
            reasons: reasons, warnings: warnings)
    }

    /// `value` within `0...highest`; NaN becomes 0.
    static func clamped(_ value: Double, _ highest: Double) -> Double {
        value.isNaN ? 0 : min(max(value, 0), highest)
    }

    static func warnings(_ features: WorkloadFeatures, _ traits: WorkloadTraits, estimate: Estimate, own: ServiceHistory?)
        -> [SizingWarning]
    {
        var warnings: [SizingWarning] = []
        let name = "container \"\(features.container)\" of \(features.app)/\(features.service)"
        let Name = "C" + name.dropFirst()
        for hint in traits.ignoredHints {
            warnings.append(
                SizingWarning(
                    code: "runtime-hint-out-of-range",
                    message: "\(Name) sets \(hint); komply sized it without that flag."))
        }
        let limit = features.declared.memoryLimit
        if let heap = traits.jvmHeapBytes, let limit, heap + Priors.jvmOverhead(heap: heap) > limit {
            let verb = heap >= limit ? "exceeds" : "leaves too little room under"
            warnings.append(
                SizingWarning(
                    code: "heap-exceeds-limit",
                    message: "The JVM heap of \(name) (-Xmx \(mem(heap)) in "
                        + "\(traits.jvmHeapSource ?? "command")) \(verb) the \(mem(limit)) memory limit; with non-heap overhead it needs "
                        + "\(mem(heap + Priors.jvmOverhead(heap: heap))), so it will be OOM-killed under load. Raise the limit or lower -Xmx."
                ))
        }
        if let oldSpace = traits.nodeOldSpaceBytes, let limit, oldSpace + Priors.nodeOverhead(oldSpace: oldSpace) > limit {
            warnings.append(
                SizingWarning(
                    code: "heap-exceeds-limit",
                    message: "The Node old space of \(name) (--max-old-space-size "
                        + "\(mem(oldSpace))) plus overhead exceeds the \(mem(limit)) memory limit."))
        }
        if let goMemLimit = traits.goMemLimitBytes, let limit, goMemLimit > limit {
            warnings.append(
                SizingWarning(
                    code: "heap-exceeds-limit",
                    message: "GOMEMLIMIT of \(name) (\(mem(goMemLimit))) exceeds the "
                        + "\(mem(limit)) memory limit; the Go runtime will not collect garbage in time to stay under it."))
        }
        if let percentage = traits.jvmMaxRAMPercentage, percentage > 80 {
            warnings.append(
                SizingWarning(
                    code: "heap-percentage-high",
                    message: "\(Name) sets MaxRAMPercentage=\(JSONEmitter.number(percentage)): "
                        + "less than 20 % of the limit is left for metaspace, threads and buffers."))
        }
        if let procs = traits.goMaxProcs, let cpuLimit = features.declared.cpuLimit, Double(procs) > cpuLimit {
            warnings.append(
                SizingWarning(
                    code: "gomaxprocs-exceeds-cpu-limit",
                    message: "\(Name) sets GOMAXPROCS=\(procs) above its "
                        + "CPU limit of \(cores(cpuLimit)); the Go runtime will be throttled."))
        }
        var peakMemory = features.observed?.memoryBytes
        var peakCPU = features.observed?.cpuCores
        if let own, !own.profile.isEmpty {
            peakMemory = max(peakMemory ?? 0, own.profile.peakMemory)
            peakCPU = max(peakCPU ?? 0, WeightedPercentile.of(own.profile.cpuValues, 0.95))
        }
        if let request = features.declared.memoryRequest, let peak = peakMemory, request < 0.5 * peak {
            warnings.append(
                SizingWarning(
                    code: "request-below-observed-peak",
                    message: "The memory reservation of \(name) "
                        + "(\(mem(request))) is less than half the observed peak of \(mem(peak))."))
        }
        if let request = features.declared.cpuRequest, let peak = peakCPU, request < 0.5 * peak {
            warnings.append(
                SizingWarning(
                    code: "request-below-observed-peak",
                    message: "The CPU reservation of \(name) "
                        + "(\(cores(request))) is less than half the observed P95 of \(cores(peak))."))
        }
        if let limit, let peak = peakMemory, limit < peak {
            warnings.append(
                SizingWarning(
                    code: "limit-below-observed-peak",
                    message: "The memory limit of \(name) (\(mem(limit))) is "
                        + "below the observed peak of \(mem(peak))."))
        }
        if let own, own.profile.oomKills > 0 {
            let limits = Set(own.oomLimits).sorted().map { mem($0) }
            warnings.append(
                SizingWarning(
                    code: "limit-caused-oom-kills",
                    message: "History records \(own.profile.oomKills) OOM kill"
                        + "\(own.profile.oomKills == 1 ? "" : "s") of \(name)"
                        + (limits.isEmpty ? "" : " at a memory limit of \(limits.joined(separator: ", "))")
                        + "; the recommendation bumps memory to \(mem(own.profile.oomBumpedMemory ?? 0)) or more."))
        }
        if let own, own.profile.throttlingEvents > 0 {
            warnings.append(
                SizingWarning(
                    code: "limit-caused-throttling",
                    message: "History records \(own.profile.throttlingEvents) "
                        + "CPU throttling period\(own.profile.throttlingEvents == 1 ? "" : "s") of \(name); its CPU limit was too low."))
        }
        if features.oomKilled {
            warnings.append(SizingWarning(code: "oom-killed", message: "The last run of \(name) was OOM-killed."))
        }
        if features.restartCount > 0 {
            warnings.append(
                SizingWarning(
                    code: "restarts",
                    message: "\(Name) restarted \(features.restartCount) time"
                        + "\(features.restartCount == 1 ? "" : "s"); check its logs and memory before trusting its current sizing."))
        }
        return warnings
    }
}

extension Recommender {
    /// CPU cores as a Kubernetes quantity, rounded up to 1m.
    static func cores(_ value: Double) -> String { Quantity(milliCPU: Int((value * 1000 - 1e-9).rounded(.up))).description }

    /// Bytes as a Kubernetes quantity, rounded up to 1Mi.
    static func mem(_ bytes: Double) -> String {
        let mi = bytes / Self.mi
        if mi >= 1, abs(mi - mi.rounded()) < 1e-6 { return Quantity(bytes: Int(mi.rounded()) << 20).description }
        return Quantity(bytes: Int((mi - 1e-9).rounded(.up)) << 20).description
    }
}
