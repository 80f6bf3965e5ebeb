import Foundation
import KomplyCore
import KomplyLint

// Apps × environments: each environment's overlay as it renders (replicas, HPA minimums, scaled resources, its
// namespace), with totals, the saving of the recommendations there, and the observations matched to it.
extension UsageReport {
    /// One environment of one app, as its kustomize overlay renders.
    public struct Environment: Sendable {
        /// The app key.
        public var app: String
        /// The environment (overlay) name.
        public var name: String
        /// The namespace its overlay sets.
        public var namespace: String
        /// Its `cluster` in komply.yaml (the API server its Application deploys to), nil for the default destination.
        public var cluster: String?
        /// Its `replicas` in komply.yaml, nil when it sets none.
        public var replicas: Int?
        /// Its `resourceScale` (1 when unset).
        public var resourceScale: Double
        /// The observed clusters matched to it (see `matches(origin:environment:cluster:)`), sorted.
        public var observedIn: [String] = []
        /// Its workloads (one per container of the report), sorted by service and container.
        public var workloads: [EnvironmentWorkload]
    }

    /// One container of one workload in an environment.
    public struct EnvironmentWorkload: Sendable {
        /// The service.
        public var service: String
        /// The container.
        public var container: String
        /// The workload kind as rendered.
        public var kind: String
        /// Pods: the replicas the overlay renders, an autoscaler's minReplicas when one scales it, one for other kinds.
        public var pods: Int
        /// Whether a HorizontalPodAutoscaler scales it (`pods` is then its minimum).
        public var autoscaled: Bool
        /// The CPU request that runs today (compose's reservation, else komply's recommendation; see `Workload`)
        /// scaled by the environment's resourceScale and rounded up as the overlay rounds it, cores per pod.
        public var cpu: Double
        /// The memory request today, scaled and rounded up to whole MiB, bytes per pod.
        public var memory: Double
        /// Requests, limits and GPUs per pod as the overlay renders them: what `generate` writes there (komply's
        /// recommendation, scaled), what Argo CD syncs after regeneration.
        public var rendered: ManifestTotals.Amounts
        /// What the clusters matched to the environment observed.
        public var observed = Observed()
    }

    /// An environment's totals (`total(of:)`).
    public struct EnvironmentTotal: Sendable, Hashable {
        /// Containers counted.
        public var containers: Int
        /// Pods (a workload's pods counted once, however many containers it has).
        public var pods: Int
        /// CPU requested × pods, cores.
        public var cpu: Double
        /// Memory requested × pods, bytes.
        public var memory: Double
        /// GPUs × pods.
        public var gpus: Int
        /// Monthly cost of today's requests, scaled.
        public var cost: Double
        /// Monthly cost of the rendered requests (komply's recommendations, scaled).
        public var recommendedCost: Double
    }

    /// Observations of one container from one origin that correspond to no environment of its app, or to several.
    public struct Unmatched: Sendable {
        /// The app key.
        public var app: String
        /// The service.
        public var service: String
        /// The container.
        public var container: String
        /// The cluster name, `docker` or `import`.
        public var origin: String
        /// Why it matches no one environment.
        public var reason: String
        /// What was observed there.
        public var observed: Observed
    }

    /// The totals of `environment` at the report's prices.
    public func total(of environment: Environment) -> EnvironmentTotal {
        var total = EnvironmentTotal(containers: 0, pods: 0, cpu: 0, memory: 0, gpus: 0, cost: 0, recommendedCost: 0)
        var counted: Set<String> = []
        for workload in environment.workloads {
            let pods = Double(workload.pods)
            total.containers += 1
            // A pod of two containers is one pod.
            if counted.insert(workload.service).inserted { total.pods += workload.pods }
            total.cpu += workload.cpu * pods
            total.memory += workload.memory * pods
            total.gpus += workload.rendered.gpus * workload.pods
            total.cost += workload.cost(prices)
            total.recommendedCost += workload.recommendedCost(prices)
        }
        return total
    }

    /// Whether observations from `origin` (a cluster name given to `komply observe`) belong to the environment named
    /// `environment` whose `cluster` is `cluster`: the cluster name is the environment's name, or the host of its
    /// `cluster` URL, or that host's first label (`https://prod.k8s.example.com` ↔ `prod`). `docker` and `import`
    /// name no cluster and match nothing.
    public static func matches(origin: String, environment: String, cluster: String?) -> Bool {
        guard origin != "docker", origin != "import" else { return false }
        if origin == environment { return true }
        guard let cluster, let host = URLComponents(string: cluster)?.host?.lowercased(), !host.isEmpty else { return false }
        return origin == host || origin == host.split(separator: ".").first.map(String.init)
    }

