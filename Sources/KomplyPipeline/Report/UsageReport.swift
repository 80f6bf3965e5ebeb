import Foundation
import KomplyCore
import KomplyPredict

/// What `komply report` shows: per workload of each app, what compose declared, what komply recommends and
/// what was observed (per cluster and the local Docker host), with events, totals and a monthly cost estimate.
/// A pure function of the apps, the history and the prices, so the same inputs give the same bytes.
public struct UsageReport: Sendable {
    /// List prices used for the cost estimate.
    public struct Prices: Sendable, Hashable {
        /// Per vCPU-hour.
        public var vcpuHour: Double
        /// Per GiB-hour of memory.
        public var gibHour: Double
        /// The currency label shown with amounts.
        public var currency: String

        /// Kubecost's default on-demand list prices (USD 0.031611 per vCPU-hour, 0.004237 per GiB-hour).
        public static let standard = Prices(vcpuHour: 0.031611, gibHour: 0.004237, currency: "USD")

        /// Creates prices.
        public init(vcpuHour: Double, gibHour: Double, currency: String) {
            self.vcpuHour = vcpuHour
            self.gibHour = gibHour
            self.currency = currency
        }

        /// A month of `cpu` cores and `memory` bytes (730 hours, the average month).
        public func monthly(cpu: Double, memory: Double) -> Double {
            730 * (cpu * vcpuHour + memory / 1_073_741_824 * gibHour)
        }
    }

    /// P50, P95 and the maximum of a set of observations.
    public struct Stats: Sendable, Hashable {
        /// The median.
        public var p50: Double
        /// The 95th percentile (nearest rank).
        public var p95: Double
        /// The largest.
        public var max: Double
        /// How many samples.
        public var count: Int

        /// The statistics of `values` (nil when empty).
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            func rank(_ p: Double) -> Double { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
            p50 = rank(0.5)
            p95 = rank(0.95)
            max = sorted.last!
            count = sorted.count
        }
    }

    /// One point of a chart: the largest value seen in a time bucket.
    public struct Point: Sendable, Hashable {
        /// Unix seconds (the bucket's start).
        public var time: Double
        /// Cores or bytes.
        public var value: Double
    }

    /// One container of one service of one app.
    public struct Workload: Sendable {
        /// The app key.
        public var app: String
        /// The service.
        public var service: String
        /// The container.
        public var container: String
        /// Replicas compose asks for (1 when it says nothing).
        public var replicas: Int
        /// What compose declared (deploy.resources), often nothing.
        public var declared: ResourceAmounts
        /// What komply recommends (and `generate` writes).
        public var recommended: Recommendation
        /// Where it was observed: cluster names, `docker`, or `import`.
        public var observedIn: [String]
        /// Observed CPU in cores.
        public var cpu: Stats?
        /// Observed working-set memory in bytes.
        public var memory: Stats?
        /// CPU over time (per-bucket maximum across replicas and clusters).
        public var cpuChart: [Point]
        /// Memory over time.
        public var memoryChart: [Point]
        /// Restarts, OOM kills and throttling episodes recorded.
        public var restarts: Int
        /// OOM kills recorded.
        public var oomKills: Int
        /// CPU throttling episodes recorded.
        public var throttling: Int
        /// Lint findings of the generated workload, count by rule id (what Argo CD would sync after regeneration).
        public var findings: [String: Int] = [:]
        /// Observed CPU (cores) and memory (bytes) values per origin (a cluster name, `docker`, `import`), for
        /// matching observations to environments.
        var valuesByOrigin: [String: (cpu: [Double], memory: [Double])] = [:]

        /// The requests that run today: the declared ones, else komply's (what generate writes when compose says nothing).
        public var currentCPU: Double { declared.cpuRequest ?? Double(recommended.cpuRequest.milliValue) / 1000 }
        /// The memory request that runs today.
        public var currentMemory: Double { declared.memoryRequest ?? Double(recommended.memoryRequest.bytes) }
    }

    /// Observed CPU and memory statistics of one origin.
    public struct Observed: Sendable, Hashable {
        /// CPU in cores.
        public var cpu: Stats?
        /// Working-set memory in bytes.
        public var memory: Stats?
    }

    /// A total over a group (an app or a cluster).
    public struct Total: Sendable, Hashable {
        /// The app or cluster.
        public var name: String
        /// Workloads counted.
        public var workloads: Int
        /// CPU requested today × replicas, cores.
        public var cpu: Double
        /// Memory requested today × replicas, bytes.
        public var memory: Double
        /// Monthly cost of today's requests.
        public var cost: Double
        /// Monthly cost of komply's recommendations.
        public var recommendedCost: Double
    }

    /// Every workload, sorted by app, service and container.
    public var workloads: [Workload]
    /// The prices.
    public var prices: Prices
    /// The time the report describes (`--now`), Unix seconds.
    public var now: Double
    /// Per app, the generated files the output folder lacks or holds differently (`generate --check`'s drift);
    /// nil when the apps were not generated.
    public var drift: [String: [String]]?
    /// Why parts are missing (an app that could not be generated).
    public var notes: [String] = []
    /// Each environment of each app as its overlay renders it (empty when komply.yaml lists no environments).
    public var environments: [Environment] = []
    /// Observations of apps with environments that correspond to no environment, or to several.
    public var unmatched: [Unmatched] = []

