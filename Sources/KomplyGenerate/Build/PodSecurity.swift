import KomplyCore

/// A Pod Security Standards level, least permissive first (`restricted < baseline < privileged`).
enum PodSecurityLevel: Int, Comparable, CaseIterable, CustomStringConvertible {
    case restricted, baseline, privileged

    /// The label value (`pod-security.kubernetes.io/enforce: baseline`).
    var description: String {
        switch self {
        case .restricted: "restricted"
        case .baseline: "baseline"
        case .privileged: "privileged"
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One field of a generated pod that a stricter Pod Security level refuses: the least level that admits it,
/// the compose key it came from, and what it is.
struct PodSecurityNeed: Hashable {
    /// The least level that admits the field.
    var level: PodSecurityLevel
    /// The compose key the field translates (`privileged`, `cap_add`, `user`, `volumes[2]`…), for positions.
    var composeKey: String
    /// What the field is, in the user's terms (`privileged: true`, `capabilities NET_ADMIN beyond baseline`).
    var what: String
}

/// The Pod Security Standards checks (kubernetes.io/docs/concepts/security/pod-security-standards) applied to
/// a pod spec the generator built: every field that needs more than `restricted`, with its level.
enum PodSecurity {
    /// The fields of `pod` (a pod spec) that `restricted` refuses, each with the least level that admits it.
    static func needs(of pod: ValueTree, annotations: [String: String] = [:]) -> [PodSecurityNeed] {
        var needs: [PodSecurityNeed] = []
        func need(_ level: PodSecurityLevel, _ key: String, _ what: String) {
            let found = PodSecurityNeed(level: level, composeKey: key, what: what)
            if !needs.contains(found) { needs.append(found) }
        }
        for (field, key) in [("hostNetwork", "network_mode"), ("hostPID", "pid"), ("hostIPC", "ipc")] where pod[field] == .bool(true) {
            need(.privileged, key, "\(field): true")
        }
        let podContext = pod["securityContext"] ?? .object([])
        checkSELinuxAndSeccomp(podContext, key: "security_opt", need: need)
        for sysctl in items(podContext["sysctls"]) {
            let name = sysctl["name"]?.stringValue ?? ""
            if !safeSysctls.contains(name) { need(.privileged, "sysctls", "sysctl \(name)") }
        }
        for volume in items(pod["volumes"]) {
            let type = volume.objectMembers?.first { $0.key != "name" }?.key ?? ""
            if type == "hostPath" {
                need(.privileged, "hostPath:\(volume["hostPath"]?["path"]?.stringValue ?? "")", "hostPath volume")
            } else if !restrictedVolumeTypes.contains(type) {
                need(.baseline, "volumes", "volume type \(type)")
            }
        }
        for (key, value) in annotations.sorted(by: { $0.key < $1.key })
        where key.hasPrefix("container.apparmor.security.beta.kubernetes.io/") && value != "runtime/default"
            && !value.hasPrefix("localhost/")
        {
            need(.privileged, "security_opt", "AppArmor profile \(value)")
        }
        let podNonRoot = podContext["runAsNonRoot"] == .bool(true)
        let podSeccomp = podContext["seccompProfile"]?["type"]?.stringValue
        let containers = ["initContainers", "containers", "ephemeralContainers"].flatMap { items(pod[$0]) }
        for container in containers {
            checkContainer(container, podNonRoot: podNonRoot, podSeccomp: podSeccomp, need: need)
        }
        if podContext["runAsUser"] == .int(0) { need(.baseline, "user", "runAsUser: 0") }
        return needs
    }

    /// The least level that admits every need (restricted when there are none).
    static func level(of needs: [PodSecurityNeed]) -> PodSecurityLevel {
        needs.map(\.level).max() ?? .restricted
    }
}

private extension PodSecurity {
    /// Capabilities the baseline level lets a container add.
    static let baselineCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
        "SETPCAP", "SETUID", "SYS_CHROOT",
    ]

    /// The sysctls baseline allows (the "safe" set, as of Kubernetes 1.29).
    static let safeSysctls: Set<String> = [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    ]

    /// Volume types restricted allows.
    static let restrictedVolumeTypes: Set<String> = [
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    ]

    /// SELinux types baseline allows (besides none).
    static let selinuxTypes: Set<String> = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]

    /// The entries of an array value (none when absent).
    static func items(_ value: ValueTree?) -> [ValueTree] {
        if case .array(let items)? = value { return items }
        return []
    }

    /// The baseline checks of a pod or container security context: SELinux, seccomp, AppArmor, procMount.
    static func checkSELinuxAndSeccomp(_ context: ValueTree, key: String, need: (PodSecurityLevel, String, String) -> Void) {
        if let selinux = context["seLinuxOptions"] {
            let type = selinux["type"]?.stringValue ?? ""
            if !type.isEmpty, !selinuxTypes.contains(type) { need(.privileged, key, "SELinux type \(type)") }
            if selinux["user"] != nil || selinux["role"] != nil { need(.privileged, key, "SELinux user or role") }
        }
        if context["seccompProfile"]?["type"]?.stringValue == "Unconfined" { need(.privileged, key, "seccomp Unconfined") }
        if let apparmor = context["appArmorProfile"]?["type"]?.stringValue, apparmor == "Unconfined" {
            need(.privileged, key, "AppArmor Unconfined")
        }
        if context["windowsOptions"]?["hostProcess"] == .bool(true) { need(.privileged, key, "a Windows HostProcess container") }
        if let mount = context["procMount"]?.stringValue, mount != "Default" { need(.privileged, key, "procMount \(mount)") }
    }

    /// One container's checks: privileged, host ports, capabilities, escalation, non-root, seccomp.
    static func checkContainer(
        _ container: ValueTree, podNonRoot: Bool, podSeccomp: String?, need: (PodSecurityLevel, String, String) -> Void
    ) {
        let context = container["securityContext"] ?? .object([])
        if context["privileged"] == .bool(true) { need(.privileged, "privileged", "privileged: true") }
        checkSELinuxAndSeccomp(context, key: "security_opt", need: need)
        for port in items(container["ports"]) {
            if case .int(let host)? = port["hostPort"], host != 0 { need(.privileged, "ports", "hostPort \(host)") }
        }
        let added = items(context["capabilities"]?["add"]).compactMap(\.stringValue)
        let beyondBaseline = added.filter { !baselineCapabilities.contains($0) }
        if !beyondBaseline.isEmpty {
            need(.privileged, "cap_add", "capabilities \(beyondBaseline.joined(separator: ", ")) beyond the baseline set")
        }
        let beyondRestricted = added.filter { $0 != "NET_BIND_SERVICE" && baselineCapabilities.contains($0) }
        if !beyondRestricted.isEmpty {
            need(.baseline, "cap_add", "capabilities \(beyondRestricted.joined(separator: ", ")) beyond NET_BIND_SERVICE")
        }
        let dropped = items(context["capabilities"]?["drop"]).compactMap(\.stringValue)
        if !dropped.contains("ALL") { need(.baseline, "cap_drop", "capabilities not dropped (drop: [ALL])") }
        if context["allowPrivilegeEscalation"] != .bool(false) { need(.baseline, "privileged", "allowPrivilegeEscalation not false") }
        let nonRoot = context["runAsNonRoot"].map { $0 == .bool(true) } ?? podNonRoot
        if !nonRoot { need(.baseline, "user", "runAsNonRoot not true (runs as root)") }
        if context["runAsUser"] == .int(0) { need(.baseline, "user", "runAsUser: 0") }
        let seccomp = context["seccompProfile"]?["type"]?.stringValue ?? podSeccomp
        if seccomp != "RuntimeDefault", seccomp != "Localhost" { need(.baseline, "security_opt", "no RuntimeDefault seccomp profile") }
    }
}
