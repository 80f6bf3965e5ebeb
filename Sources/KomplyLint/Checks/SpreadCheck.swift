import KomplyCore

/// Flags workloads with at least `minReplicas` replicas (an autoscaler's `minReplicas` when one scales them) whose pods may all land on one node: no
/// pod anti-affinity and no topology spread constraints.
public struct SpreadCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Only workloads with at least this many replicas are checked.
        public var minReplicas: Int?
    }

    public static let name = "Spread"
    static let message = "runs %@ replicas with neither pod anti-affinity nor topology spread constraints"
    let minReplicas: Int

    public init(parameters: Parameters) { minReplicas = parameters.minReplicas ?? 2 }

    /// True when an anti-affinity term (required or preferred) selects the workload's own pods in its own namespace.
    func spreadsByAntiAffinity(_ object: KubeObject, _ spec: Node) -> Bool {
        guard let anti = spec["affinity"]?["podAntiAffinity"] else { return false }
        let required = anti["requiredDuringSchedulingIgnoredDuringExecution"]?.sequence ?? []
        let preferred = (anti["preferredDuringSchedulingIgnoredDuringExecution"]?.sequence ?? []).compactMap { $0["podAffinityTerm"] }
        return (required + preferred).contains { term in
            let namespaces = (term["namespaces"]?.sequence ?? []).compactMap(\.scalar)
            guard namespaces.isEmpty || namespaces.contains(object.effectiveNamespace) else { return false }
            return LabelSelector(labelSelector: term["labelSelector"]).matches(object.podLabels) && term["labelSelector"] != nil
        }
    }

    public var needsPodSpec: Bool { true }
    public var readsIndex: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let spec = object.podSpec, let replicas = context.index.replicas(of: object), replicas >= minReplicas else { return [] }
        if !(spec["topologySpreadConstraints"]?.sequence?.isEmpty ?? true) || spreadsByAntiAffinity(object, spec) { return [] }
        let anchor = object.node["spec"]?.pair("replicas")?.key ?? spec
        return [
            Violation(
                node: anchor, message: context.message(Self.message).replacingPlaceholders(with: String(replicas)),
                path: "\(object.podSpecPath).affinity")
        ]
    }
}
