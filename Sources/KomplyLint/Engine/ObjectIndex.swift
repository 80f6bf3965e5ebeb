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
    /// Workloads by namespace and pod label (key and value apart: nothing is concatenated per
    /// lookup, and `a=b: c` is not `a: b=c`).
    private let workloadsByLabel: [SelectorIndex.LabelKey: [Int]]
    /// The first object (in input order) of each namespace, kind and name.
    private let firstByName: [NameKey: Int]
    /// Every NetworkPolicy's pod selector, and which directions each policy governs.
    private let policySelectors: SelectorIndex
    private let policyDirections: [(ingress: Bool, egress: Bool)]
    /// Every PodDisruptionBudget's selector.
    private let budgetIndex: SelectorIndex
    /// The `minReplicas` (default 1) of the HorizontalPodAutoscaler that scales each workload, by the workload's name.
    private let autoscalerMinimum: [NameKey: Int]

    /// Indexes objects.
    public init(_ objects: [KubeObject]) {
        self.objects = objects
        var byNamespace: [String: [Int]] = [:]
        var byNamespaceAndKind: [String: [String: [Int]]] = [:]
        var workloads: [String: [Int]] = [:]
        for (i, object) in objects.enumerated() {
            let namespace = object.effectiveNamespace
            byNamespace[namespace, default: []].append(i)
            byNamespaceAndKind[namespace, default: [:]][object.kind, default: []].append(i)
            if object.isWorkload { workloads[namespace, default: []].append(i) }
        }
        self.byNamespace = byNamespace
        self.byNamespaceAndKind = byNamespaceAndKind
        self.workloadsByNamespace = workloads
        var byLabel: [SelectorIndex.LabelKey: [Int]] = [:]
        for (namespace, indices) in workloads {
            for i in indices {
                for (key, value) in objects[i].podLabels {
                    byLabel[SelectorIndex.LabelKey(namespace: namespace, key: key, value: value), default: []].append(i)
                }
            }
        }
        workloadsByLabel = byLabel
        // Selectors of namespace-wide objects are parsed once, not once per workload that consults them.
        policiesByNamespace = byNamespaceAndKind.mapValues { ($0["NetworkPolicy"] ?? []).map { NetworkPolicyView(objects[$0]) } }
        budgetsByNamespace = byNamespaceAndKind.mapValues {
            ($0["PodDisruptionBudget"] ?? []).map { LabelSelector(labelSelector: objects[$0].node["spec"]?["selector"]) }
        }
        var firstByName: [NameKey: Int] = [:]
        firstByName.reserveCapacity(objects.count)
        // Backwards, so that the first object of each name is the one stored last.
        for i in objects.indices.reversed() {
            firstByName[NameKey(namespace: objects[i].effectiveNamespace, kind: objects[i].kind, name: objects[i].name)] = i
        }
        self.firstByName = firstByName
        let policies = policiesByNamespace.flatMap { namespace, views in views.map { (namespace, $0) } }
        policySelectors = SelectorIndex(policies.map { ($0.0, $0.1.selector) })
        policyDirections = policies.map { ($0.1.governsIngress, $0.1.governsEgress) }
        budgetIndex = SelectorIndex(budgetsByNamespace.flatMap { namespace, selectors in selectors.map { (namespace, $0) } })
        autoscalerMinimum = Self.autoscalerMinimum(objects, byNamespaceAndKind)
    }

    /// The replicas a workload runs at the least: the `minReplicas` of a HorizontalPodAutoscaler of its namespace
    /// that scales it (its `spec.replicas` is the autoscaler's to set), else `spec.replicas` (nil for kinds without replicas).
    public func replicas(of object: KubeObject) -> Int? {
        guard let replicas = object.replicas else { return nil }
        return autoscalerMinimum[NameKey(namespace: object.effectiveNamespace, kind: object.kind, name: object.name)] ?? replicas
    }

    /// True when a HorizontalPodAutoscaler of the object's namespace scales it.
    public func isAutoscaled(_ object: KubeObject) -> Bool {
        autoscalerMinimum[NameKey(namespace: object.effectiveNamespace, kind: object.kind, name: object.name)] != nil
    }

    /// The first object (in input order) of `kind` named `name` in a namespace.
    func firstObject(kind: String, named name: String, inNamespace namespace: String) -> KubeObject? {
        firstByName[NameKey(namespace: namespace, kind: kind, name: name)].map { objects[$0] }
    }

    /// True when a namespace has an object of `kind` named `name`.
    func containsObject(kind: String, named name: String, inNamespace namespace: String) -> Bool {
        firstByName[NameKey(namespace: namespace, kind: kind, name: name)] != nil
    }

    /// Whether NetworkPolicies of a namespace that select pods with `labels` govern ingress and egress.
    func networkPolicyCoverage(inNamespace namespace: String, labels: [String: String]) -> (ingress: Bool, egress: Bool) {
        var ingress = false
        var egress = false
        policySelectors.forEachMatch(inNamespace: namespace, labels: labels) { i in
            ingress = ingress || policyDirections[i].ingress
            egress = egress || policyDirections[i].egress
            return !(ingress && egress)
        }
        return (ingress, egress)
    }

    /// True when a PodDisruptionBudget of a namespace selects pods with `labels`.
    func hasBudget(inNamespace namespace: String, selecting labels: [String: String]) -> Bool {
        var found = false
        budgetIndex.forEachMatch(inNamespace: namespace, labels: labels) { _ in
            found = true
            return false
        }
        return found
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
        return (workloadsByLabel[SelectorIndex.LabelKey(namespace: namespace, key: key, value: value)] ?? []).map { objects[$0] }
    }

    /// True when a workload of a namespace has pod labels that `selector` matches.
    func hasWorkload(inNamespace namespace: String, selectedBy selector: LabelSelector) -> Bool {
        let candidates: [Int]?
        if let (key, value) = selector.matchLabels.min(by: { $0.key < $1.key }) {
            candidates = workloadsByLabel[SelectorIndex.LabelKey(namespace: namespace, key: key, value: value)]
        } else {
            candidates = workloadsByNamespace[namespace]
        }
        return (candidates ?? []).contains { selector.matches(objects[$0].podLabels) }
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

extension ObjectIndex {
    /// Each HorizontalPodAutoscaler's target (namespace, kind, name) with its `minReplicas`; the first autoscaler of a target wins.
    static func autoscalerMinimum(_ objects: [KubeObject], _ byNamespaceAndKind: [String: [String: [Int]]]) -> [NameKey: Int] {
        var minimum: [NameKey: Int] = [:]
        for (namespace, kinds) in byNamespaceAndKind {
            for i in kinds["HorizontalPodAutoscaler"] ?? [] {
                let spec = objects[i].node["spec"]
                guard let kind = spec?["scaleTargetRef"]?["kind"]?.scalar, let name = spec?["scaleTargetRef"]?["name"]?.scalar else {
                    continue
                }
                var value = 1
                if case .int(let count)? = spec?["minReplicas"]?.resolved(schema: .yaml11) { value = count }
                let key = NameKey(namespace: namespace, kind: kind, name: name)
                if minimum[key] == nil { minimum[key] = value }
            }
        }
        return minimum
    }

    struct NameKey: Hashable, Sendable {
        let namespace: String
        let kind: String
        let name: String
    }

    /// Label selectors of many namespaces, found through the labels they require: a selector can
    /// only match labels that include its first `matchLabels` pair, so a query looks at the
    /// selectors filed under the query's own labels (plus those without `matchLabels`) instead of
    /// at every selector of the namespace.
    struct SelectorIndex: Sendable {
        struct LabelKey: Hashable, Sendable {
            let namespace: String
            let key: String
            let value: String
        }

        private let selectors: [LabelSelector]
        /// True when a selector is exactly its filing pair, so being filed under a label present is a match.
        private let exact: [Bool]
        /// Selector indices, grouped so that each group is one range.
        private let slots: [Int]
        private let byLabel: [LabelKey: Range<Int>]
        private let unlabeled: [String: Range<Int>]

        init(_ entries: [(namespace: String, selector: LabelSelector)]) {
            selectors = entries.map(\.selector)
            exact = entries.map { $0.selector.matchLabels.count == 1 && $0.selector.requirements.isEmpty }
            var groups: [LabelKey: [Int]] = [:]
            var unlabeledGroups: [String: [Int]] = [:]
            for (i, entry) in entries.enumerated() {
                if let (key, value) = entry.selector.matchLabels.min(by: { $0.key < $1.key }) {
                    groups[LabelKey(namespace: entry.namespace, key: key, value: value), default: []].append(i)
                } else {
                    unlabeledGroups[entry.namespace, default: []].append(i)
                }
            }
            var slots: [Int] = []
            var byLabel: [LabelKey: Range<Int>] = [:]
            for (key, indices) in groups {
                byLabel[key] = slots.count..<(slots.count + indices.count)
                slots += indices
            }
            var unlabeled: [String: Range<Int>] = [:]
            for (namespace, indices) in unlabeledGroups {
                unlabeled[namespace] = slots.count..<(slots.count + indices.count)
                slots += indices
            }
            self.slots = slots
            self.byLabel = byLabel
            self.unlabeled = unlabeled
        }

        /// Calls `body` with the index (in the entries) of each selector of `namespace` that matches
        /// `labels`, in no particular order, until `body` returns false.
        func forEachMatch(inNamespace namespace: String, labels: [String: String], _ body: (Int) -> Bool) {
            if let range = unlabeled[namespace] {
                for slot in range where selectors[slots[slot]].matches(labels) {
                    guard body(slots[slot]) else { return }
                }
            }
            for (key, value) in labels {
                guard let range = byLabel[LabelKey(namespace: namespace, key: key, value: value)] else { continue }
                for slot in range where exact[slots[slot]] || selectors[slots[slot]].matches(labels) {
                    guard body(slots[slot]) else { return }
                }
            }
        }
    }
}
