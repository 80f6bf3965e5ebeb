import KomplyCore

/// Answers "would a namespace enforcing this Pod Security level admit this pod" the way the API server's
/// PodSecurity admission does, for the pod templates of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs
/// and ReplicaSets (admission checks the template too, as a warning on the controller and a refusal of its pods).
///
/// Written from the Pod Security Standards page (kubernetes.io/docs/concepts/security/pod-security-standards,
/// policy version `latest`), not from the generator, so it can disagree with it.
struct PodSecurityEvaluator {
    /// A Pod Security level; each admits what the one before it admits.
    enum Level: String, Comparable, CaseIterable {
        case restricted, baseline, privileged
        static func < (lhs: Level, rhs: Level) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }
    }

    /// A pod template of a workload.
    struct Pod {
        var kind: String
        var name: String
        var annotations: [String: String]
        var spec: ValueTree
    }

    /// A failed check: the policy it belongs to (baseline checks fail both levels) and what failed.
    struct Failure: CustomStringConvertible, Equatable {
        var policy: Level
        var check: String
        var detail: String
        var description: String { "\(policy)/\(check): \(detail)" }
    }

    /// The pod templates of the workloads among `objects`.
    static func pods(in objects: [ValueTree]) -> [Pod] {
        objects.compactMap { object in
            let template: ValueTree?
            switch object["kind"]?.stringValue {
            case "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet": template = object["spec"]?["template"]
            case "CronJob": template = object["spec"]?["jobTemplate"]?["spec"]?["template"]
            case "Pod": template = object
            default: template = nil
            }
            guard let template, let spec = template["spec"] else { return nil }
            var annotations: [String: String] = [:]
            for member in template["metadata"]?["annotations"]?.objectMembers ?? [] {
                annotations[member.key] = member.value.stringValue
            }
            return Pod(
                kind: object["kind"]?.stringValue ?? "", name: object["metadata"]?["name"]?.stringValue ?? "", annotations: annotations,
                spec: spec)
        }
    }

    /// The checks of `level` that `pod` fails (none: the level admits it; `privileged` admits everything).
    static func failures(_ pod: Pod, at level: Level) -> [Failure] {
        let all = baseline(pod) + restricted(pod)
        return all.filter { $0.policy >= level }
    }

    /// The least level that admits `pod`.
    static func leastLevel(_ pod: Pod) -> Level {
        Level.allCases.first { failures(pod, at: $0).isEmpty } ?? .privileged
    }
}

private extension PodSecurityEvaluator {
    /// Every container of the pod (init, regular and ephemeral), with its security context (empty when unset).
    static func containers(_ spec: ValueTree) -> [(name: String, node: ValueTree, context: ValueTree)] {
        ["initContainers", "containers", "ephemeralContainers"].flatMap { field -> [(String, ValueTree, ValueTree)] in
            guard case .array(let list)? = spec[field] else { return [] }
            return list.map { ($0["name"]?.stringValue ?? "?", $0, $0["securityContext"] ?? .object([])) }
        }
    }

    static func strings(_ value: ValueTree?) -> [String] {
        guard case .array(let list)? = value else { return [] }
        return list.compactMap(\.stringValue)
    }

