import KomplyCore
import KomplyPredict

// The report's JSON twin: the same numbers as the HTML, for scripts and dashboards.
extension UsageReport {
    /// `{"version":1,"now","prices","workloads":[…],"drift":{app:[files]},"notes","totals":{"overall","apps","clusters"}}`; CPU in cores, memory in
    /// bytes, money in the prices' currency per 730-hour month.
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
        ])
        return JSONEmitter.emit(root) + "\n"
    }

    static func cents(_ amount: Double) -> Double { (amount * 100).rounded() / 100 }
}
