import KomplyCore

// The Pod Security level each generated namespace enforces: the least that admits every pod komply puts there.
extension Generator {
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
