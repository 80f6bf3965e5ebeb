import Foundation
import KomplyCore

// The Ingress from `x-komply.ingress`.
extension ServiceBuilder {
    /// An Ingress to the service from `x-komply.ingress`.
    mutating func ingress(labels: [(String, String)]) {
        guard let ingress = options.ingress else { return }
        let ports = context.ports[service.name] ?? []
        guard let port = ingress.port.flatMap({ p in ports.first { $0.port == p } }) ?? ports.first(where: \.published) ?? ports.first
        else {
            notice(.warning, "x-komply.ingress is set but the service has no port; no Ingress is written")
            return
        }
        var spec: [(String, ValueTree?)] = [("ingressClassName", ingress.className.map(ValueTree.string))]
        if let secret = ingress.tlsSecret {
            spec.append(("tls", .array([.members([("hosts", .array([.string(ingress.host)])), ("secretName", .string(secret))])])))
        }
        spec.append(
            (
                "rules",
                .array([
                    .members([
                        ("host", .string(ingress.host)),
                        (
                            "http",
                            .members([
                                (
                                    "paths",
                                    .array([
                                        .members([
                                            ("path", .string(ingress.path)), ("pathType", .string("Prefix")),
                                            (
                                                "backend",
                                                .members([
                                                    (
                                                        "service",
                                                        .members([
                                                            ("name", .string(name)), ("port", .members([("name", .string(port.name))])),
                                                        ])
                                                    )
                                                ])
                                            ),
                                        ])
                                    ])
                                )
                            ])
                        ),
                    ])
                ])
            ))
        output.drafts.append(
            ObjectDraft(kind: "Ingress", name: name, parts: ["metadata": metadata(name, labels: labels), "spec": .members(spec)]))
    }
}
