import KomplyCore

/// What the builder needs to know about the whole app.
struct AppContext {
    var project: ComposeProject
    var appName: String
    var settings: GeneratorSettings
    /// Compose service name → Kubernetes name.
    var names: [String: String]
    /// Services each service connects to (depends_on and host names in its environment).
    var connections: [String: Set<String>]
    /// Why each connection exists, per service and target (`depends_on`, `links`, `environment DB_HOST`).
    var evidence: [String: [String: [String]]] = [:]
    /// Ports each service listens on.
    var ports: [String: [ContainerPort]]
    /// Image references per service after resolving `build:`-only services.
    var images: [String: String]
}

/// A container port.
struct ContainerPort: Hashable {
    var port: Int
    var proto: String
    var name: String
    var published: Bool
}
