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
        var egressRules: [ValueTree] = [dnsEgress()]
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
    /// Egress to the cluster DNS `defaults.dns` names (kube-dns in kube-system unless configured), UDP and TCP.
    func dnsEgress() -> ValueTree {
        let dns = context.settings.dns
        var peers: [ValueTree] = [
            .members([
                ("namespaceSelector", .members([("matchLabels", .members([("kubernetes.io/metadata.name", .string(dns.namespace))]))])),
                (
                    "podSelector",
                    dns.podLabels.isEmpty
                        ? .object([]) : .members([("matchLabels", .sortedObject(dns.podLabels.mapValues(ValueTree.string)))])
                ),
            ])
        ]
        if let address = dns.nodeLocalIP {
            peers.append(.members([("ipBlock", .members([("cidr", .string("\(address)/32"))]))]))
        }
        return .members([
            ("to", .array(peers)),
            (
                "ports",
                .array(
                    dns.ports.flatMap { port in
                        ["UDP", "TCP"].map { ValueTree.members([("port", .int(port)), ("protocol", .string($0))]) }
                    })
            ),
        ])
    }

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
