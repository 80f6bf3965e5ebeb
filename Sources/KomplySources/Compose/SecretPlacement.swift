/// Where in a compose file a secret variable may be interpolated: the places the generator turns
/// into a reference Kubernetes fills from a Secret, and the places komply never writes out.
enum SecretPlacement {
    /// Whether a value at `path` (keys from the document root, `[i]` for list items) may hold a secret marker.
    static func accepts(_ path: [String]) -> Bool {
        guard let top = path.first else { return false }
        if top.hasPrefix("x-") { return true }
        if top == "configs" { return path.count == 3 && path[2] == "content" }
        guard top == "services", path.count >= 3 else { return false }
        let key = path[2]
        switch key {
        // environment → secretKeyRef; command/entrypoint → $(VAR); healthcheck.test → $VAR.
        case "environment", "command", "entrypoint": return true
        case "healthcheck": return path.count >= 4 && path[3] == "test"
        // Build arguments are not written into manifests; `komply sources` masks them.
        case "build": return path.count >= 4 && path[3] == "args"
        default: return key.hasPrefix("x-") && key != "x-komply"
        }
    }

    /// The key path as messages print it: `services.api.labels.team`, `services.api.ports[0]`.
    static func describe(_ path: [String]) -> String {
        path.reduce(into: "") { text, key in
            text += key.hasPrefix("[") || text.isEmpty ? key : ".\(key)"
        }
    }
}