    /// The baseline policy: each failure here also fails restricted.
    static func baseline(_ pod: Pod) -> [Failure] {
        var out: [Failure] = []
        func fail(_ check: String, _ detail: String) { out.append(Failure(policy: .baseline, check: check, detail: detail)) }
        let spec = pod.spec
        let podContext = spec["securityContext"] ?? .object([])
        // HostProcess: Windows host process containers.
        let windows = [podContext] + containers(spec).map(\.context)
        if windows.contains(where: { $0["windowsOptions"]?["hostProcess"] == .bool(true) }) { fail("hostProcess", "hostProcess: true") }
        // Host namespaces.
        for field in ["hostNetwork", "hostPID", "hostIPC"] where spec[field] == .bool(true) { fail("hostNamespaces", "\(field): true") }
        // Privileged containers.
        for container in containers(spec) where container.context["privileged"] == .bool(true) {
            fail("privileged", "container \(container.name) is privileged")
        }
        // Capabilities: only the baseline set may be added.
        let allowedAdds: Set<String> = [
            "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
            "SETPCAP", "SETUID", "SYS_CHROOT",
        ]
        for container in containers(spec) {
            for capability in strings(container.context["capabilities"]?["add"]) where !allowedAdds.contains(capability) {
                fail("capabilities", "container \(container.name) adds \(capability)")
            }
        }
        // HostPath volumes.
        if case .array(let volumes)? = spec["volumes"] {
            for volume in volumes where volume["hostPath"] != nil {
                fail("hostPathVolumes", "volume \(volume["name"]?.stringValue ?? "?")")
            }
        }
        // Host ports.
        for container in containers(spec) {
            guard case .array(let ports)? = container.node["ports"] else { continue }
            for port in ports {
                if let host = port["hostPort"], host != .int(0) { fail("hostPorts", "container \(container.name) hostPort") }
            }
        }
        // AppArmor: annotations (before 1.30) and fields.
        for (key, value) in pod.annotations where key.hasPrefix("container.apparmor.security.beta.kubernetes.io/") {
            if value != "runtime/default", !value.hasPrefix("localhost/") { fail("appArmorProfile", "\(key)=\(value)") }
        }
        for context in [podContext] + containers(spec).map(\.context) {
            if let type = context["appArmorProfile"]?["type"]?.stringValue, type != "RuntimeDefault", type != "Localhost" {
                fail("appArmorProfile", "type \(type)")
            }
        }
        // SELinux: type from the allowed list, no user or role.
        for context in [podContext] + containers(spec).map(\.context) {
            guard let options = context["seLinuxOptions"] else { continue }
            let type = options["type"]?.stringValue ?? ""
            if !["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"].contains(type) {
                fail("seLinuxOptions", "type \(type)")
            }
            if !(options["user"]?.stringValue ?? "").isEmpty || !(options["role"]?.stringValue ?? "").isEmpty {
                fail("seLinuxOptions", "user or role set")
            }
        }
        // /proc mount type.
        for container in containers(spec) {
            if let mount = container.context["procMount"]?.stringValue, mount != "Default" {
                fail("procMount", "\(container.name): \(mount)")
            }
        }
        // Seccomp: Unconfined is forbidden (an absent profile is baseline-legal).
        for context in [podContext] + containers(spec).map(\.context) where context["seccompProfile"]?["type"] == .string("Unconfined") {
            fail("seccompProfile", "Unconfined")
        }
        // Sysctls: the safe set only.
        let safe: Set<String> = [
            "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
        ]
        if case .array(let sysctls)? = podContext["sysctls"] {
            for sysctl in sysctls where !safe.contains(sysctl["name"]?.stringValue ?? "") {
                fail("sysctls", sysctl["name"]?.stringValue ?? "?")
            }
        }
        return out
    }

    /// The restricted policy's own checks (on top of baseline).
    static func restricted(_ pod: Pod) -> [Failure] {
        var out: [Failure] = []
        func fail(_ check: String, _ detail: String) { out.append(Failure(policy: .restricted, check: check, detail: detail)) }
        let spec = pod.spec
        let podContext = spec["securityContext"] ?? .object([])
        // Volume types.
        let allowedVolumes: Set<String> = [
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
        ]
        if case .array(let volumes)? = spec["volumes"] {
            for volume in volumes {
                for member in volume.objectMembers ?? [] where member.key != "name" && !allowedVolumes.contains(member.key) {
                    fail("volumeTypes", "volume \(volume["name"]?.stringValue ?? "?") is \(member.key)")
                }
            }
        }
        for container in containers(spec) {
            let context = container.context
            // Privilege escalation must be explicitly false.
            if context["allowPrivilegeEscalation"] != .bool(false) {
                fail("allowPrivilegeEscalation", "container \(container.name) does not set it false")
            }
            // Running as non-root: the container's setting, else the pod's, must be true.
            let nonRoot = context["runAsNonRoot"] ?? podContext["runAsNonRoot"]
            if nonRoot != .bool(true) { fail("runAsNonRoot", "container \(container.name)") }
            if context["runAsUser"] == .int(0) { fail("runAsUser", "container \(container.name) runs as uid 0") }
            // Seccomp: RuntimeDefault or Localhost, from the container or the pod.
            let seccomp = (context["seccompProfile"] ?? podContext["seccompProfile"])?["type"]?.stringValue
            if seccomp != "RuntimeDefault", seccomp != "Localhost" {
                fail("seccompProfile", "container \(container.name) has \(seccomp ?? "no profile")")
            }
            // Capabilities: drop ALL, add at most NET_BIND_SERVICE.
            if !strings(context["capabilities"]?["drop"]).contains("ALL") {
                fail("capabilities", "container \(container.name) keeps capabilities")
            }
            for capability in strings(context["capabilities"]?["add"]) where capability != "NET_BIND_SERVICE" {
                fail("capabilities", "container \(container.name) adds \(capability)")
            }
        }
        if podContext["runAsUser"] == .int(0) { fail("runAsUser", "the pod runs as uid 0") }
        return out
    }
}