    /// Adds `app`'s environment `name` from the objects its overlay renders; `scale` is its resourceScale.
    mutating func addEnvironment(
        app: String, name: String, namespace: String, cluster: String?, replicas: Int?, scale: Double, objects: [KubeObject]
    ) {
        let index = ObjectIndex(objects)
        var rows: [EnvironmentWorkload] = []
        for workload in workloads where workload.app == app {
            let objectName = DNSLabel.make(workload.service)
            guard
                let object = objects.first(where: { $0.name == objectName && WorkloadKind.podSpecPath(forKind: $0.kind) != nil }),
                let container = object.containers([.container]).first(where: { $0.name == workload.container })
            else { continue }
            rows.append(
                EnvironmentWorkload(
                    service: workload.service, container: workload.container, kind: object.kind,
                    pods: ManifestTotals.pods(of: object, in: index), autoscaled: index.isAutoscaled(object),
                    cpu: Self.scaledCPU(Quantity(milliCPU: Int((workload.currentCPU * 1000).rounded())), scale),
                    memory: Self.scaledMemory(Quantity(bytes: Int(workload.currentMemory.rounded())), scale),
                    rendered: ManifestTotals.amounts(of: container)))
        }
        environments.append(
            Environment(
                app: app, name: name, namespace: namespace, cluster: cluster, replicas: replicas, resourceScale: scale, workloads: rows))
    }

    /// Matches every observation of the apps with environments: an origin that corresponds to exactly one
    /// environment of its app counts there; the others are listed in `unmatched` with the reason.
    mutating func matchObservations() {
        let apps = Set(environments.map(\.app))
        var unmatched: [Unmatched] = []
        var byEnvironment: [Int: [String: (cpu: [Double], memory: [Double])]] = [:]  // environment → "service/container" → values
        for workload in workloads where apps.contains(workload.app) {
            for origin in workload.valuesByOrigin.keys.sorted() {
                let values = workload.valuesByOrigin[origin]!
                let candidates = environments.indices.filter {
                    environments[$0].app == workload.app
                        && Self.matches(origin: origin, environment: environments[$0].name, cluster: environments[$0].cluster)
                }
                guard candidates.count == 1 else {
                    let reason =
                        candidates.isEmpty
                        ? (origin == "docker" || origin == "import"
                            ? "\(origin) observations name no cluster" : "cluster \"\(origin)\" corresponds to no environment")
                        : "cluster \"\(origin)\" corresponds to environments "
                            + candidates.map { "\"\(environments[$0].name)\"" }.joined(separator: ", ")
                    unmatched.append(
                        Unmatched(
                            app: workload.app, service: workload.service, container: workload.container, origin: origin, reason: reason,
                            observed: Observed(cpu: Stats(values.cpu), memory: Stats(values.memory))))
                    continue
                }
                let key = "\(workload.service)/\(workload.container)"
                var current = byEnvironment[candidates[0], default: [:]][key] ?? ([], [])
                current.cpu += values.cpu
                current.memory += values.memory
                byEnvironment[candidates[0], default: [:]][key] = current
                if !environments[candidates[0]].observedIn.contains(origin) {
                    environments[candidates[0]].observedIn = (environments[candidates[0]].observedIn + [origin]).sorted()
                }
            }
        }
        for (index, values) in byEnvironment {
            for row in environments[index].workloads.indices {
                let workload = environments[index].workloads[row]
                guard let found = values["\(workload.service)/\(workload.container)"] else { continue }
                environments[index].workloads[row].observed = Observed(cpu: Stats(found.cpu), memory: Stats(found.memory))
            }
        }
        self.unmatched = unmatched
    }
}

extension UsageReport.EnvironmentWorkload {
    /// Monthly cost of today's requests × pods.
    public func cost(_ prices: UsageReport.Prices) -> Double { prices.monthly(cpu: cpu, memory: memory) * Double(pods) }

    /// Monthly cost of the rendered requests × pods (a rendered container without a request counts today's).
    public func recommendedCost(_ prices: UsageReport.Prices) -> Double {
        prices.monthly(cpu: rendered.cpu ?? cpu, memory: rendered.memory ?? memory) * Double(pods)
    }
}

private extension UsageReport {
    /// A CPU request × scale, rounded up to whole millicores as the generator's overlay rounds it.
    static func scaledCPU(_ quantity: Quantity, _ scale: Double) -> Double {
        guard scale != 1, let scaled = try? quantity.scaled(by: scale) else { return Double(quantity.milliValue) / 1000 }
        return Double(max(1, scaled.milliValue)) / 1000
    }

    /// A memory request × scale, rounded up to whole mebibytes as the generator's overlay rounds it.
    static func scaledMemory(_ quantity: Quantity, _ scale: Double) -> Double {
        guard scale != 1, let scaled = try? quantity.scaled(by: scale),
            let rounded = try? scaled.roundedUp(toMultipleOf: Quantity(bytes: 1 << 20))
        else { return Double(quantity.bytes) }
        return Double(max(rounded.bytes, 1 << 20))
    }
}
