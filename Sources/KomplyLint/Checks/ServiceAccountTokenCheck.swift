import KomplyCore

/// Flags pods that get a service account token mounted: neither the pod nor its ServiceAccount
/// (when it is among the linted objects) sets `automountServiceAccountToken: false`. The pod's
/// setting wins over the ServiceAccount's.
public struct ServiceAccountTokenCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "ServiceAccountToken"
    static let message = "mounts a service account token automatically"

    public init(parameters: Parameters) {}

    public var needsPodSpec: Bool { true }

    public var readsIndex: Bool { true }
    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let spec = object.podSpec else { return [] }
        if let own = spec["automountServiceAccountToken"], !own.isNull {
            guard CheckSupport.isTrue(own) else { return [] }
            return [violation(object, range: CheckSupport.range(spec.pair("automountServiceAccountToken")!), spec: spec, context: context)]
        }
        let accountName = spec["serviceAccountName"]?.scalar ?? spec["serviceAccount"]?.scalar ?? "default"
        let account = context.index.firstObject(kind: "ServiceAccount", named: accountName, inNamespace: object.effectiveNamespace)
        if let account, CheckSupport.isFalse(account.node["automountServiceAccountToken"]) { return [] }
        let range = object.podSpecField.map(CheckSupport.range) ?? spec.range
        return [violation(object, range: range, spec: spec, context: context)]
    }

    func violation(_ object: KubeObject, range: SourceRange, spec: Node, context: CheckContext) -> Violation {
        Violation(
            range: range, file: object.file, message: context.message(Self.message), container: nil,
            path: "\(object.podSpecPath).automountServiceAccountToken",
            fix: Fix(
                summary: "set automountServiceAccountToken: false",
                edits: [Fix.Edit(anchor: spec, path: ["automountServiceAccountToken"], value: .bool(false))]))
    }
}
