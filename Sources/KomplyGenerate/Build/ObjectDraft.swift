import KomplyCore

/// One Kubernetes object before rendering: its kind (the template name) and its parts.
public struct ObjectDraft: Sendable, Equatable {
    /// The template name (a Kubernetes kind such as `Deployment`).
    public var kind: String
    /// The object's name (for file names and collisions).
    public var name: String
    /// Template holes: `metadata`, `spec`, `data`… each a JSON-able tree.
    public var parts: [String: ValueTree]
}
