import Foundation
import KomplyCore

/// Per sizing source (`deterministic`, `llm`, `manual`): how the resources that were actually deployed
/// held up against the usage observed while they ran, so a team can see whether the LLM helps.
///
/// Each recorded deployment with resources is evaluated on its container's samples from its time until the
/// container's next deployment (or the end of the history); a deployment without both CPU and memory samples
/// in that window is left out. Samples carry no environment, so deployments of one container at the same
/// time in several environments are each evaluated on the same samples.
extension BacktestReport {
    /// One source's figures.
    public struct SourceRow: Sendable, Hashable {
        /// Who chose the resources.
        public var source: SizingSource
        /// Deployments evaluated.
        public var deployments: Int
        /// Deployments whose CPU request (the limit without one) covers the observed CPU P95.
        public var cpuCovered: Int
        /// Deployments whose memory request (the limit without one) covers the observed memory P95.
        public var memoryCovered: Int
        /// Median over deployments of CPU request − mean CPU used, in cores (negative: short).
        public var cpuSlack: Double
        /// Median over deployments of memory request − mean memory used, in bytes (negative: short).
        public var memorySlack: Double
        /// Deployments whose highest memory sample exceeds the memory limit (the request without one).
        public var oomRisk: Int
        /// Deployments whose CPU P99 exceeds the CPU limit.
        public var throttlingRisk: Int

        /// Share of deployments whose CPU request covers the observed CPU P95.
        public var cpuCoverage: Double { Double(cpuCovered) / Double(max(deployments, 1)) }
        /// Share of deployments whose memory request covers the observed memory P95.
        public var memoryCoverage: Double { Double(memoryCovered) / Double(max(deployments, 1)) }
        /// Share of the observed peaks (CPU and memory of every deployment) within the request.
        public var coverage: Double { Double(cpuCovered + memoryCovered) / Double(max(2 * deployments, 1)) }
    }

    /// The per-source table as text: empty unless more than one source is present (one source has nothing to
    /// compare with; `--format json` always carries the rows).
    public var sourcesText: String {
        guard sources.count > 1 else { return "" }
        var table = [
            ["source", "deployments", "cpu cover", "mem cover", "coverage", "cpu slack", "mem slack", "oom risk", "throttle risk"]
        ]
        for row in sources {
            table.append([
                row.source.rawValue, "\(row.deployments)", Self.pct(row.cpuCoverage), Self.pct(row.memoryCoverage),
                Self.pct(row.coverage), Self.signed(row.cpuSlack, Recommender.cores), Self.signed(row.memorySlack, Recommender.mem),
                "\(row.oomRisk)", "\(row.throttlingRisk)",
            ])
        }
        return "\nBy source (the deployed resources, each deployment until its container's next one):\n" + Self.render(table)
            + "\nsource: who chose the deployed resources (deterministic: komply's recommender; llm: an accepted LLM change; "
            + "manual: the user); slack: median over deployments of request − mean usage; oom and throttle risk: deployments.\n"
    }

    /// The per-source rows as JSON.
    var sourcesValueTree: ValueTree {
        .array(
            sources.map { row in
                .members([
                    ("source", .string(row.source.rawValue)), ("deployments", .int(row.deployments)),
                    ("cpuCoverage", .double(Self.round(row.cpuCoverage))),
                    ("memoryCoverage", .double(Self.round(row.memoryCoverage))), ("coverage", .double(Self.round(row.coverage))),
                    ("medianCPUSlackCores", .double(Self.round(row.cpuSlack))),
                    ("medianMemorySlackBytes", .double(row.memorySlack.rounded())),
                    ("oomRiskDeployments", .int(row.oomRisk)), ("throttlingRiskDeployments", .int(row.throttlingRisk)),
                ])
            })
    }

    /// `+` or `-` and the magnitude as a quantity.
    static func signed(_ value: Double, _ format: (Double) -> String) -> String {
        (value < 0 ? "-" : "+") + format(abs(value))
    }
}

extension Backtest {
    /// The per-source rows of a (bounded) history, in `SizingSource` order; sources without an evaluated deployment
    /// have no row.
    static func sourceRows(_ history: HistoryBatch) -> [BacktestReport.SourceRow] {
        var samples: [ContainerKey: [UsageSample]] = [:]
        for sample in history.samples {
            samples[ContainerKey(app: sample.app, service: sample.service, container: sample.container), default: []].append(sample)
        }
        var deployments: [ContainerKey: [DeploymentRecord]] = [:]
        for record in history.deployments where !record.resources.isEmpty {
            deployments[ContainerKey(app: record.app, service: record.service, container: record.container), default: []].append(record)
        }
        var evaluated: [SizingSource: [Evaluation]] = [:]
        for (key, records) in deployments {
            let times = Set(records.map(\.time)).sorted()
            let own = samples[key] ?? []
            for record in records {
                let end = times.first { $0 > record.time } ?? .infinity
                let window = own.filter { $0.time >= record.time && $0.time < end }
                let cpu = window.filter { $0.resource == .cpu }.map(\.value).sorted()
                let memory = window.filter { $0.resource == .memory }.map(\.value).sorted()
                guard !cpu.isEmpty, !memory.isEmpty else { continue }
                evaluated[record.source, default: []].append(Evaluation(record.resources, cpu: cpu, memory: memory))
            }
        }
        return SizingSource.allCases.compactMap { source in
            guard let items = evaluated[source], !items.isEmpty else { return nil }
            return BacktestReport.SourceRow(
                source: source, deployments: items.count, cpuCovered: items.filter(\.cpuCovered).count,
                memoryCovered: items.filter(\.memoryCovered).count, cpuSlack: median(items.map(\.cpuSlack)),
                memorySlack: median(items.map(\.memorySlack)), oomRisk: items.filter(\.oomRisk).count,
                throttlingRisk: items.filter(\.throttlingRisk).count)
        }
    }

    /// The middle value, or the mean of the two middle values of an even count.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

private extension Backtest {
    /// One deployment against the usage observed while it ran.
    struct Evaluation {
        var cpuCovered: Bool
        var memoryCovered: Bool
        var cpuSlack: Double
        var memorySlack: Double
        var oomRisk: Bool
        var throttlingRisk: Bool

        /// `cpu` and `memory` are the window's samples, sorted and not empty.
        init(_ resources: ResourceAmounts, cpu: [Double], memory: [Double]) {
            // A missing request reads as the limit (Kubernetes defaults it so), else as nothing reserved.
            let cpuRequest = resources.cpuRequest ?? resources.cpuLimit ?? 0
            let memoryRequest = resources.memoryRequest ?? resources.memoryLimit ?? 0
            cpuCovered = cpuRequest >= Backtest.percentile(cpu, 0.95)
            memoryCovered = memoryRequest >= Backtest.percentile(memory, 0.95)
            cpuSlack = cpuRequest - cpu.reduce(0, +) / Double(cpu.count)
            memorySlack = memoryRequest - memory.reduce(0, +) / Double(memory.count)
            oomRisk = memory.last! > (resources.memoryLimit ?? resources.memoryRequest ?? .infinity)
            throttlingRisk = resources.cpuLimit.map { Backtest.percentile(cpu, 0.99) > $0 } ?? false
        }
    }
}
