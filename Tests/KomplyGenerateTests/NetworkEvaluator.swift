import KomplyCore

/// Answers "can this pod reach that one" for the generated objects of one app, the way a cluster would:
/// Services (selector → pods, port → targetPort, named ports), NetworkPolicies (pod selectors with
/// matchLabels and matchExpressions, policy types, peers by pod, namespace and ipBlock, ports by number,
/// range or name) on both sides (egress of the source, ingress of the destination), and DNS to kube-dns.
///
/// Written from the Kubernetes NetworkPolicy semantics, not from the generator, so it can disagree with it.
struct NetworkEvaluator {
    /// A pod of the app (one per workload), or a pod of the cluster around it.
    struct Pod {
        var workload: String
        var namespace: String
        var labels: [String: String]
        /// Container ports: name (may be empty) → number and protocol.
        var ports: [(name: String, port: Int, proto: String)]
        /// A pod address; every pod lives in the cluster's private pod range.
        var ip: [Int] = [10, 244, 0, 1]
    }

    /// The namespace the app is deployed to (overlays set it; the base is namespace-less).
    let namespace: String
    /// The app's pods by workload name, plus kube-dns.
    private(set) var pods: [String: Pod] = [:]
    private var services: [String: ValueTree] = [:]
    private var policies: [ValueTree] = []
    /// Namespace name → labels (the API server sets `kubernetes.io/metadata.name`).
    private var namespaceLabels: [String: [String: String]]

