import Foundation
import KomplyCore

// Pod and container security contexts (Pod Security "restricted", compose's opt-outs recorded).
extension ServiceBuilder {
    /// Pod and container security contexts: Pod Security "restricted", with compose's opt-outs recorded.
    mutating func securityContexts() -> (pod: ValueTree, container: ValueTree) {
        var uid = options.uid
        var reason = uid != nil ? "x-komply.uid" : ""
        var runAsRoot = false
        if uid == nil, let user = service.user {
            let userPart = String(user.split(separator: ":").first ?? "")
            if let numeric = Int(userPart) {
                if numeric == 0 { runAsRoot = true } else { uid = numeric; reason = "compose user \(user)" }
            } else if userPart == "root" {
                runAsRoot = true
            } else if let known = Self.knownUsers[userPart] ?? classification.profile?.uid {
                uid = known
                reason = "compose user \(userPart) is uid \(known) in this image"
            }
        }
        if uid == nil, !runAsRoot, let profileUID = classification.profile?.uid {
            uid = profileUID
            reason = "image \(classification.profile!.family) runs as uid \(profileUID)"
        }
        if uid == nil, !runAsRoot {
            uid = context.settings.defaultUID
            reason = "unknown image; default uid"
            notice(
                .info,
                "no known non-root user for image \(service.image ?? name); runs as uid \(context.settings.defaultUID) (set x-komply.uid if the image needs another)"
            )
        }
        if runAsRoot {
            risk(
                ["run-as-root"], because: "compose runs this service as root (user: \(service.user ?? "root")); kept as user 0", at: "user")
        }
        let privileged = service.privileged == true
        if privileged {
            risk(
                ["privileged-container", "privilege-escalation-allowed"], because: "compose sets privileged: true; kept", at: "privileged")
        }
        // Docker accepts `CAP_NET_ADMIN` and `net_admin`; Kubernetes (and Pod Security's lists) name it `NET_ADMIN`.
        let capAdd = service.capAdd.map { name in
            let upper = name.uppercased()
            return upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
        }
        if !capAdd.isEmpty {
            risk(
                ["capability-added-beyond-restricted", "capability-added-beyond-baseline", "dangerous-capability-added"],
                because: "compose adds capabilities \(capAdd.joined(separator: ", ")); kept on top of drop ALL", at: "cap_add")
        }
        var pod: [(String, ValueTree?)] = [("runAsNonRoot", .bool(!runAsRoot))]
        if runAsRoot {
            pod.append(("runAsUser", .int(0)))
        } else if let uid {
            pod.append(("runAsUser", .int(uid)))
            pod.append(("runAsGroup", .int(uid)))
            pod.append(("fsGroup", .int(uid)))
        }
        pod.append(("seccompProfile", .members([("type", .string("RuntimeDefault"))])))
        var capabilities: [(String, ValueTree?)] = [("drop", .array([.string("ALL")]))]
        if !capAdd.isEmpty { capabilities.insert(("add", .array(capAdd.map(ValueTree.string))), at: 0) }
        let container: ValueTree = .members([
            ("allowPrivilegeEscalation", .bool(privileged)),
            ("privileged", privileged ? .bool(true) : nil),
            ("readOnlyRootFilesystem", .bool(true)),
            ("runAsNonRoot", .bool(!runAsRoot)),
            ("capabilities", .members(capabilities)),
        ])
        userDecision = runAsRoot ? "user=0 (compose runs it as root)" : "uid=\(uid ?? 0) (\(reason))"
        return (.members(pod), container)
    }

    /// Whether compose runs the service as root and `x-komply.uid` does not override it.
    var runsAsRoot: Bool {
        guard options.uid == nil, let user = service.user?.split(separator: ":").first else { return false }
        return user == "0" || user == "root"
    }

    /// Adds the sysctl that lets a non-root process bind ports below 1024 to the pod security context.
    func appendSecuritySysctl(_ pod: inout [(String, ValueTree?)]) {
        guard let index = pod.firstIndex(where: { $0.0 == "securityContext" }), case .object(var members)? = pod[index].1 else { return }
        members.append(
            .init(
                key: "sysctls",
                value: .array([
                    .members([
                        ("name", .string("net.ipv4.ip_unprivileged_port_start")), ("value", .string("0")),
                    ])
                ])))
        pod[index].1 = .object(members)
    }
}

private extension ServiceBuilder {
    /// Uids of user names common images run as.
    static let knownUsers: [String: Int] = [
        "node": 1000, "nginx": 101, "postgres": 999, "redis": 999, "mysql": 999, "www-data": 33, "nobody": 65534,
        "daemon": 1, "app": 1000, "nonroot": 65532,
    ]
}
