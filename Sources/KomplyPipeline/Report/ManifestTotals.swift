import Foundation
import KomplyCore
import KomplyLint

/// What a set of manifests asks the cluster for: CPU and memory requests and GPUs, × replicas, per namespace,
/// with the monthly cost at the report's prices (`komply lint --summary`); per kustomize overlay as it renders
/// when the manifests hold overlays.
public struct ManifestTotals: Sendable {
    /// One namespace's (or the overall) total.
    public struct Row: Sendable, Hashable {
        /// The overlay folder whose rendering is counted, `(no overlay)` for files no overlay includes, nil when
        /// the manifests hold no overlay (and for the overall row).
        public var overlay: String? = nil
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

    /// What one container asks for per pod.
    public struct Amounts: Sendable, Hashable {
        /// CPU request (else limit), cores; nil when neither is set.
        public var cpu: Double?
        /// Memory request (else limit), bytes; nil when neither is set.
        public var memory: Double?
        /// CPU limit, cores.
        public var cpuLimit: Double?
        /// Memory limit, bytes.
        public var memoryLimit: Double?
        /// GPUs (the largest `*/gpu` request or limit).
        public var gpus: Int
    }

    /// The label of files no overlay includes, in a summary of overlays.
    public static let noOverlay = "(no overlay)"

    /// Rows per namespace (per overlay, then namespace, when there are overlays), sorted, then the overall row.
    public var rows: [Row]

    /// Totals of every workload in `objects` at `prices`.
    public init(objects: [KubeObject], prices: UsageReport.Prices) {
        self.init(groups: [(nil, objects)], prices: prices)
    }

    /// Totals of a lint run: each kustomize overlay among its files as it renders (namespace, replicas, patches), and
    /// the objects of the files no overlay includes; without overlays, the same as `init(objects:prices:)`.
    public init(result: Linter.Result, prices: UsageReport.Prices) {
        var groups: [(overlay: String?, objects: [KubeObject])] = []
        var included: Set<String> = []
        for file in result.files.sorted() where ["kustomization.yaml", "kustomization.yml"].contains((file as NSString).lastPathComponent) {
            guard let rendered = OverlayLint.rendering(of: file, texts: result.texts) else { continue }
            included.formUnion(rendered.files)
            groups.append(((file as NSString).deletingLastPathComponent, Self.objects(rendered.objects, file: file + "#rendered")))
        }
        guard !groups.isEmpty else {
            self.init(objects: result.objects, prices: prices)
            return
        }
        let others = result.objects.filter { !included.contains($0.file) }
        if others.contains(where: { WorkloadKind.podSpecPath(forKind: $0.kind) != nil }) { groups.append((Self.noOverlay, others)) }
        self.init(groups: groups, prices: prices)
    }

    /// What `container` asks for per pod: its requests (else limits) and GPUs.
    public static func amounts(of container: Container) -> Amounts {
        let requests = container.node.value(at: ["resources", "requests"])
        let limits = container.node.value(at: ["resources", "limits"])
        func cores(_ text: String?) -> Double? { text.flatMap { try? Quantity(parsing: $0) }.map { Double($0.milliValue) / 1000 } }
        func bytes(_ text: String?) -> Double? { text.flatMap { try? Quantity(parsing: $0) }.map { Double($0.bytes) } }
        var gpus = 0
        for source in [limits, requests] {
            for pair in source?.mapping ?? [] where pair.key.scalar?.hasSuffix("/gpu") == true {
                gpus = max(gpus, Int(pair.value.scalar ?? "") ?? 0)
            }
        }
        return Amounts(
            cpu: cores(requests?.scalar(forKey: "cpu") ?? limits?.scalar(forKey: "cpu")),
            memory: bytes(requests?.scalar(forKey: "memory") ?? limits?.scalar(forKey: "memory")),
            cpuLimit: cores(limits?.scalar(forKey: "cpu")), memoryLimit: bytes(limits?.scalar(forKey: "memory")), gpus: gpus)
    }