    /// The kube-dns pod most clusters run (kubeadm, kind, GKE, EKS label it `k8s-app: kube-dns`).
    static let dnsPod = Pod(
        workload: "kube-dns", namespace: "kube-system", labels: ["k8s-app": "kube-dns"],
        ports: [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")], ip: [10, 244, 9, 9])

    /// Reads the objects of one app's base; every one is placed in `namespace`.
    init(objects: [ValueTree], namespace: String = "app") {
        self.namespace = namespace
        namespaceLabels = [
            namespace: ["kubernetes.io/metadata.name": namespace], "kube-system": ["kubernetes.io/metadata.name": "kube-system"],
        ]
        pods["kube-dns"] = Self.dnsPod
        for object in objects {
            guard let kind = object["kind"]?.stringValue, let name = object["metadata"]?["name"]?.stringValue else { continue }
            switch kind {
            case "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet":
                if let template = object["spec"]?["template"] { pods[name] = Self.pod(name, template: template, namespace: namespace) }
            case "CronJob":
                if let template = object["spec"]?["jobTemplate"]?["spec"]?["template"] {
                    pods[name] = Self.pod(name, template: template, namespace: namespace)
                }
            case "Service": services[name] = object
            case "NetworkPolicy": policies.append(object)
            default: break
            }
        }
    }

    /// Whether `from` can connect to the Service `service` on its `port` (any of its ports when nil) and reach a pod
    /// of the workload `to` behind it; returns the destination pod port that works, or nil.
    func viaService(from: String, service: String, port: Int?, to: String) -> Int? {
        guard let source = pods[from], let destination = pods[to], let object = services[service],
            let selector = object["spec"]?["selector"], case .object(let members) = selector, !members.isEmpty
        else { return nil }
        let wanted = Dictionary(members.compactMap { m in m.value.stringValue.map { (m.key, $0) } }) { a, _ in a }
        guard wanted.allSatisfy({ destination.labels[$0.key] == $0.value }) else { return nil }
        for servicePort in object["spec"]?["ports"]?.items ?? [] {
            guard let number = servicePort["port"]?.intValue, port == nil || port == number else { continue }
            let proto = servicePort["protocol"]?.stringValue ?? "TCP"
            let target: Int?
            switch servicePort["targetPort"] {
            case .int(let value)?: target = value
            case .string(let name)?: target = destination.ports.first { $0.name == name && $0.proto == proto }?.port
            default: target = number
            }
            if let target, allowed(source, destination, port: target, proto: proto) { return target }
        }
        return nil
    }

    /// Whether the source pod may open a connection to the destination pod on `port`: its egress and the
    /// destination's ingress both allow it.
    func allowed(_ source: Pod, _ destination: Pod, port: Int, proto: String = "TCP") -> Bool {
        isAllowed(direction: "Egress", selected: source, peer: destination, portOwner: destination, port: port, proto: proto)
            && isAllowed(direction: "Ingress", selected: destination, peer: source, portOwner: destination, port: port, proto: proto)
    }

    /// Whether a pod of the app can resolve names: UDP and TCP 53 to kube-dns.
    func resolvesDNS(_ workload: String, via dns: Pod = dnsPod, port: Int = 53) -> Bool {
        guard let pod = pods[workload] else { return false }
        return allowed(pod, dns, port: port, proto: "UDP") && allowed(pod, dns, port: port, proto: "TCP")
    }

    /// Every port of `to`'s containers that `from` may open directly, pod to pod (Services or not).
    func openPorts(from: String, to: String) -> [Int] {
        guard let source = pods[from], let destination = pods[to] else { return [] }
        // Any port: a policy that allows all ports shows up on a port nobody declared too.
        let candidates = Set(destination.ports.map(\.port) + [1, 8080, 65000])
        return candidates.sorted().filter { allowed(source, destination, port: $0) }
    }
}

private extension NetworkEvaluator {
    static func pod(_ name: String, template: ValueTree, namespace: String) -> Pod {
        let labels = stringMap(template["metadata"]?["labels"])
        var ports: [(String, Int, String)] = []
        for container in template["spec"]?["containers"]?.items ?? [] {
            for port in container["ports"]?.items ?? [] {
                guard let number = port["containerPort"]?.intValue else { continue }
                ports.append((port["name"]?.stringValue ?? "", number, port["protocol"]?.stringValue ?? "TCP"))
            }
        }
        return Pod(workload: name, namespace: namespace, labels: labels, ports: ports)
    }

    static func stringMap(_ tree: ValueTree?) -> [String: String] {
        guard case .object(let members)? = tree else { return [:] }
        return Dictionary(members.compactMap { m in m.value.stringValue.map { (m.key, $0) } }) { a, _ in a }
    }

    /// One side of the decision: a pod no policy of that type selects is not isolated in that direction.
    func isAllowed(direction: String, selected: Pod, peer: Pod, portOwner: Pod, port: Int, proto: String) -> Bool {
        var isolated = false
        for policy in policies {
            let policyNamespace = policy["metadata"]?["namespace"]?.stringValue ?? namespace
            guard policyNamespace == selected.namespace, let spec = policy["spec"],
                Self.matches(spec["podSelector"], labels: selected.labels)
            else { continue }
            let hasEgress = spec["egress"] != nil
            let types =
                spec["policyTypes"]?.items?.compactMap(\.stringValue) ?? (hasEgress ? ["Ingress", "Egress"] : ["Ingress"])
            guard types.contains(direction) else { continue }
            isolated = true
            let key = direction == "Ingress" ? "ingress" : "egress"
            let peerKey = direction == "Ingress" ? "from" : "to"
            for rule in spec[key]?.items ?? [] {
                let peers = rule[peerKey]?.items ?? []
                let peerOK = peers.isEmpty || peers.contains { matchesPeer($0, peer, policyNamespace: policyNamespace) }
                let ports = rule["ports"]?.items ?? []
                let portOK = ports.isEmpty || ports.contains { Self.matchesPort($0, port: port, proto: proto, owner: portOwner) }
                if peerOK && portOK { return true }
            }
        }
        return !isolated
    }

    func matchesPeer(_ peer: ValueTree, _ pod: Pod, policyNamespace: String) -> Bool {
        if let block = peer["ipBlock"] {
            guard let cidr = block["cidr"]?.stringValue, Self.contains(cidr, pod.ip) else { return false }
            return !(block["except"]?.items ?? []).compactMap(\.stringValue).contains { Self.contains($0, pod.ip) }
        }
        let podSelector = peer["podSelector"]
        let namespaceSelector = peer["namespaceSelector"]
        if podSelector == nil && namespaceSelector == nil { return false }
        if let namespaceSelector {
            // The API server labels every namespace with its name.
            let labels = namespaceLabels[pod.namespace] ?? ["kubernetes.io/metadata.name": pod.namespace]
            guard Self.matches(namespaceSelector, labels: labels) else { return false }
        } else if pod.namespace != policyNamespace {
            return false
        }
        return podSelector == nil || Self.matches(podSelector, labels: pod.labels)
    }

    /// A label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist); `{}` selects all.
    static func matches(_ selector: ValueTree?, labels: [String: String]) -> Bool {
        guard let selector else { return false }
        for (key, value) in stringMap(selector["matchLabels"]) where labels[key] != value { return false }
        for expression in selector["matchExpressions"]?.items ?? [] {
            guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else { return false }
            let values = (expression["values"]?.items ?? []).compactMap(\.stringValue)
            switch op {
            case "In": if !(labels[key].map(values.contains) ?? false) { return false }
            case "NotIn": if labels[key].map(values.contains) ?? false { return false }
            case "Exists": if labels[key] == nil { return false }
            case "DoesNotExist": if labels[key] != nil { return false }
            default: return false
            }
        }
        return true
    }

    /// A NetworkPolicy port: a number (with `endPort` a range) or a name of the destination pod's container port.
    static func matchesPort(_ rule: ValueTree, port: Int, proto: String, owner: Pod) -> Bool {
        guard (rule["protocol"]?.stringValue ?? "TCP") == proto else { return false }
        switch rule["port"] {
        case nil: return true
        case .int(let start)?: return port == start || (rule["endPort"]?.intValue).map { start <= port && port <= $0 } ?? false
        case .string(let name)?: return owner.ports.contains { $0.name == name && $0.port == port && $0.proto == proto }
        default: return false
        }
    }

    static func contains(_ cidr: String, _ ip: [Int]) -> Bool {
        let parts = cidr.split(separator: "/")
        let octets = parts.first.map { $0.split(separator: ".").compactMap { Int($0) } } ?? []
        guard octets.count == 4, let bits = parts.count == 2 ? Int(parts[1]) : 32 else { return false }
        let value = { (o: [Int]) in o.reduce(0) { $0 << 8 | $1 } }
        let mask = bits == 0 ? 0 : (0xFFFF_FFFF << (32 - bits)) & 0xFFFF_FFFF
        return value(octets) & mask == value(ip) & mask
    }
}

extension ValueTree {
    /// The items, or nil when this is not an array.
    var items: [ValueTree]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The integer, or nil when this is not one.
    var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }
}
