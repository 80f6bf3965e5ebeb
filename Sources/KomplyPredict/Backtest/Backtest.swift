import Foundation
import KomplyCore

/// Replays a history: fits every strategy on the earlier window, evaluates on the later one.
///
/// Per strategy it reports coverage of the observed P95 usage by the request, slack (the mean over
/// services of request ÷ mean usage), OOM risk (share of services whose highest memory
/// sample exceeds the memory limit, or the request when there is no limit) and throttling risk
/// (share of services whose P99 CPU exceeds a CPU limit). Strategies: komply's tiers, the VPA
/// recommender's target, KRR's simple strategy and the values the manifests declared.
public struct Backtest: Sendable {
    /// Fraction of the history's time span used for fitting (the rest is evaluated).
    public var fitFraction: Double
    /// CPU-limit policy for komply's tiers.
    public var cpuLimit: CPULimitPolicy

    /// Creates a backtest.
    public init(fitFraction: Double = 2.0 / 3.0, cpuLimit: CPULimitPolicy = .none) {
        self.fitFraction = fitFraction
        self.cpuLimit = cpuLimit
    }

    /// Runs it over a history.
    /// Samples, events and deployments outside komply's physical bounds are left out first, each kind
    /// named in the report's notes (and the importers' own warnings with their file:line:column).
    public func run(_ history: HistoryBatch, file: String) throws(PredictError) -> BacktestReport {
        let history = history.bounded(now: nil)
        let samples = history.samples
        guard let first = samples.map(\.time).min(), let last = samples.map(\.time).max(), last > first else {
            throw .emptyHistory(file: file, detail: "no usage samples spanning any time; import samples first (komply history import)")
        }
        let split = first + (last - first) * fitFraction
        let keys = Set(samples.map { ContainerKey(app: $0.app, service: $0.service, container: $0.container) }).sorted()
        let builder = ProfileBuilder()
        var fitted: [ContainerKey: ServiceHistory] = [:]
        for key in keys {
            let own = samples.filter { key.holds($0.app, $0.service, $0.container) && $0.time < split }
            let events = history.events.filter { key.holds($0.app, $0.service, $0.container) && $0.time < split }
            let latest = history.deployments.filter { key.holds($0.app, $0.service, $0.container) && $0.time < split }
                .max { $0.time < $1.time }
            let profile = builder.build(
                app: key.app, service: key.service, container: key.container, samples: own, events: events,
                cpuRequest: latest?.resources.cpuRequest, memoryRequest: latest?.resources.memoryRequest, now: split)
            fitted[key] = ServiceHistory(
                profile: profile, latest: latest, oomLimits: events.filter { $0.kind == .oomKilled }.compactMap(\.value))
        }
        var services: [BacktestReport.ServiceResult] = []
        var notes: [String] = history.warnings
        for key in keys {
            let evaluation = samples.filter { key.holds($0.app, $0.service, $0.container) && $0.time >= split }
            let cpu = evaluation.filter { $0.resource == .cpu }.map(\.value).sorted()
            let memory = evaluation.filter { $0.resource == .memory }.map(\.value).sorted()
            guard let history = fitted[key], !history.profile.isEmpty, !cpu.isEmpty, !memory.isEmpty else {
                notes.append(
                    "\(key.app.isEmpty ? "" : key.app + "/")\(key.service)/\(key.container): skipped, it has no CPU and memory samples in both windows"
                )
                continue
            }
            let observed = BacktestReport.Observed(
                cpuP95: Self.percentile(cpu, 0.95), cpuP99: Self.percentile(cpu, 0.99), cpuMean: cpu.reduce(0, +) / Double(cpu.count),
                memoryP95: Self.percentile(memory, 0.95), memoryMax: memory.last!, memoryMean: memory.reduce(0, +) / Double(memory.count))
            var allocations: [String: ResourceAmounts] = [:]
            let others = fitted.filter { $0.key != key }.map(\.value)
            for tier in Tier.allCases {
                let recommender = Recommender(policy: SizingPolicy(tier: tier, cpuLimit: cpuLimit), history: [history] + others)
                let features = WorkloadFeatures(
                    app: key.app, service: key.service, container: key.container, image: history.latest?.image)
                allocations["komply \(tier.rawValue)"] = recommender.recommend(features).amounts
            }
            allocations["VPA formula"] = Self.vpa(history)
            allocations["KRR simple"] = Self.krr(history.profile)
            if let declared = history.latest?.resources, !declared.isEmpty {
                allocations["declared"] = ResourceAmounts(
                    cpuRequest: declared.cpuRequest ?? declared.cpuLimit, cpuLimit: declared.cpuLimit,
                    memoryRequest: declared.memoryRequest ?? declared.memoryLimit, memoryLimit: declared.memoryLimit)
            }
            services.append(
                BacktestReport.ServiceResult(
                    app: key.app, service: key.service, container: key.container, fitSamples: history.profile.cpuSampleCount,
                    evaluationSamples: cpu.count, observed: observed, allocations: allocations))
        }
        guard !services.isEmpty else {
            throw .emptyHistory(file: file, detail: "no service with samples in both the fit and the evaluation window")
        }
        return BacktestReport(
            fitStart: first, split: split, end: last, services: services, sources: Self.sourceRows(history), notes: notes)
    }

