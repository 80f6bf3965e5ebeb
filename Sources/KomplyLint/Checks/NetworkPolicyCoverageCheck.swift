import KomplyCore

/// Flags workloads whose pods no NetworkPolicy in their namespace selects for each direction in
/// `directions` (Ingress and Egress by default), honouring `policyTypes` semantics.
public struct NetworkPolicyCoverageCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Directions that must be governed (`Ingress`, `Egress`).
        public var directions: [String]?
    }

    public static let name = "NetworkPolicyCoverage"
    static let message = "has pods that no NetworkPolicy selects for %@"
    let directions: [String]

    public init(parameters: Parameters) { directions = parameters.directions ?? ["Ingress", "Egress"] }

    public var readsIndex: Bool { true }
    public var needsWorkload: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard object.isWorkload else { return [] }
        let covered = context.index.networkPolicyCoverage(inNamespace: object.effectiveNamespace, labels: object.podLabels)
        let uncovered = directions.filter { direction in direction == "Ingress" ? !covered.ingress : !covered.egress }
        guard !uncovered.isEmpty else { return [] }
        let anchor = object.podMetadata?.pair("labels").map { $0.key } ?? object.podMetadata ?? object.node
        return [
            Violation(
                node: anchor,
                message: context.message(Self.message.replacingPlaceholders(with: uncovered.joined(separator: " and "))),
                path: "\(object.podSpecPath).labels")
        ]
    }
}
