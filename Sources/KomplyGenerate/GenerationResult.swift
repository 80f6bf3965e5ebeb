import KomplyCore

/// One file of generated output, relative to the output folder.
public struct GeneratedFile: Sendable, Equatable {
    /// Path relative to the output folder, e.g. `shop/base/api.yaml`.
    public var path: String
    /// The file's bytes as text.
    public var contents: String
}

/// What `generate` produced for a set of apps.
public struct GenerationResult: Sendable, Equatable {
    /// Files, sorted by path.
    public var files: [GeneratedFile]
    /// Notes and warnings with positions in the sources.
    public var notices: [Diagnostic]
    /// What this run owns, relative to the output folder: folders (ending in `/`) and files. Only komply-owned
    /// files in it are replaced or removed; everything else (another environment's overlay when `--env`
    /// selects one) is left as it is.
    public var scope: [String]
    /// The traffic graph of each app: every edge komply found, with its evidence (`generate --explain`).
    public var traffic: [TrafficEdge]

    /// Creates a result; by default the run owns the folders of the apps its files belong to.
    public init(files: [GeneratedFile], notices: [Diagnostic], scope: [String]? = nil, traffic: [TrafficEdge] = []) {
        self.files = files
        self.notices = notices
        self.traffic = traffic
        self.scope = scope ?? Set(files.compactMap { $0.path.split(separator: "/").first.map { "\($0)/" } }).sorted()
    }

    /// Whether `path` (relative to the output folder) is this run's to write or remove.
    public func owns(_ path: String) -> Bool {
        scope.contains { $0.hasSuffix("/") ? path.hasPrefix($0) : path == $0 }
    }
}

/// One edge of an app's traffic graph: a service that connects to another, why komply thinks so, and on
/// which ports the NetworkPolicies allow it (none when the target's port is unknown: then it is warned).
public struct TrafficEdge: Sendable, Equatable, CustomStringConvertible {
    /// The app (its output folder name).
    public var app: String
    /// The connecting service (compose name).
    public var from: String
    /// The service it connects to (compose name).
    public var to: String
    /// Allowed ports as `5432/tcp`; empty when komply found no port for `to`.
    public var ports: [String]
    /// Why the edge exists: `depends_on`, `links`, `environment DATABASE_URL`.
    public var evidence: [String]

    /// Creates an edge.
    public init(app: String, from: String, to: String, ports: [String], evidence: [String]) {
        self.app = app
        self.from = from
        self.to = to
        self.ports = ports
        self.evidence = evidence
    }

    /// `shop: web → db on 5432/tcp (depends_on, environment DATABASE_URL)`.
    public var description: String {
        let allowed = ports.isEmpty ? "not allowed: no port known (warned)" : "on \(ports.joined(separator: ", "))"
        return "\(app): \(from) → \(to) \(allowed) (\(evidence.joined(separator: ", ")))"
    }
}
