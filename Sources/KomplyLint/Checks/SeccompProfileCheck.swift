import KomplyCore

/// Flags containers whose effective seccomp profile is not one of `allowed` (RuntimeDefault or
/// Localhost by default): container `seccompProfile` overrides the pod's; the legacy
/// `seccomp.security.alpha.kubernetes.io/pod` annotation counts too.
public struct SeccompProfileCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Allowed profile types.
        public var allowed: [String]?
    }

    public static let name = "SeccompProfile"
    static let unset = "has no seccomp profile (RuntimeDefault or Localhost)"
    static let disallowed = "uses seccomp profile %@, expected RuntimeDefault or Localhost"
    let allowed: [String]

    public init(parameters: Parameters) { allowed = parameters.allowed ?? ["RuntimeDefault", "Localhost"] }

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        let legacy = object.podMetadata?["annotations"]?["seccomp.security.alpha.kubernetes.io/pod"]?.scalar
        return context.containers(of: object).compactMap { container -> Violation? in
            // Built for findings only.
            func fix() -> Fix {
                CheckSupport.setOnContainer(
                    container, ["securityContext", "seccompProfile", "type"], .string("RuntimeDefault"),
                    summary: "set securityContext.seccompProfile.type: RuntimeDefault")
            }
            if let profile = CheckSupport.effective("seccompProfile", container: container, podSpec: object.podSpec),
                let typePair = profile.node.pair("type")
            {
                let type = typePair.value.scalar ?? ""
                if allowed.contains(type) { return nil }
                return Violation(
                    range: CheckSupport.range(typePair), file: object.file,
                    message: Self.disallowed.replacingPlaceholders(with: type), container: container.name,
                    path: "\(container.path).securityContext.seccompProfile.type", fix: fix())
            }
            if let legacy, ["runtime/default", "docker/default"].contains(legacy) || legacy.hasPrefix("localhost/") { return nil }
            let anchor = CheckSupport.anchor(container.node, ["securityContext"])
            return Violation(
                range: anchor, file: object.file, message: context.message(Self.unset), container: container.name,
                path: "\(container.path).securityContext.seccompProfile", fix: fix())
        }
    }
}