    /// The strategies in the order the table prints them.
    public static let strategies = ["komply cost", "komply balanced", "komply performance", "VPA formula", "KRR simple", "declared"]

    /// The VPA recommender's target with its per-pod minimums (25m, 250Mi); limits keep the
    /// declared limit/request ratio, else the memory limit is the request and CPU has none.
    static func vpa(_ history: ServiceHistory) -> ResourceAmounts {
        let estimate = ProfileBuilder.vpaEstimate(history.profile)
        let cpu = max(estimate.targetCPU, 0.025)
        let memory = max(estimate.targetMemory, 250 * 1_048_576)
        let declared = history.latest?.resources
        var cpuLimit: Double?
        if let request = declared?.cpuRequest, let limit = declared?.cpuLimit, request > 0 { cpuLimit = cpu * limit / request }
        var memoryLimit = memory
        if let request = declared?.memoryRequest, let limit = declared?.memoryLimit, request > 0 { memoryLimit = memory * limit / request }
        return ResourceAmounts(cpuRequest: cpu, cpuLimit: cpuLimit, memoryRequest: memory, memoryLimit: memoryLimit)
    }

    /// KRR's simple strategy: CPU request at P95, no CPU limit; memory request and limit at max × 1.15.
    static func krr(_ profile: UsageProfile) -> ResourceAmounts {
        let cpu = percentile(profile.cpuValues.map(\.value).sorted(), 0.95)
        let memory = (profile.memoryValues.map(\.value).max() ?? 0) * 1.15
        return ResourceAmounts(cpuRequest: cpu, cpuLimit: nil, memoryRequest: memory, memoryLimit: memory)
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// The result of a backtest: per-strategy figures and per-service detail.
public struct BacktestReport: Sendable {
    /// Start of the fit window.
    public var fitStart: Double
    /// End of the fit window and start of the evaluation window.
    public var split: Double
    /// End of the evaluation window.
    public var end: Double
    /// Per service.
    public var services: [ServiceResult]
    /// Per sizing source, what was deployed against what it then used (`Backtest+Sources.swift`).
    public var sources: [SourceRow] = []
    /// What was skipped.
    public var notes: [String]

    /// What one service used in the evaluation window.
    public struct Observed: Sendable, Hashable {
        public var cpuP95: Double, cpuP99: Double, cpuMean: Double
        public var memoryP95: Double, memoryMax: Double, memoryMean: Double
    }

    /// One service's allocations per strategy.
    public struct ServiceResult: Sendable, Hashable {
        /// The app (history key); empty for history recorded without one.
        public var app: String
        public var service: String
        public var container: String
        public var fitSamples: Int
        public var evaluationSamples: Int
        public var observed: Observed
        public var allocations: [String: ResourceAmounts]
    }

    /// One row of the table.
    public struct Row: Sendable, Hashable {
        /// Strategy name.
        public var strategy: String
        /// Services it could size.
        public var services: Int
        /// Share of services whose CPU request covers the observed CPU P95.
        public var cpuCoverage: Double
        /// Share of services whose memory request covers the observed memory P95.
        public var memoryCoverage: Double
        /// Both resources together.
        public var coverage: Double { (cpuCoverage + memoryCoverage) / 2 }
        /// Mean over services of CPU request ÷ mean CPU used.
        public var cpuSlack: Double
        /// Mean over services of memory request ÷ mean memory used.
        public var memorySlack: Double
        /// Both resources: mean of the two.
        public var slack: Double { (cpuSlack + memorySlack) / 2 }
        /// Share of services whose highest memory sample exceeds the limit (or the request without one).
        public var oomRisk: Double
        /// Share of services whose CPU P99 exceeds the CPU limit.
        public var throttlingRisk: Double
    }

    /// The rows, in table order.
    public var rows: [Row] {
        Backtest.strategies.compactMap { strategy -> Row? in
            let sized = services.compactMap { result in result.allocations[strategy].map { (result.observed, $0) } }
            guard !sized.isEmpty else { return nil }
            let n = Double(sized.count)
            let cpuCovered = sized.filter { ($0.1.cpuRequest ?? 0) >= $0.0.cpuP95 }.count
            let memoryCovered = sized.filter { ($0.1.memoryRequest ?? 0) >= $0.0.memoryP95 }.count
            // Mean over services of allocated ÷ used (mean usage, at least 1m CPU and 1Mi memory).
            let cpuSlack = sized.reduce(0) { $0 + ($1.1.cpuRequest ?? 0) / max($1.0.cpuMean, 0.001) } / n
            let memorySlack = sized.reduce(0) { $0 + ($1.1.memoryRequest ?? 0) / max($1.0.memoryMean, 1_048_576) } / n
            let oom = sized.filter { $0.0.memoryMax > ($0.1.memoryLimit ?? $0.1.memoryRequest ?? .infinity) }.count
            let throttled = sized.filter { item in item.1.cpuLimit.map { item.0.cpuP99 > $0 } ?? false }.count
            return Row(
                strategy: strategy, services: sized.count, cpuCoverage: Double(cpuCovered) / n, memoryCoverage: Double(memoryCovered) / n,
                cpuSlack: cpuSlack, memorySlack: memorySlack, oomRisk: Double(oom) / n, throttlingRisk: Double(throttled) / n)
        }
    }

    /// The table as text.
    public func text(details: Bool = false) -> String {
        var out =
            "Backtest: \(services.count) service(s); fit \(Timestamp.format(fitStart)) … \(Timestamp.format(split)), "
            + "evaluate … \(Timestamp.format(end))\n\n"
        let header = ["strategy", "services", "cpu cover", "mem cover", "coverage", "cpu slack", "mem slack", "oom risk", "throttle risk"]
        var table = [header]
        for row in rows {
            table.append([
                row.strategy, "\(row.services)", Self.pct(row.cpuCoverage), Self.pct(row.memoryCoverage), Self.pct(row.coverage),
                Self.ratio(row.cpuSlack), Self.ratio(row.memorySlack), Self.pct(row.oomRisk), Self.pct(row.throttlingRisk),
            ])
        }
        out += Self.render(table)
        out +=
            "\ncoverage: request ≥ observed P95 in the evaluation window; slack: mean over services of request ÷ mean usage; oom risk: highest memory "
            + "sample above the memory limit (the request when there is none); throttle risk: CPU P99 above the CPU limit.\n"
        out += sourcesText
        if details {
            out += "\n"
            var detail = [["service", "observed cpu p95", "mem p95", "mem max"] + Backtest.strategies.map { "\($0) cpu/mem" }]
            for result in services {
                var line = [
                    "\(result.app.isEmpty ? "" : result.app + "/")\(result.service)/\(result.container)",
                    Recommender.cores(result.observed.cpuP95),
                    Recommender.mem(result.observed.memoryP95), Recommender.mem(result.observed.memoryMax),
                ]
                for strategy in Backtest.strategies {
                    if let amounts = result.allocations[strategy] {
                        line.append("\(Recommender.cores(amounts.cpuRequest ?? 0))/\(Recommender.mem(amounts.memoryRequest ?? 0))")
                    } else {
                        line.append("-")
                    }
                }
                detail.append(line)
            }
            out += Self.render(detail)
        }
        for note in notes { out += "note: \(note)\n" }
        return out
    }

    /// The report as JSON.
    public var valueTree: ValueTree {
        .members([
            ("fit", .members([("start", .string(Timestamp.format(fitStart))), ("end", .string(Timestamp.format(split)))])),
            ("evaluate", .members([("start", .string(Timestamp.format(split))), ("end", .string(Timestamp.format(end)))])),
            (
                "strategies",
                .array(
                    rows.map { row in
                        .members([
                            ("strategy", .string(row.strategy)), ("services", .int(row.services)),
                            ("cpuCoverage", .double(Self.round(row.cpuCoverage))),
                            ("memoryCoverage", .double(Self.round(row.memoryCoverage))), ("coverage", .double(Self.round(row.coverage))),
                            ("cpuSlack", .double(Self.round(row.cpuSlack))), ("memorySlack", .double(Self.round(row.memorySlack))),
                            ("oomRisk", .double(Self.round(row.oomRisk))), ("throttlingRisk", .double(Self.round(row.throttlingRisk))),
                        ])
                    })
            ),
            ("sources", sourcesValueTree),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
    static func pct(_ value: Double) -> String { "\(Int((value * 100).rounded())) %" }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }

    static func render(_ table: [[String]]) -> String {
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max()! }
        return table.map { row in
            row.enumerated().map { index, cell in
                index == 0
                    ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
