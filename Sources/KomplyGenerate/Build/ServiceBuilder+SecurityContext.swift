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
        if uid == nil, !runAsRoot, service.user == nil, let user = classification.dockerfileUser {
            (uid, reason) = dockerfileUID(user)
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
    /// The uid a Dockerfile `USER` names (numeric, a known name, or a name the image profile knows), with the reason;
    /// a root `USER` or a name komply cannot map is warned about and left to the image profile or the default uid.
    mutating func dockerfileUID(_ user: Decision<String>) -> (Int?, String) {
        let name = String(user.value.split(separator: ":").first ?? "")
        if let numeric = Int(name), numeric != 0 { return (numeric, "\(user.reason) is uid \(numeric)") }
        if name == "root" || name == "0" {
            notice(.warning, Self.dockerfileRootUser(user.reason))
            return (nil, "")
        }
        // .NET 8+ images name their non-root user `app` (uid 1654) and set ENV APP_UID=1654 for `USER $APP_UID`.
        if classification.profile?.runtime == .dotnet, ["app", "$APP_UID", "${APP_UID}"].contains(name) {
            return (1654, "\(user.reason) names the .NET image's app user, uid 1654")
        }
        if let known = Self.knownUsers[name] ?? classification.profile?.uid {
            return (known, "\(user.reason) names \(name), uid \(known)")
        }
        notice(.warning, Self.dockerfileUnknownUser(user.reason, name))
        return (nil, "")
    }

    /// The built image's `USER` is root; the pod runs non-root anyway.
    static func dockerfileRootUser(_ source: String) -> String {
        "\(source) is root; the pod runs as a non-root uid under the restricted profile (set x-komply.uid to the uid the app needs, or user: \"0\" in compose to keep root with a recorded risk)"
    }
    /// The built image's `USER` is a name komply cannot map to a uid.
    static func dockerfileUnknownUser(_ source: String, _ name: String) -> String {
        "\(source) names user \(name), whose uid komply does not know; set x-komply.uid to it (Kubernetes' runAsNonRoot needs a number)"
    }

    /// Uids of user names common images run as.
    static let knownUsers: [String: Int] = [
        "node": 1000, "nginx": 101, "postgres": 999, "redis": 999, "mysql": 999, "www-data": 33, "nobody": 65534,
        "daemon": 1, "app": 1000, "nonroot": 65532,
    ]
}
