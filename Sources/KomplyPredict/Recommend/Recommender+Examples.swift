import Foundation
import KomplyCore

/// One past deployment like a service komply is sizing: what it was given, what it used, how it went,
/// and the lesson komply draws from those numbers (the LLM prompt's few-shot examples).
public struct SimilarDeployment: Sendable, Hashable {
    /// The app (history key), service and container.
    public var app: String, service: String, container: String
    /// 0…1, as the recommender's neighbour blending scores it (image family, runtime, role, heap).
    public var similarity: Double
    /// What the latest deployment declared.
    public var allocated: ResourceAmounts
    /// Peak CPU in cores and peak memory in bytes observed.
    public var peakCPU: Double, peakMemory: Double
    /// OOM kills and CPU throttling events recorded.
    public var oomKills: Int, throttlingEvents: Int
    /// The recorded outcome (`healthy`, `oom_killed`…), when there is one.
    public var outcome: String?
    /// What the numbers say, in one sentence.
    public var lesson: String

    /// One line: `shop/orders-db/db (similarity 0.90): allocated … ; used peak …; 0 OOM kills; outcome healthy. Lesson: …`.
    public var summary: String {
        func amount(_ cpu: Double?, _ memory: Double?) -> String {
            "\(cpu.map(Recommender.cores) ?? "none") CPU, \(memory.map(Recommender.mem) ?? "none") memory"
        }
        return "\(app.isEmpty ? "(no app)" : app)/\(service)/\(container) (similarity \(String(format: "%.2f", similarity))): "
            + "requested \(amount(allocated.cpuRequest, allocated.memoryRequest)), limits \(amount(allocated.cpuLimit, allocated.memoryLimit)); "
            + "used at peak \(Recommender.cores(peakCPU)) CPU, \(Recommender.mem(peakMemory)) memory; "
            + "\(oomKills) OOM kill(s), \(throttlingEvents) throttling event(s)\(outcome.map { "; outcome \($0)" } ?? ""). Lesson: \(lesson)"
    }
}

extension Recommender {
    /// The `limit` services in history most similar to `features` (never the service itself), best first,
    /// ties broken by name so the list is deterministic.
    public func similarDeployments(to features: WorkloadFeatures, limit: Int = 5) -> [SimilarDeployment] {
        let traits = WorkloadTraits.of(features)
        let app = HistoryApp.key(features.app)
        return history.filter {
            !$0.profile.isEmpty
                && !($0.profile.app == app && $0.profile.service == features.service && $0.profile.container == features.container)
        }.compactMap { item -> (ServiceHistory, Double)? in
            let similarity = Self.similarity(traits, features, item.latest)
            return similarity >= 0.35 ? (item, similarity) : nil
        }.sorted {
            ($0.1, $1.0.profile.app, $1.0.profile.service, $1.0.profile.container)
                > ($1.1, $0.0.profile.app, $0.0.profile.service, $0.0.profile.container)
        }.prefix(limit).map { item, similarity in
            let profile = item.profile
            let allocated = item.latest?.resources ?? ResourceAmounts()
            return SimilarDeployment(
                app: profile.app, service: profile.service, container: profile.container, similarity: similarity, allocated: allocated,
                peakCPU: profile.peakCPU, peakMemory: profile.peakMemory, oomKills: profile.oomKills,
                throttlingEvents: profile.throttlingEvents, outcome: item.latest?.outcome,
                lesson: Self.lesson(profile, allocated: allocated, oomLimits: item.oomLimits))
        }
    }

    /// The lesson of one history: OOM kills first, then throttling, then how much of the limit was used.
    static func lesson(_ profile: UsageProfile, allocated: ResourceAmounts, oomLimits: [Double]) -> String {
        if profile.oomKills > 0 {
            let at = oomLimits.max().map { " at a \(mem($0)) limit" } ?? ""
            return
                "OOM-killed \(profile.oomKills) time(s)\(at); the memory limit must stay above the \(mem(profile.peakMemory)) peak with headroom."
        }
        if profile.throttlingEvents > 0 {
            return
                "CPU was throttled \(profile.throttlingEvents) time(s)\(allocated.cpuLimit.map { " under a \(cores($0)) limit" } ?? ""); give CPU-bound work more CPU."
        }
        guard let limit = allocated.memoryLimit, limit > 0 else { return "no limit was recorded, so only the usage is evidence." }
        let share = profile.peakMemory / limit
        if share > 0.9 { return "memory peaked at \(Int(share * 100))% of its limit: too tight, keep more headroom." }
        if share < 0.4 { return "memory peaked at \(Int(share * 100))% of its limit: over-provisioned, a lower limit is safe." }
        return "memory peaked at \(Int(share * 100))% of its limit: sized about right."
    }
}
