import KomplyCore

// Compose keys the generated workload does not carry: each is a warning at its line, never silence.
extension ServiceBuilder {
    /// Warns once per compose key of the service that has no Kubernetes translation here, at its position.
    mutating func untranslatedKeys() {
        var keys: [(key: String, why: String)] = service.other.keys.sorted().compactMap { key in
            if Self.translatedOtherKeys.contains(key) { return nil }
            if requestedHostNamespaces.contains(where: { $0.key == key }) { return hostNamespaceLeftOut(key).map { (key, $0) } }
            return (key, Self.reasons[key] ?? "komply has no Kubernetes translation for it")
        }
        if service.networkMode == "host" {
            if let why = hostNamespaceLeftOut("network_mode") { keys.append(("network_mode", why)) }
        } else if let mode = service.networkMode, mode != "bridge", mode != "default", joinsPodOf == nil {
            // A service that joins another's pod keeps compose's shared namespace: nothing is left out.
            keys.append(
                (
                    "network_mode",
                    mode.hasPrefix("service:") || mode.hasPrefix("container:")
                        ? Self.sharedNamespaceReason(String(mode.drop { $0 != ":" }.dropFirst()))
                        : "\(mode) is not translated; the service gets its own pod network and reaches others through their Services"
                ))
        }
        if !service.ulimits.isEmpty { keys.append(("ulimits", "Kubernetes sets no per-container ulimits; the node's limits apply")) }
        if service.stopSignal != nil {
            keys.append(("stop_signal", "Kubernetes stops containers with SIGTERM; set STOPSIGNAL in the image or a preStop hook"))
        }
        for (key, why) in keys.sorted(by: { $0.key < $1.key }) {
            output.notices.append(
                Diagnostic(
                    .warning, "service \(service.name): compose key \(key) is left out of the generated workload: \(why)",
                    at: service.komply.positions[key] ?? location))
        }
    }
}

private extension ServiceBuilder {
    /// Why `network_mode: service:<owner>` is not kept: Kubernetes shares a network namespace only inside one pod.
    static func sharedNamespaceReason(_ owner: String) -> String {
        "compose runs it in \(owner)'s network namespace (they talk over localhost, and it is reached at \(owner)'s name); "
            + "Kubernetes shares a network namespace only inside one pod, so komply gives it a pod of its own on "
            + "\(owner)'s networks, with its own Service and allows: calls between the two over localhost, or to its ports at "
            + "\(owner)'s name, do not arrive; point them at its service name (or run both processes in one image)"
    }

    /// Keys kept in `ComposeService.other` that the generator does use.
    static let translatedOtherKeys: Set<String> = ["container_name", "links"]

    /// Why a common untranslated key is left out, in the user's terms.
    static let reasons: [String: String] = [
        "pid": "pods share no process namespace with another container",
        "ipc": "pods share no IPC namespace with another container",
        "devices": "host devices are not mounted into pods (use a device plugin)",
        "sysctls": "pod sysctls beyond the safe set are refused by Pod Security; set them on the node",
        "platform": "the cluster's nodes decide the platform; use a nodeSelector on kubernetes.io/arch",
        "runtime": "set a RuntimeClass for the workload instead",
        "extra_hosts": "add hostAliases to the pod spec with an x-komply template if the app needs them",
        "dns": "pods use the cluster DNS", "dns_search": "pods use the cluster DNS",
        "logging": "the cluster's log collection applies", "init": "add an init process to the image (tini) if needed",
        "stdin_open": "pods have no attached terminal", "tty": "pods have no attached terminal",
        "security_opt": "the pod's securityContext is komply's (restricted profile)",
        "shm_size": "mount an emptyDir with medium Memory at /dev/shm if the app needs more shared memory",
    ]
}
