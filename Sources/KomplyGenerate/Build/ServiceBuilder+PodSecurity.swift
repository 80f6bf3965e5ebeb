import KomplyCore

// What the service's pod needs from its namespace's Pod Security level, each need at the compose key that asked for it.
extension ServiceBuilder {
    /// Records the fields of `pod` that the `restricted` level refuses, located at the compose keys they translate.
    mutating func recordPodSecurity(_ pod: ValueTree, annotations: [String: String] = [:]) {
        output.podSecurity = PodSecurity.needs(of: pod, annotations: annotations).map { need in
            LocatedPodSecurityNeed(need: need, service: service.name, at: position(of: need.composeKey))
        }
    }
}

/// A Pod Security need of one service's pod, with where compose asked for it.
struct LocatedPodSecurityNeed {
    /// The need.
    var need: PodSecurityNeed
    /// The compose service.
    var service: String
    /// The compose key's position (the service's when the key has none).
    var at: SourceLocation?
}

private extension ServiceBuilder {
    /// The position of a compose key; `hostPath:<path>` is the bind mount of that host path.
    func position(of key: String) -> SourceLocation? {
        if key.hasPrefix("hostPath:") {
            let path = String(key.dropFirst("hostPath:".count))
            let index = service.volumes.firstIndex { $0.type == "bind" && $0.source.map(Paths.normalized) == path }
            return index.flatMap { service.komply.positions["volumes[\($0)]"] } ?? service.komply.positions["volumes"] ?? location
        }
        return service.komply.positions[key] ?? location
    }
}
