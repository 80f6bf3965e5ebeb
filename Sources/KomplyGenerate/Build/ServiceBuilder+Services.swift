import Foundation
import KomplyCore

// The ClusterIP and headless Services in front of the workload.
extension ServiceBuilder {
    /// A ClusterIP Service on the service's ports, plus a headless one where the kind needs stable pod names.
    mutating func services(labels: [(String, String)], selector: [(String, String)]) {
        let ports = context.ports[service.name] ?? []
        guard !ports.isEmpty, kind.exposesService else { return }
        let servicePorts: ValueTree = .array(
            ports.map { port in
                .members([
                    ("name", .string(port.name)), ("port", .int(port.port)), ("targetPort", .string(port.name)),
                    ("protocol", .string(port.proto.uppercased())),
                ])
            })
        let published = ports.filter(\.published).map { "\($0.port)/\($0.proto)" }
        var annotations: [(String, String)] = []
        if !published.isEmpty {
            annotations.append(
                (
                    "komply.dev/published-ports",
                    published.joined(separator: ",") + " (published in compose; expose through an Ingress or Gateway)"
                ))
        }
        output.drafts.append(
            ObjectDraft(
                kind: "Service", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels, annotations: annotations),
                    "spec": .members([("type", .string("ClusterIP")), ("selector", tree(selector)), ("ports", servicePorts)]),
                ]))
        if kind.needsHeadlessService {
            output.drafts.append(
                ObjectDraft(
                    kind: "Service", name: "\(name)-headless",
                    parts: [
                        "metadata": metadata("\(name)-headless", labels: labels),
                        "spec": .members([
                            ("clusterIP", .string("None")), ("publishNotReadyAddresses", .bool(true)), ("selector", tree(selector)),
                            ("ports", servicePorts),
                        ]),
                    ]))
        }
    }
}