    /// The pods a workload runs: its declared replicas, an autoscaler's minReplicas when one scales it (no
    /// spec.replicas in git), one for a kind without replicas (a DaemonSet counts one, per node).
    public static func pods(of object: KubeObject, in index: ObjectIndex) -> Int {
        max(0, index.replicas(of: object) ?? 1)
    }

    /// The objects of rendered value trees (an overlay's rendering), named `file`.
    static func objects(_ trees: [ValueTree], file: String) -> [KubeObject] {
        let nodes = (try? YAMLLoader.parse(YAMLEmitter.emit(documents: trees), file: file)) ?? []
        return nodes.enumerated().filter { $0.element.mapping != nil }.map { KubeObject(node: $0.element, documentIndex: $0.offset) }
    }

    /// A fixed-width table, one line per namespace (per overlay and namespace) and the overall line.
    public func table(currency: String) -> String {
        let overlays = rows.contains { $0.overlay != nil }
        let header =
            (overlays ? ["overlay"] : []) + ["namespace", "workloads", "pods", "CPU", "memory", "GPU", "\(currency)/month", "unsized"]
        let lines = rows.map { row in
            // The overall row reads `all` in both label columns.
            (overlays ? [row.overlay ?? row.namespace] : []) + [
                row.namespace, String(row.workloads), String(row.pods), UsageReport.coresText(row.cpu), UsageReport.bytesText(row.memory),
                String(row.gpus), String(format: "%.2f", row.cost), String(row.unsized),
            ]
        }
        let left = overlays ? 2 : 1
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max()! }
        return ([header] + lines).map { cells in
            cells.enumerated().map { column, cell in
                column < left
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

private extension ManifestTotals {
    /// Totals per group (an overlay's rendering, or plain files) and namespace, then the overall row.
    init(groups: [(overlay: String?, objects: [KubeObject])], prices: UsageReport.Prices) {
        var rows: [Row] = []
        var overall = Row(namespace: "all", workloads: 0, pods: 0, cpu: 0, memory: 0, gpus: 0, cost: 0, unsized: 0)
        for group in groups {
            var byNamespace: [String: Row] = [:]
            // An autoscaled Deployment has no spec.replicas in git: it runs at least its autoscaler's minReplicas.
            let index = ObjectIndex(group.objects)
            for object in group.objects where WorkloadKind.podSpecPath(forKind: object.kind) != nil {
                let replicas = Double(Self.pods(of: object, in: index))
                // A kustomize base usually leaves the namespace to its kustomization: not "default".
                let namespace = object.namespace ?? "(not set)"
                var cpu = 0.0, memory = 0.0, gpus = 0, unsized = 0
                for container in object.containers([.container]) {
                    let amounts = Self.amounts(of: container)
                    if amounts.cpu == nil || amounts.memory == nil { unsized += 1 }
                    cpu += amounts.cpu ?? 0
                    memory += amounts.memory ?? 0
                    gpus += amounts.gpus
                }
                let cost = prices.monthly(cpu: cpu, memory: memory) * replicas
                for target in [namespace, nil] as [String?] {
                    var row =
                        target.map {
                            byNamespace[$0]
                                ?? Row(
                                    overlay: group.overlay, namespace: $0, workloads: 0, pods: 0, cpu: 0, memory: 0, gpus: 0, cost: 0,
                                    unsized: 0)
                        } ?? overall
                    row.workloads += 1
                    row.pods += Int(replicas)
                    row.cpu += cpu * replicas
                    row.memory += memory * replicas
                    row.gpus += gpus * Int(replicas)
                    row.cost += cost
                    row.unsized += unsized
                    if let target { byNamespace[target] = row } else { overall = row }
                }
            }
            rows += byNamespace.keys.sorted().map { byNamespace[$0]! }
        }
        self.rows = rows + [overall]
    }
}
