import KomplyCore

/// Flags an object whose pod selector (at `path`) matches no workload's pods in its namespace:
/// a Service, PodDisruptionBudget or NetworkPolicy that points at nothing. An empty LabelSelector
/// selects everything and is not flagged.
public struct DanglingSelectorCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Where the selector is (`spec.selector`).
        public var path: String
        /// `map` for a plain label map (Service), `labelSelector` for matchLabels/matchExpressions.
        public var form: Form
    }

    /// Selector forms.
    public enum Form: String, Decodable, Sendable { case map, labelSelector }

    public static let name = "DanglingSelector"
    static let message = "selects no pods: no workload in namespace \"%@\" has matching pod labels"
    let parameters: Parameters
    /// The parsed `path` (nil when malformed, which selects nothing).
    let path: NodePath?

    public init(parameters: Parameters) {
        self.parameters = parameters
        path = NodePath(parameters.path)
    }

    public var readsIndex: Bool { true }
    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let path else { return [] }
        // The first match only, and its path only when it is reported.
        var first: (hit: NodePath.Hit, node: Node)?
        path.forEachHit(object.node) { hit, node, _ in
            if hit.found { first = (hit, node.pointee) }
            return false
        }
        guard let (hit, node) = first else { return [] }
        let selector = parameters.form == .map ? LabelSelector(map: node) : LabelSelector(labelSelector: node)
        guard !selector.isEmpty else { return [] }
        guard !context.index.hasWorkload(inNamespace: object.effectiveNamespace, selectedBy: selector) else { return [] }
        let range = hit.range
        let logical = path.path(of: hit, basePath: "")
        return [
            Violation(
                range: range, file: object.file,
                message: context.message(Self.message).replacingPlaceholders(with: object.effectiveNamespace),
                container: nil, path: logical, fix: nil)
        ]
    }
}
