import KomplyCore

/// Flags workloads with at least `minReplicas` replicas (an autoscaler's `minReplicas` when one scales them) that no
/// PodDisruptionBudget in their namespace selects.
public struct PodDisruptionBudgetCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Only workloads with at least this many replicas need a budget.
        public var minReplicas: Int?
    }

    public static let name = "PodDisruptionBudget"
    static let message = "has no PodDisruptionBudget selecting its pods"
    let minReplicas: Int

    public init(parameters: Parameters) { minReplicas = parameters.minReplicas ?? 2 }

    public var readsIndex: Bool { true }
    /// Only kinds with replicas need a budget.
    public func applies(kind: String, apiVersion: String) -> Bool { KubeObject.isScalable(kind: kind) }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let replicas = context.index.replicas(of: object), replicas >= minReplicas else { return [] }
        let labels = object.podLabels
        if !labels.isEmpty, context.index.hasBudget(inNamespace: object.effectiveNamespace, selecting: labels) {
            return []
        }
        let anchor = object.node["spec"]?.pair("replicas")?.key ?? object.node["spec"] ?? object.node
        return [Violation(node: anchor, message: context.message(Self.message), path: "spec.replicas")]
    }
}
