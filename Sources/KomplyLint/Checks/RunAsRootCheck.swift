import KomplyCore

/// Flags containers that may run as root: neither `runAsNonRoot: true` nor a non-zero `runAsUser`
/// takes effect (container settings override the pod's), or `runAsUser: 0` is set.
public struct RunAsRootCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "RunAsRoot"
    static let runsAsRoot = "may run as root (neither runAsNonRoot: true nor a non-zero runAsUser applies)"
    static let uidZero = "runs as user 0 (root)"

    public init(parameters: Parameters) {}

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        context.containers(of: object).compactMap { container -> Violation? in
            let user = CheckSupport.effective("runAsUser", container: container, podSpec: object.podSpec)
            if let user, CheckSupport.number(user.node) == 0 {
                return Violation(
                    range: CheckSupport.range(user.pair), file: object.file, message: context.message(Self.uidZero),
                    container: container.name, path: "\(container.path).securityContext.runAsUser", fix: nil)
            }
            let nonRoot = CheckSupport.effective("runAsNonRoot", container: container, podSpec: object.podSpec)
            if let nonRoot, CheckSupport.isTrue(nonRoot.node) { return nil }
            if let user, let uid = CheckSupport.number(user.node), uid > 0 { return nil }
            let fix = CheckSupport.setOnContainer(
                container, ["securityContext", "runAsNonRoot"], .bool(true),
                summary: "set securityContext.runAsNonRoot: true")
            if let nonRoot, nonRoot.level == "container" {
                return Violation(
                    range: CheckSupport.range(nonRoot.pair), file: object.file, message: context.message(Self.runsAsRoot),
                    container: container.name, path: "\(container.path).securityContext.runAsNonRoot", fix: fix)
            }
            let anchor = CheckSupport.anchor(container.node, ["securityContext"])
            return Violation(
                range: anchor, file: object.file, message: context.message(Self.runsAsRoot), container: container.name,
                path: "\(container.path).securityContext.runAsNonRoot", fix: fix)
        }
    }
}
