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

    public init(parameters: Parameters) { self.parameters = parameters }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let path = NodePath(parameters.path), case .found(let node, let pair, let logical)? = path.evaluate(object.node).first else {
            return []
        }
        let selector = parameters.form == .map ? LabelSelector(map: node) : LabelSelector(labelSelector: node)
        guard !selector.isEmpty else { return [] }
        let workloads = context.index.workloads(inNamespace: object.effectiveNamespace, candidatesFor: selector)
        guard !workloads.contains(where: { selector.matches($0.podLabels) }) else { return [] }
        let range = pair.map(CheckSupport.range) ?? node.range
        return [
            Violation(
                range: range, file: object.file,
                message: context.message(Self.message).replacingOccurrences(of: "%@", with: object.effectiveNamespace),
                container: nil, path: logical, fix: nil)
        ]
    }
}
