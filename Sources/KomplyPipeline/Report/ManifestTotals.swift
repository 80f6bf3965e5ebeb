import KomplyCore
import KomplyLint

/// What a set of manifests asks the cluster for: CPU and memory requests and GPUs, × replicas, per namespace,
/// with the monthly cost at the report's prices (`komply lint --summary`).
public struct ManifestTotals: Sendable {
    /// One namespace's (or the overall) total.
    public struct Row: Sendable, Hashable {
        /// The namespace (`(not set)` for objects without one, `all` for the overall row).
        public var namespace: String
        /// Workloads counted.
        public var workloads: Int
        /// Pods at the declared replica count, or an autoscaler's minReplicas (DaemonSets count one, per node).
        public var pods: Int
        /// CPU requested, cores.
        public var cpu: Double
        /// Memory requested, bytes.
        public var memory: Double
        /// GPUs (any `*/gpu` resource) requested or limited.
        public var gpus: Int
        /// Monthly cost of the CPU and memory requests.
        public var cost: Double
        /// Containers without a CPU or memory request (their share is unknown and not counted).
        public var unsized: Int
    }

    /// Rows per namespace, sorted, then the overall row.
    public var rows: [Row]

    /// Totals of every workload in `objects` at `prices`.
    public init(objects: [KubeObject], prices: UsageReport.Prices) {
        var rows: [String: Row] = [:]
        var overall = Row(namespace: "all", workloads: 0, pods: 0, cpu: 0, memory: 0, gpus: 0, cost: 0, unsized: 0)
        // An autoscaled Deployment has no spec.replicas in git: it runs at least its autoscaler's minReplicas.
        let index = ObjectIndex(objects)
        for object in objects where WorkloadKind.podSpecPath(forKind: object.kind) != nil {
            let replicas = Double(max(0, index.replicas(of: object) ?? 1))
            // A kustomize base usually leaves the namespace to its kustomization: not "default".
            let namespace = object.namespace ?? "(not set)"
            var row =
                rows[namespace]
                ?? Row(
                    namespace: namespace, workloads: 0, pods: 0, cpu: 0, memory: 0, gpus: 0, cost: 0, unsized: 0)
            var cpu = 0.0, memory = 0.0, gpus = 0, unsized = 0
            for container in object.containers([.container]) {
                let requests = container.node.value(at: ["resources", "requests"])
                let limits = container.node.value(at: ["resources", "limits"])
                let cpuText = requests?.scalar(forKey: "cpu") ?? limits?.scalar(forKey: "cpu")
                let memoryText = requests?.scalar(forKey: "memory") ?? limits?.scalar(forKey: "memory")
                let cores = cpuText.flatMap { try? Quantity(parsing: $0) }.map { Double($0.milliValue) / 1000 }
                let bytes = memoryText.flatMap { try? Quantity(parsing: $0) }.map { Double($0.bytes) }
                if cores == nil || bytes == nil { unsized += 1 }
                cpu += cores ?? 0
                memory += bytes ?? 0
                for source in [limits, requests] {
                    for pair in source?.mapping ?? [] where pair.key.scalar?.hasSuffix("/gpu") == true {
                        gpus = max(gpus, Int(pair.value.scalar ?? "") ?? 0)
                    }
                }
            }
            let cost = prices.monthly(cpu: cpu, memory: memory) * replicas
            for index in [0, 1] {
                var target = index == 0 ? row : overall
                target.workloads += 1
                target.pods += Int(replicas)
                target.cpu += cpu * replicas
                target.memory += memory * replicas
                target.gpus += gpus * Int(replicas)
                target.cost += cost
                target.unsized += unsized
                if index == 0 { row = target } else { overall = target }
            }
            rows[namespace] = row
        }
        self.rows = rows.keys.sorted().map { rows[$0]! } + [overall]
    }

    /// A fixed-width table, one line per namespace and the overall line.
    public func table(currency: String) -> String {
        let header = ["namespace", "workloads", "pods", "CPU", "memory", "GPU", "\(currency)/month", "unsized"]
        let lines = rows.map { row in
            [
                row.namespace, String(row.workloads), String(row.pods), UsageReport.coresText(row.cpu), UsageReport.bytesText(row.memory),
                String(row.gpus), String(format: "%.2f", row.cost), String(row.unsized),
            ]
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max()! }
        return ([header] + lines).map { cells in
            cells.enumerated().map { column, cell in
                column == 0
                    ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
