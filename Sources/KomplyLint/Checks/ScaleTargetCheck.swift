import KomplyCore

/// Flags a HorizontalPodAutoscaler whose `scaleTargetRef` names no object of that kind in its
/// namespace among the linted objects.
public struct ScaleTargetCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "ScaleTarget"
    static let message = "scales %@, which is not among the linted objects"

    public init(parameters: Parameters) {}

    public var readsIndex: Bool { true }
    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let pair = object.node["spec"]?.pair("scaleTargetRef"), let kind = pair.value["kind"]?.scalar,
            let name = pair.value["name"]?.scalar
        else { return [] }
        let found = context.index.containsObject(kind: kind, named: name, inNamespace: object.effectiveNamespace)
        guard !found else { return [] }
        return [
            Violation(
                range: CheckSupport.range(pair), file: object.file,
                message: context.message(Self.message).replacingPlaceholders(with: "\(kind) \"\(name)\""),
                container: nil, path: "spec.scaleTargetRef", fix: nil)
        ]
    }
}
