import KomplyCore
import KomplyPredict

// The report's JSON twin: the same numbers as the HTML, for scripts and dashboards.
extension UsageReport {
    /// `{"version":1,"now","prices","workloads":[…],"drift":{app:[files]},"notes","totals":{"overall","apps","clusters"},
    /// "environments":[…],"unmatched":[…]}`; CPU in cores, memory in bytes, money in the prices' currency per 730-hour month.
    public func json() -> String {
        func stats(_ stats: Stats?) -> ValueTree {
            guard let stats else { return .null }
            return .members([
                ("p50", .double(stats.p50)), ("p95", .double(stats.p95)), ("max", .double(stats.max)), ("samples", .int(stats.count)),
            ])
        }
        func chart(_ points: [Point]) -> ValueTree { .array(points.map { .array([.double($0.time), .double($0.value)]) }) }
        func total(_ total: Total) -> ValueTree {
            .members([
                ("name", .string(total.name)), ("containers", .int(total.workloads)), ("cpu", .double(total.cpu)),
                ("memory", .double(total.memory)), ("monthlyCost", .double(Self.cents(total.cost))),
                ("monthlyCostRecommended", .double(Self.cents(total.recommendedCost))),
                ("monthlySaving", .double(Self.cents(total.cost - total.recommendedCost))),
            ])
        }
        let items: [ValueTree] = workloads.map { workload in
            .members([
                ("app", .string(workload.app)), ("service", .string(workload.service)), ("container", .string(workload.container)),
                ("replicas", .int(workload.replicas)), ("observedIn", .array(workload.observedIn.map { .string($0) })),
                (
                    "declared",
                    .members([
                        ("cpuRequest", workload.declared.cpuRequest.map { .double($0) } ?? .null),
                        ("cpuLimit", workload.declared.cpuLimit.map { .double($0) } ?? .null),
                        ("memoryRequest", workload.declared.memoryRequest.map { .double($0) } ?? .null),
                        ("memoryLimit", workload.declared.memoryLimit.map { .double($0) } ?? .null),
                    ])
                ),
                ("recommended", workload.recommended.valueTree),
                ("observed", .members([("cpu", stats(workload.cpu)), ("memory", stats(workload.memory))])),
                (
                    "events",
                    .members([
                        ("restarts", .int(workload.restarts)), ("oomKills", .int(workload.oomKills)),
                        ("throttling", .int(workload.throttling)),
                    ])
                ),
                ("findings", .members(workload.findings.keys.sorted().map { ($0, .int(workload.findings[$0]!)) })),
                ("charts", .members([("cpu", chart(workload.cpuChart)), ("memory", chart(workload.memoryChart))])),
            ])
        }
        let root = ValueTree.members([
            ("version", .int(1)), ("now", .string(Timestamp.format(now))),
            (
                "prices",
                .members([
                    ("vcpuHour", .double(prices.vcpuHour)), ("gibHour", .double(prices.gibHour)), ("currency", .string(prices.currency)),
                ])
            ),
            ("workloads", .array(items)),
            (
                "drift",
                drift.map { drift in .members(drift.keys.sorted().map { ($0, .array(drift[$0]!.map { .string($0) })) }) } ?? .null
            ),
            ("notes", .array(notes.map { .string($0) })),
            (
                "totals",
                .members([("overall", total(overall)), ("apps", .array(byApp.map(total))), ("clusters", .array(byCluster.map(total)))])
            ),
            ("environments", .array(environments.map(environmentTree))),
            (
                "unmatched",
                .array(
                    unmatched.map { item in
                        .members([
                            ("app", .string(item.app)), ("service", .string(item.service)), ("container", .string(item.container)),
                            ("origin", .string(item.origin)), ("reason", .string(item.reason)),
                            (
                                "observed",
                                .members([("cpu", Self.statsTree(item.observed.cpu)), ("memory", Self.statsTree(item.observed.memory))])
                            ),
                        ])
                    })
            ),
        ])
        return JSONEmitter.emit(root) + "\n"
    }

    static func cents(_ amount: Double) -> Double { (amount * 100).rounded() / 100 }

    static func statsTree(_ stats: Stats?) -> ValueTree {
        guard let stats else { return .null }
        return .members([
            ("p50", .double(stats.p50)), ("p95", .double(stats.p95)), ("max", .double(stats.max)), ("samples", .int(stats.count)),
        ])
    }

    /// One container of an environment: today's requests scaled, what the overlay renders, costs and matched observations.
    func environmentWorkloadTree(_ workload: EnvironmentWorkload) -> ValueTree {
        func optional(_ value: Double?) -> ValueTree { value.map { .double($0) } ?? .null }
        let observed: ValueTree = .members([
            ("cpu", Self.statsTree(workload.observed.cpu)), ("memory", Self.statsTree(workload.observed.memory)),
        ])
        var members: [(String, ValueTree?)] = [
            ("service", .string(workload.service)), ("container", .string(workload.container)), ("kind", .string(workload.kind)),
            ("pods", .int(workload.pods)), ("autoscaled", .bool(workload.autoscaled)),
        ]
        members += [
            ("cpuRequest", .double(workload.cpu)), ("memoryRequest", .double(workload.memory)),
            ("cpuRecommended", optional(workload.rendered.cpu)), ("memoryRecommended", optional(workload.rendered.memory)),
            ("cpuLimit", optional(workload.rendered.cpuLimit)), ("memoryLimit", optional(workload.rendered.memoryLimit)),
            ("gpus", .int(workload.rendered.gpus)),
        ]
        members += [
            ("observed", observed), ("monthlyCost", .double(Self.cents(workload.cost(prices)))),
            ("monthlyCostRecommended", .double(Self.cents(workload.recommendedCost(prices)))),
        ]
        return .members(members)
    }

    /// One environment: its settings, each container as rendered and its totals.
    func environmentTree(_ environment: Environment) -> ValueTree {
        let sums = total(of: environment)
        let cluster: ValueTree = environment.cluster.map { ValueTree.string($0) } ?? .null
        let replicas: ValueTree = environment.replicas.map { ValueTree.int($0) } ?? .null
        let totals: ValueTree = .members([
            ("containers", .int(sums.containers)), ("pods", .int(sums.pods)), ("cpu", .double(sums.cpu)), ("memory", .double(sums.memory)),
            ("gpus", .int(sums.gpus)), ("monthlyCost", .double(Self.cents(sums.cost))),
            ("monthlyCostRecommended", .double(Self.cents(sums.recommendedCost))),
            ("monthlySaving", .double(Self.cents(sums.cost - sums.recommendedCost))),
        ])
        var members: [(String, ValueTree?)] = [
            ("app", .string(environment.app)), ("name", .string(environment.name)), ("namespace", .string(environment.namespace)),
            ("cluster", cluster), ("replicas", replicas), ("resourceScale", .double(environment.resourceScale)),
        ]
        members += [
            ("observedIn", .array(environment.observedIn.map { .string($0) })),
            ("workloads", .array(environment.workloads.map(environmentWorkloadTree))), ("totals", totals),
        ]
        return .members(members)
    }
}
