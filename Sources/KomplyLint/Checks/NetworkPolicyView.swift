import KomplyCore

/// What a NetworkPolicy selects and which directions it governs, with `policyTypes` semantics:
/// without `policyTypes`, Ingress always applies and Egress only when an `egress` section exists.
struct NetworkPolicyView: Sendable {
    let object: KubeObject
    let selector: LabelSelector
    let governsIngress: Bool
    let governsEgress: Bool
    /// Governs ingress and allows none (`ingress` missing or empty).
    let deniesAllIngress: Bool
    /// Governs egress and allows none.
    let deniesAllEgress: Bool

    init(_ object: KubeObject) {
        self.object = object
        let spec = object.node["spec"]
        selector = LabelSelector(labelSelector: spec?["podSelector"])
        let ingress = spec?["ingress"]
        let egress = spec?["egress"]
        if let types = spec?["policyTypes"]?.sequence?.compactMap(\.scalar) {
            governsIngress = types.contains("Ingress")
            governsEgress = types.contains("Egress")
        } else {
            governsIngress = true
            governsEgress = egress != nil && !(egress?.isNull ?? true)
        }
        deniesAllIngress = governsIngress && (ingress?.sequence?.isEmpty ?? true)
        deniesAllEgress = governsEgress && (egress?.sequence?.isEmpty ?? true)
    }

    /// True for `podSelector: {}` (every pod in the namespace).
    var selectsAllPods: Bool { selector.isEmpty }

    /// The NetworkPolicies of a namespace.
    static func policies(in namespace: String, index: ObjectIndex) -> [NetworkPolicyView] {
        index.networkPolicies(inNamespace: namespace)
    }
}
