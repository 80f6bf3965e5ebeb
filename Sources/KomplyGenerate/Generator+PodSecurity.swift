import KomplyCore

/// A Pod Security need of one service's pod, with where compose asked for it.
struct LocatedPodSecurityNeed {
    /// The need.
    var need: PodSecurityNeed
    /// The compose service.
    var service: String
    /// The compose key's position (the service's when the key has none).
    var at: SourceLocation?
}

// The Pod Security level each generated namespace enforces: the least that admits every pod komply puts there.
extension Generator {
    /// Warns when apps of one run deploy to the same namespace (a template without `{app}`): each writes that Namespace
    /// with the Pod Security level its own pods need, so the one applied last decides what the other's pods may do.
    func sharedNamespaceNotices(_ apps: [String]) -> [Diagnostic] {
        let environments = settings.environments.isEmpty ? [EnvironmentConfig(name: "default")] : settings.environments
        var owners: [String: [String]] = [:]
        for app in apps {
            for environment in environments { owners[namespace(of: environment, appName: app), default: []].append(app) }
        }
        return owners.keys.sorted().compactMap { namespace in
            let apps = Array(Set(owners[namespace]!)).sorted()
            guard apps.count > 1 else { return nil }
            return Diagnostic(
                .warning,
                "apps \(apps.joined(separator: ", ")) all deploy to namespace \(namespace): each writes that Namespace with the Pod "
                    + "Security level its own pods need (and its own default-deny), so they overwrite each other; put {app} in the "
                    + "namespace template (defaults.namespace or environments[].namespace in komply.yaml)",
                at: nil)
        }
    }

    /// The fields of the service's rendered workload pod that `restricted` refuses, located at the compose keys they
    /// translate (`hostPath:<path>` at the bind mount of that path).
    func podSecurityNeeds(_ documents: [ValueTree], of service: ComposeService) -> [LocatedPodSecurityNeed] {
        var located: [LocatedPodSecurityNeed] = []
        for document in documents {
            guard let kind = document["kind"]?.stringValue.flatMap(WorkloadKind.init(rawValue:)) else { continue }
            var pod: ValueTree? = document
            for key in kind.podTemplatePath { pod = pod?[key] }
            var template: ValueTree? = document
            for key in kind.podTemplatePath.dropLast() { template = template?[key] }
            var annotations: [String: String] = [:]
            for member in template?["metadata"]?["annotations"]?.objectMembers ?? [] { annotations[member.key] = member.value.stringValue }
            guard let pod else { continue }
            for need in PodSecurity.needs(of: pod, annotations: annotations) {
                located.append(LocatedPodSecurityNeed(need: need, service: service.name, at: position(of: need.composeKey, in: service)))
            }
        }
        return located
    }

    /// The labels of an app's namespace: enforce, audit and warn at the least Pod Security level its pods need.
    func podSecurityLabels(_ built: [String: ServiceOutput]) -> [(String, ValueTree?)] {
        let level = podSecurityLevel(built).description
        return ["enforce", "audit", "warn"].flatMap { mode in
            [
                ("pod-security.kubernetes.io/\(mode)", ValueTree.string(level)),
                ("pod-security.kubernetes.io/\(mode)-version", ValueTree.string("latest")),
            ]
        }
    }

    /// The least Pod Security level that admits the pods of every service of the app.
    func podSecurityLevel(_ built: [String: ServiceOutput]) -> PodSecurityLevel {
        PodSecurity.level(of: built.values.flatMap(\.podSecurity).map(\.need))
    }

    /// One warning per service and compose key whose pod needs more than `restricted`, naming the level and the
    /// namespaces that enforce it because of it.
    func podSecurityNotices(_ built: [String: ServiceOutput], services: [ComposeService], namespaces: [String]) -> [Diagnostic] {
        let level = podSecurityLevel(built)
        guard level > .restricted else { return [] }
        let shown =
            namespaces.count == 1 ? "namespace \(namespaces[0]) enforces" : "namespaces \(namespaces.joined(separator: ", ")) enforce"
        var notices: [Diagnostic] = []
        for service in services {
            let needs = built[service.name]?.podSecurity ?? []
            var keys: [String] = []
            for need in needs where !keys.contains(need.need.composeKey) { keys.append(need.need.composeKey) }
            for key in keys {
                let group = needs.filter { $0.need.composeKey == key }
                let needed = PodSecurity.level(of: group.map(\.need))
                notices.append(
                    Diagnostic(
                        .warning,
                        "service \(service.name): its pod needs Pod Security \(needed) (\(group.map(\.need.what).joined(separator: "; "))), "
                            + "so \(shown) \(level) instead of restricted",
                        at: group.first?.at))
            }
        }
        return notices
    }
}

private extension Generator {
    /// The position of a compose key of `service`; `hostPath:<path>` is the bind mount of that host path.
    func position(of key: String, in service: ComposeService) -> SourceLocation? {
        if key.hasPrefix("hostPath:") {
            let path = String(key.dropFirst("hostPath:".count))
            let index = service.volumes.firstIndex { $0.type == "bind" && $0.source.map(Paths.normalized) == path }
            return index.flatMap { service.komply.positions["volumes[\($0)]"] } ?? service.komply.positions["volumes"]
                ?? service.komply.source
        }
        return service.komply.positions[key] ?? service.komply.source
    }
}
