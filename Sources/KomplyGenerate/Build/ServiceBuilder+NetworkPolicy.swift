import Foundation
import KomplyCore

// The per-workload NetworkPolicy allows (the namespace's default deny is written by the Generator).
extension ServiceBuilder {
    /// The NetworkPolicy allowing what the service's real connections need: clients, published ports, dependencies, DNS, external hosts.
    mutating func networkPolicy(labels: [(String, String)], selector: [(String, String)]) {
        let ports = context.ports[service.name] ?? []
        var ingressRules: [ValueTree] = []
        let clients = context.connections.filter { $0.value.contains(service.name) }.keys.sorted()
        if !clients.isEmpty, !ports.isEmpty {
            ingressRules.append(
                .members([
                    (
                        "from",
                        .array(
                            clients.map { client in
                                .members([
                                    (
                                        "podSelector",
                                        .members([
                                            (
                                                "matchLabels",
                                                tree(Naming.selector(app: context.appName, service: context.names[client] ?? client))
                                            )
                                        ])
                                    )
                                ])
                            })
                    ),
                    ("ports", .array(ports.map { .members([("port", .int($0.port)), ("protocol", .string($0.proto.uppercased()))]) })),
                ]))
        }
        let published = ports.filter(\.published)
        if !published.isEmpty || options.ingress != nil {
            // Published ports were reachable from outside the compose network: allow any source on them.
            let open = published.isEmpty ? Array(ports.prefix(1)) : published
            ingressRules.append(
                .members([
                    ("ports", .array(open.map { .members([("port", .int($0.port)), ("protocol", .string($0.proto.uppercased()))]) }))
                ]))
        }
        var egressRules: [ValueTree] = [
            .members([
                (
                    "to",
                    .array([
                        .members([
                            (
                                "namespaceSelector",
                                .members([("matchLabels", .members([("kubernetes.io/metadata.name", .string("kube-system"))]))])
                            ),
                            ("podSelector", .members([("matchLabels", .members([("k8s-app", .string("kube-dns"))]))])),
                        ])
                    ])
                ),
                (
                    "ports",
                    .array([
                        .members([("port", .int(53)), ("protocol", .string("UDP"))]),
                        .members([("port", .int(53)), ("protocol", .string("TCP"))]),
                    ])
                ),
            ])
        ]
        for dependency in (context.connections[service.name] ?? []).sorted() {
            let dependencyPorts = context.ports[dependency] ?? []
            guard !dependencyPorts.isEmpty else { continue }
            egressRules.append(
                .members([
                    (
                        "to",
                        .array([
                            .members([
                                (
                                    "podSelector",
                                    .members([
                                        (
                                            "matchLabels",
                                            tree(Naming.selector(app: context.appName, service: context.names[dependency] ?? dependency))
                                        )
                                    ])
                                )
                            ])
                        ])
                    ),
                    (
                        "ports",
                        .array(dependencyPorts.map { .members([("port", .int($0.port)), ("protocol", .string($0.proto.uppercased()))]) })
                    ),
                ]))
        }
        let external = externalHosts()
        if !external.hosts.isEmpty {
            egressRules.append(
                .members([
                    (
                        "to",
                        .array([
                            .members([
                                (
                                    "ipBlock",
                                    .members([
                                        ("cidr", .string("0.0.0.0/0")),
                                        ("except", .array(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(ValueTree.string))),
                                    ])
                                )
                            ])
                        ])
                    ),
                    ("ports", .array(external.ports.sorted().map { .members([("port", .int($0)), ("protocol", .string("TCP"))]) })),
                ]))
            notice(
                .info,
                "egress to external hosts \(external.hosts.sorted().joined(separator: ", ")) is allowed on ports \(external.ports.sorted().map(String.init).joined(separator: ", "))"
            )
        }
        output.drafts.append(
            ObjectDraft(
                kind: "NetworkPolicy", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels),
                    "spec": .members([
                        ("podSelector", .members([("matchLabels", tree(selector))])),
                        ("policyTypes", .array([.string("Ingress"), .string("Egress")])),
                        ("ingress", .array(ingressRules)),
                        ("egress", .array(egressRules)),
                    ]),
                ]))
    }
}

private extension ServiceBuilder {
    /// Hosts outside the app named in environment URLs, and the ports they use.
    func externalHosts() -> (hosts: Set<String>, ports: Set<Int>) {
        var hosts = Set<String>()
        var ports = Set<Int>()
        for value in service.environment.values.compactMap({ $0 }) {
            // A secret inside the URL (its password) hides no host: read the URL around it.
            guard let url = URLComponents(string: SecretTaint.replacing(value) { _ in "secret" }), let scheme = url.scheme,
                let host = url.host, host.contains(".")
            else { continue }
            guard !context.names.keys.contains(host), host != "localhost", !host.hasPrefix("127.") else { continue }
            hosts.insert(host)
            ports.insert(url.port ?? (scheme == "http" ? 80 : 443))
        }
        return (hosts, ports)
    }
}
