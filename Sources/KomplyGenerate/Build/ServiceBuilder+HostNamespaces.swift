import KomplyCore

// Host namespaces compose asks for (`network_mode: host`, `pid: host`, `ipc: host`): kept only when a person accepted
// the risk in `x-komply.accept` (reason and expiry), as `x-komply.hostPath` consents to a host path; otherwise the
// key is left out with a warning (ServiceBuilder+Untranslated) that names the acceptance which would keep it.
extension ServiceBuilder {
    /// The pod fields of the host namespaces compose asks for and `x-komply.accept` consents to.
    mutating func hostNamespaces() -> [(String, ValueTree?)] {
        var fields: [(String, ValueTree?)] = []
        for namespace in requestedHostNamespaces where options.accept[namespace.rule] != nil {
            risk(
                [namespace.rule],
                because: "compose shares the node's \(namespace.what) (\(namespace.key): host); kept as \(namespace.field): true",
                at: namespace.key)
            fields.append((namespace.field, .bool(true)))
            // A pod on the node's network resolves cluster names only with this policy.
            if namespace.field == "hostNetwork" { fields.append(("dnsPolicy", .string("ClusterFirstWithHostNet"))) }
        }
        return fields
    }

    /// The host namespaces compose asks for: the compose key, the lint rule that accepts it, the pod field and what it shares.
    var requestedHostNamespaces: [(key: String, rule: String, field: String, what: String)] {
        var found: [(key: String, rule: String, field: String, what: String)] = []
        if service.networkMode == "host" { found.append(("network_mode", "host-network", "hostNetwork", "network namespace")) }
        if service.other["pid"]?.stringValue == "host" { found.append(("pid", "host-pid", "hostPID", "process namespace")) }
        if service.other["ipc"]?.stringValue == "host" { found.append(("ipc", "host-ipc", "hostIPC", "IPC namespace")) }
        return found
    }

    /// Why a compose host-namespace key is left out, with the acceptance that would keep it; nil when it is kept.
    func hostNamespaceLeftOut(_ key: String) -> String? {
        guard let namespace = requestedHostNamespaces.first(where: { $0.key == key }) else { return nil }
        guard options.accept[namespace.rule] == nil else { return nil }
        return
            "the pod gets its own \(namespace.what) (Pod Security admits \(namespace.field) only in a privileged namespace); to keep it, accept the "
            + "risk: x-komply: {accept: {\(namespace.rule): {reason: \"<why>\", expires: <YYYY-MM-DD>}}}"
    }
}
