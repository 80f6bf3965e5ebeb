import KomplyCore

/// Flags probes (`probes`: livenessProbe, readinessProbe, startupProbe) whose named port is not a
/// port the container declares.
public struct ProbePortCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Which probes to check.
        public var probes: [String]?
    }

    public static let name = "ProbePort"
    static let message = "has a %@ on port %@, which the container does not declare"
    let probes: [String]

    public init(parameters: Parameters) { probes = parameters.probes ?? ["livenessProbe", "readinessProbe", "startupProbe"] }

    public var needsPodSpec: Bool { true }

    /// The probe handlers that take a port.
    static let handlers = ["httpGet", "tcpSocket", "grpc"]

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        context.containers(of: object).flatMap { container -> [Violation] in
            // The declared port names, read only when some probe names its port.
            var names: Set<String>?
            return probes.compactMap { probe -> Violation? in
                guard let spec = container.node[probe] else { return nil }
                for handler in Self.handlers {
                    guard let pair = spec[handler]?.pair("port"), let port = pair.value.scalar else { continue }
                    if case .int = pair.value.resolved(schema: .yaml11) { return nil }
                    if names == nil { names = Set((container.node["ports"]?.sequence ?? []).compactMap { $0["name"]?.scalar }) }
                    guard !names!.contains(port) else { return nil }
                    let text = JVMHeapCheck.fill(context.message(Self.message), [probe, "\"\(port)\""])
                    return Violation(
                        range: CheckSupport.range(pair), file: object.file, message: text, container: container.name,
                        path: "\(container.path).\(probe).\(handler).port", fix: nil)
                }
                return nil
            }
        }
    }
}
