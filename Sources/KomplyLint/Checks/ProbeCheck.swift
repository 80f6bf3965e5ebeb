import KomplyCore

/// Flags containers without the probe named by `probe`. The fix is offered only where the port is
/// known: it copies the container's other probe (readiness ↔ liveness), or probes the container's
/// only declared port with `tcpSocket`.
public struct ProbeCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// `livenessProbe`, `readinessProbe` or `startupProbe`.
        public var probe: String
    }

    public static let name = "Probe"
    static let message = "has no %@ probe"
    let probe: String
    /// `probe` without "Probe" (`liveness`), for messages.
    let noun: String

    public init(parameters: Parameters) {
        probe = parameters.probe
        noun = parameters.probe.replacingOccurrences(of: "Probe", with: "")
    }

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        context.containers(of: object).compactMap { container -> Violation? in
            guard container.node[probe] == nil || container.node[probe]!.isNull else { return nil }
            return Violation(
                node: container.node, message: context.message(Self.message).replacingPlaceholders(with: noun),
                container: container.name, path: "\(container.path).\(probe)", fix: fix(container))
        }
    }

    func fix(_ container: Container) -> Fix? {
        let other = probe == "livenessProbe" ? "readinessProbe" : "livenessProbe"
        if let existing = container.node[other], ["httpGet", "tcpSocket", "grpc"].contains(where: { existing[$0] != nil }) {
            return Fix(
                summary: "add a \(probe) like the container's \(other)",
                edits: [Fix.Edit(anchor: container.node, path: [probe], value: existing.valueTree(schema: .yaml11))])
        }
        let ports = container.node["ports"]?.sequence ?? []
        guard ports.count == 1,
            let port = ports[0]["name"]?.scalar.map(ValueTree.string) ?? ports[0]["containerPort"].map({ $0.valueTree(schema: .yaml11) })
        else { return nil }
        let value: ValueTree = .object([.init(key: "tcpSocket", value: .object([.init(key: "port", value: port)]))])
        return Fix(
            summary: "add a \(probe) on the container's only port", edits: [Fix.Edit(anchor: container.node, path: [probe], value: value)])
    }
}
