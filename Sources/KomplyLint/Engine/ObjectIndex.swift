import KomplyCore

/// Every object of a run, indexed for cross-object checks.
public struct ObjectIndex: Sendable {
    /// All objects in input order.
    public let objects: [KubeObject]
    private let byNamespace: [String: [Int]]
    private let byNamespaceAndKind: [String: [String: [Int]]]
    private let workloadsByNamespace: [String: [Int]]
    private let policiesByNamespace: [String: [NetworkPolicyView]]
    private let budgetsByNamespace: [String: [LabelSelector]]
    private let workloadsByLabel: [String: [String: [Int]]]

    /// Indexes objects.
    public init(_ objects: [KubeObject]) {
        self.objects = objects
        var byNamespace: [String: [Int]] = [:]
        var byNamespaceAndKind: [String: [String: [Int]]] = [:]
        var workloads: [String: [Int]] = [:]
        for (i, object) in objects.enumerated() {
            byNamespace[object.effectiveNamespace, default: []].append(i)
            byNamespaceAndKind[object.effectiveNamespace, default: [:]][object.kind, default: []].append(i)
            if object.isWorkload { workloads[object.effectiveNamespace, default: []].append(i) }
        }
        self.byNamespace = byNamespace
        self.byNamespaceAndKind = byNamespaceAndKind
        self.workloadsByNamespace = workloads
        var byLabel: [String: [String: [Int]]] = [:]
        for (namespace, indices) in workloads {
            for i in indices {
                for (key, value) in objects[i].podLabels { byLabel[namespace, default: [:]][key + "=" + value, default: []].append(i) }
            }
        }
        workloadsByLabel = byLabel
        // Selectors of namespace-wide objects are parsed once, not once per workload that consults them.
        policiesByNamespace = byNamespaceAndKind.mapValues { ($0["NetworkPolicy"] ?? []).map { NetworkPolicyView(objects[$0]) } }
        budgetsByNamespace = byNamespaceAndKind.mapValues {
            ($0["PodDisruptionBudget"] ?? []).map { LabelSelector(labelSelector: objects[$0].node["spec"]?["selector"]) }
        }
    }

    /// The NetworkPolicies of a namespace, parsed.
    func networkPolicies(inNamespace namespace: String) -> [NetworkPolicyView] { policiesByNamespace[namespace] ?? [] }

    /// The PodDisruptionBudget selectors of a namespace.
    func budgetSelectors(inNamespace namespace: String) -> [LabelSelector] { budgetsByNamespace[namespace] ?? [] }

    /// Objects in a namespace (objects without one count as `default`).
    public func objects(inNamespace namespace: String) -> [KubeObject] {
        (byNamespace[namespace] ?? []).map { objects[$0] }
    }

    /// Objects of `kind` in a namespace.
    public func objects(kind: String, inNamespace namespace: String) -> [KubeObject] {
        (byNamespaceAndKind[namespace]?[kind] ?? []).map { objects[$0] }
    }

    /// Objects of `kind` in any namespace (cluster-scoped kinds such as ClusterRole).
    public func objects(kind: String) -> [KubeObject] {
        byNamespaceAndKind.values.flatMap { $0[kind] ?? [] }.sorted().map { objects[$0] }
    }

    /// Workloads in a namespace.
    public func workloads(inNamespace namespace: String) -> [KubeObject] {
        (workloadsByNamespace[namespace] ?? []).map { objects[$0] }
    }

    /// The workloads of a namespace whose pods a selector may match: those carrying one of its
    /// exact labels (so a Service does not scan every workload), or all for expression-only selectors.
    public func workloads(inNamespace namespace: String, candidatesFor selector: LabelSelector) -> [KubeObject] {
        guard let (key, value) = selector.matchLabels.min(by: { $0.key < $1.key }) else { return workloads(inNamespace: namespace) }
        return (workloadsByLabel[namespace]?[key + "=" + value] ?? []).map { objects[$0] }
    }

    /// The first workload (in input order) of a namespace.
    public func firstWorkload(inNamespace namespace: String) -> KubeObject? {
        workloadsByNamespace[namespace]?.first.map { objects[$0] }
    }

    /// Namespaces that have objects, sorted.
    public var namespaces: [String] { byNamespace.keys.sorted() }
}

/// A label selector: either a plain map (Service) or `matchLabels` plus `matchExpressions`.
public struct LabelSelector: Sendable, Hashable {
    /// One `matchExpressions` item.
    public struct Requirement: Sendable, Hashable {
        /// Label key.
        public var key: String
        /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
        public var op: String
        /// Values for `In`/`NotIn`.
        public var values: [String]
    }

    /// Exact labels.
    public var matchLabels: [String: String]
    /// Set-based requirements.
    public var requirements: [Requirement]

    /// A selector from a plain label map (`spec.selector` of a Service).
    public init(map node: Node?) {
        matchLabels = KubeObject.stringMap(node)
        requirements = []
    }

    /// A selector from a `LabelSelector` mapping.
    public init(labelSelector node: Node?) {
        matchLabels = KubeObject.stringMap(node?["matchLabels"])
        requirements = (node?["matchExpressions"]?.sequence ?? []).compactMap { item in
            guard let key = item["key"]?.scalar, let op = item["operator"]?.scalar else { return nil }
            return Requirement(key: key, op: op, values: (item["values"]?.sequence ?? []).compactMap(\.scalar))
        }
    }

    /// True when the selector has no terms (matches everything for LabelSelectors).
    public var isEmpty: Bool { matchLabels.isEmpty && requirements.isEmpty }

    /// True when `labels` satisfy every term.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        for requirement in requirements {
            let value = labels[requirement.key]
            switch requirement.op {
            case "In": if value == nil || !requirement.values.contains(value!) { return false }
            case "NotIn": if let value, requirement.values.contains(value) { return false }
            case "Exists": if value == nil { return false }
            case "DoesNotExist": if value != nil { return false }
            default: return false
            }
        }
        return true
    }
}

/// Run-wide settings that checks consult.
public struct LintSettings: Sendable, Hashable {
    /// The Kubernetes version manifests target (`1.29`), for deprecated-API rules.
    public var kubernetesVersion: String
    /// Rules whose findings annotations may not suppress.
    public var nonSuppressible: Set<String>
    /// Every rule id of the run (suppressions naming another id are reported).
    public var knownRules: Set<String>

    /// Creates settings.
    public init(
        kubernetesVersion: String = LintSettings.defaultKubernetesVersion, nonSuppressible: Set<String> = [],
        knownRules: Set<String> = []
    ) {
        self.kubernetesVersion = kubernetesVersion
        self.nonSuppressible = nonSuppressible
        self.knownRules = knownRules
    }

    /// The default target version.
    public static let defaultKubernetesVersion = "1.31"
}
