import KomplyCore

/// Flags workloads whose `serviceAccountName` (or deprecated `serviceAccount`) names a
/// ServiceAccount that is not among the linted objects of its namespace (`default` is assumed).
public struct ServiceAccountReferenceCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "ServiceAccountReference"
    static let message = "uses ServiceAccount \"%@\", which is not among the linted objects"

    public init(parameters: Parameters) {}

    public var needsPodSpec: Bool { true }

    public var readsIndex: Bool { true }
    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let spec = object.podSpec, let pair = spec.pair("serviceAccountName") ?? spec.pair("serviceAccount"),
            let name = pair.value.scalar, !name.isEmpty, name != "default"
        else { return [] }
        let exists = context.index.containsObject(kind: "ServiceAccount", named: name, inNamespace: object.effectiveNamespace)
        guard !exists else { return [] }
        return [
            Violation(
                range: CheckSupport.range(pair), file: object.file,
                message: context.message(Self.message).replacingPlaceholders(with: name), container: nil,
                path: "\(object.podSpecPath).serviceAccountName", fix: nil)
        ]
    }
}