    /// Totals per app.
    public var byApp: [Total] { totals { [$0.app] } }
    /// Totals per cluster (and `docker`, `import`) a workload was observed in; unobserved workloads are `(not observed)`.
    public var byCluster: [Total] { totals { $0.observedIn.isEmpty ? ["(not observed)"] : $0.observedIn } }
    /// All workloads.
    public var overall: Total {
        totals { _ in ["all"] }.first ?? Total(name: "all", workloads: 0, cpu: 0, memory: 0, cost: 0, recommendedCost: 0)
    }

    /// Creates a report.
    public init(workloads: [Workload], prices: Prices, now: Double) {
        self.workloads = workloads.sorted { ($0.app, $0.service, $0.container) < ($1.app, $1.service, $1.container) }
        self.prices = prices
        self.now = now
    }

    /// Builds the report of `features` (the apps), sized by `recommender`, from the history's samples and events.
    public static func build(
        features: [WorkloadFeatures], recommender: Recommender, samples: [UsageSample], events: [UsageEvent], prices: Prices,
        now: Double, buckets: Int = 96
    ) -> UsageReport {
        struct Key: Hashable { var app, service, container: String }
        let samplesByKey = Dictionary(grouping: samples) { Key(app: $0.app, service: $0.service, container: $0.container) }
        let eventsByKey = Dictionary(grouping: events) { Key(app: $0.app, service: $0.service, container: $0.container) }
        let workloads = features.map { feature -> Workload in
            let key = Key(app: HistoryApp.key(feature.app), service: feature.service, container: feature.container)
            let own = samplesByKey[key] ?? []
            let cpu = own.filter { $0.resource == .cpu }
            let memory = own.filter { $0.resource == .memory }
            let events = eventsByKey[key] ?? []
            var byOrigin: [String: (cpu: [Double], memory: [Double])] = [:]
            for (name, samples) in Dictionary(grouping: own, by: { origin($0.source) }) {
                byOrigin[name] = (
                    samples.filter { $0.resource == .cpu }.map(\.value), samples.filter { $0.resource == .memory }.map(\.value)
                )
            }
            var workload = Workload(
                app: key.app, service: feature.service, container: feature.container, replicas: max(1, feature.replicas ?? 1),
                declared: feature.declared, recommended: recommender.recommend(feature),
                observedIn: Array(Set(own.map { origin($0.source) })).sorted(), cpu: Stats(cpu.map(\.value)),
                memory: Stats(memory.map(\.value)), cpuChart: chart(cpu, buckets: buckets), memoryChart: chart(memory, buckets: buckets),
                restarts: events.filter { $0.kind == .restart }.reduce(0) { $0 + Int($1.value ?? 1) },
                oomKills: events.filter { $0.kind == .oomKilled }.count, throttling: events.filter { $0.kind == .throttled }.count)
            workload.valuesByOrigin = byOrigin
            return workload
        }
        return UsageReport(workloads: workloads, prices: prices, now: now)
    }

    /// Where a sample came from, for grouping: the cluster of `prometheus:<cluster>/<pod>`, `docker` for docker
    /// stats and inspect, `import` for everything else.
    public static func origin(_ source: String) -> String {
        if source.hasPrefix("prometheus:") {
            let rest = source.dropFirst("prometheus:".count)
            return String(rest.split(separator: "/", maxSplits: 1).first ?? rest)
        }
        return source.hasPrefix("docker") ? "docker" : "import"
    }
}

private extension UsageReport {
    /// At most `buckets` points: the window split evenly, each bucket's largest value (a peak is never averaged away).
    static func chart(_ samples: [UsageSample], buckets: Int) -> [Point] {
        guard let first = samples.map(\.time).min(), let last = samples.map(\.time).max() else { return [] }
        let width = max(1, (last - first) / Double(buckets))
        var peaks: [Int: Double] = [:]
        for sample in samples {
            let bucket = min(buckets - 1, Int((sample.time - first) / width))
            peaks[bucket] = max(peaks[bucket] ?? 0, sample.value)
        }
        return peaks.keys.sorted().map { Point(time: first + Double($0) * width, value: peaks[$0]!) }
    }

    func totals(_ groups: (Workload) -> [String]) -> [Total] {
        var result: [String: Total] = [:]
        for workload in workloads {
            let replicas = Double(workload.replicas)
            let recommendedCPU = Double(workload.recommended.cpuRequest.milliValue) / 1000
            let recommendedMemory = Double(workload.recommended.memoryRequest.bytes)
            for name in groups(workload) {
                var total = result[name] ?? Total(name: name, workloads: 0, cpu: 0, memory: 0, cost: 0, recommendedCost: 0)
                total.workloads += 1
                total.cpu += workload.currentCPU * replicas
                total.memory += workload.currentMemory * replicas
                total.cost += prices.monthly(cpu: workload.currentCPU, memory: workload.currentMemory) * replicas
                total.recommendedCost += prices.monthly(cpu: recommendedCPU, memory: recommendedMemory) * replicas
                result[name] = total
            }
        }
        return result.keys.sorted().map { result[$0]! }
    }
}
