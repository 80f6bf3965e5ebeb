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
}
