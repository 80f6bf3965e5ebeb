/// Which list of the pod spec a container comes from.
public enum ContainerType: String, Sendable, Hashable, CaseIterable, Codable {
    case container = "containers"
    case initContainer = "initContainers"
    case ephemeralContainer = "ephemeralContainers"

    /// The pod spec key.
    public var key: String { rawValue }
}

/// One container of a workload.
public struct Container: Sendable {
    /// `name`.
    public let name: String
    /// The container's mapping node.
    public let node: Node
    /// Which list it is in.
    public let type: ContainerType
    /// Logical path (`spec.template.spec.containers[api]`).
    public let path: String

    /// A container of the pod spec at `podSpecPath`.
    package init(name: String, node: Node, type: ContainerType, podSpecPath: String) {
        self.name = name
        self.node = node
        self.type = type
        // Built once: an object's containers are listed once per worker and shared by its rules.
        path = String.joining(podSpecPath, ".", type.key, "[", name, "]")
    }

    /// `image` (empty when missing).
    public var image: String { node.scalar(forKey: "image") ?? "" }

    /// Calls `body` with each item of `env`, read in place (env lists are walked for every container).
    public func forEachEnvItem(_ body: (Node) -> Void) {
        node.withValue(forKey: "env") { $0.forEachItem(body) }
    }
}
