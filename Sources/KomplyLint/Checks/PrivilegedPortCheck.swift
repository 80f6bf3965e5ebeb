import KomplyCore

/// Flags container ports below the pod's first unprivileged port: 1024, unless the pod sets the sysctl
/// `net.ipv4.ip_unprivileged_port_start` (allowed by the restricted profile), which lets a non-root process
/// bind lower ports without root or `NET_BIND_SERVICE`.
public struct PrivilegedPortCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "PrivilegedPort"
    static let privileged = "listens on privileged port %@, which needs root or NET_BIND_SERVICE"
    static let sysctl = "net.ipv4.ip_unprivileged_port_start"

    public init(parameters: Parameters) {}

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        let firstUnprivileged = Self.firstUnprivilegedPort(object.podSpec)
        return context.containers(of: object).flatMap { container -> [Violation] in
            guard let ports = container.node.pair("ports")?.value.sequence else { return [] }
            return ports.enumerated().compactMap { index, port -> Violation? in
                guard let pair = port.pair("containerPort"), let number = CheckSupport.number(pair.value),
                    number < firstUnprivileged
                else { return nil }
                let message = context.message(Self.privileged).replacingPlaceholders(with: "\(Int(number))")
                return Violation(
                    range: CheckSupport.range(pair), file: object.file, message: message, container: container.name,
                    path: "\(container.path).ports[\(index)].containerPort", fix: nil)
            }
        }
    }
}

private extension PrivilegedPortCheck {
    /// 1024, or the pod's `net.ipv4.ip_unprivileged_port_start` sysctl when it sets one.
    static func firstUnprivilegedPort(_ podSpec: Node?) -> Double {
        let sysctls = podSpec?.pair("securityContext")?.value.pair("sysctls")?.value.sequence ?? []
        for entry in sysctls where entry.pair("name")?.value.scalar == sysctl {
            if let value = CheckSupport.number(entry.pair("value")?.value), value >= 0 { return value }
        }
        return 1024
    }
}
