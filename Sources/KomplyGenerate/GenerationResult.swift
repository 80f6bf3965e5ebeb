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

    /// Creates a result; by default the run owns the folders of the apps its files belong to.
    public init(files: [GeneratedFile], notices: [Diagnostic], scope: [String]? = nil) {
        self.files = files
        self.notices = notices
        self.scope = scope ?? Set(files.compactMap { $0.path.split(separator: "/").first.map { "\($0)/" } }).sorted()
    }

    /// Whether `path` (relative to the output folder) is this run's to write or remove.
    public func owns(_ path: String) -> Bool {
        scope.contains { $0.hasSuffix("/") ? path.hasPrefix($0) : path == $0 }
    }
}
