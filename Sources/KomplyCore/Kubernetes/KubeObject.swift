/// One Kubernetes object read from a manifest, with views of its pod spec and containers.
public final class KubeObject: Sendable {
    /// The object's root mapping node.
    public let node: Node
    /// Who the object is.
    public let reference: ObjectReference
    /// The pod spec mapping for workloads (Pod, Deployment, CronJob, any CRD with `spec.template.spec`).
    public let podSpec: Node?
    /// The logical path to the pod spec (`spec.template.spec`).
    public let podSpecPath: String
    /// The `spec` pair that holds the pod spec (where pod-level missing fields are reported).
    public let podSpecField: Node.Pair?
    /// The pod template's (or pod's) metadata mapping.
    public let podMetadata: Node?
    /// 0-based index of the document in its file.
    public let documentIndex: Int

    /// Creates a view of an object's root mapping.
    public init(node: Node, documentIndex: Int = 0) {
        self.node = node
        self.documentIndex = documentIndex
        let metadata = node["metadata"]
        let apiVersion = node["apiVersion"]?.scalar ?? ""
        let kind = node["kind"]?.scalar ?? ""
        reference = ObjectReference(
            apiVersion: apiVersion, kind: kind, name: metadata?["name"]?.scalar ?? "",
            namespace: metadata?["namespace"]?.scalar.flatMap { $0.isEmpty ? nil : $0 })
        let (spec, path, podMeta) = Self.locatePodSpec(node, kind: kind)
        podSpec = spec
        podSpecField = spec == nil ? nil : Self.parentPair(of: path, in: node)
        podLabels = Self.stringMap(podMeta?["labels"])
        podSpecPath = path
        podMetadata = podMeta
        // Stored: the engine asks every object for each of its phases.
        hasPodSpec = spec != nil
        isWorkload = spec != nil || podMeta != nil
    }

    /// The file the object was read from.
    public var file: String { node.file }
    /// `kind`.
    public var kind: String { reference.kind }
    /// `metadata.name`.
    public var name: String { reference.name }
    /// `metadata.namespace`, or nil.
    public var namespace: String? { reference.namespace }
    /// The namespace the object lands in when applied without `-n`: its own, else `default`.
    public var effectiveNamespace: String { reference.namespace ?? "default" }
    /// `metadata`.
    public var metadata: Node? { node["metadata"] }
    /// `metadata.labels` as strings.
    public var labels: [String: String] { Self.stringMap(metadata?["labels"]) }
    /// `metadata.annotations` as strings.
    public var annotations: [String: String] { Self.stringMap(metadata?["annotations"]) }
    /// The labels the object's pods carry (pod template labels, or the Pod's own); read once.
    public let podLabels: [String: String]
    /// True when the object has a pod spec.
    public let hasPodSpec: Bool
    /// True when the object runs pods (it has a pod spec, or a pod template with labels).
    public let isWorkload: Bool
    /// The API group (`apps` for `apps/v1`, empty for the core group).
    public var apiGroup: String {
        let parts = reference.apiVersion.split(separator: "/")
        return parts.count == 2 ? String(parts[0]) : ""
    }

    /// True for kinds that have `spec.replicas` (Deployment, StatefulSet…).
    public static func isScalable(kind: String) -> Bool { scalable.contains(kind) }

    /// `spec.replicas` for scalable workloads (1 when unset), nil for kinds without replicas.
    public var replicas: Int? {
        guard Self.scalable.contains(kind) else { return nil }
        guard let node = node.value(at: ["spec", "replicas"]) else { return 1 }
        if case .int(let value) = node.resolved(schema: .yaml11) { return value }
        return 1
    }

    /// The container lists rules visit unless they say otherwise.
    public static let defaultContainerTypes: [ContainerType] = [.container, .initContainer]

    /// The containers of the given types, in document order.
    public func containers(_ types: [ContainerType] = KubeObject.defaultContainerTypes) -> [Container] {
        guard let podSpec else { return [] }
        var result: [Container] = []
        for type in types {
            podSpec.withValue(forKey: type.key) { list in
                guard case .sequence(let items) = list.content else { return }
                for index in items.indices {
                    guard case .mapping = items[index].content else { continue }
                    let name = items[index].scalar(forKey: "name") ?? "#\(index)"
                    result.append(Container(name: name, node: items[index], type: type, podSpecPath: podSpecPath))
                }
            }
        }
        return result
    }

    /// The string values of a mapping node.
    package static func stringMap(_ node: Node?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in node?.mapping ?? [] {
            if let key = pair.key.scalar, let value = pair.value.scalar { result[key] = value }
        }
        return result
    }
}

private extension KubeObject {
    static let scalable: Set<String> = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DeploymentConfig", "Rollout"]

    static func parentPair(of path: String, in node: Node) -> Node.Pair? {
        var current = node
        var pair: Node.Pair?
        for key in path.split(separator: ".") {
            guard let next = current.pair(String(key)) else { return nil }
            pair = next
            current = next.value
        }
        return pair
    }

    /// The pod spec, its logical path and the pod metadata, at the path `WorkloadKind.podSpecPath(forKind:)`
    /// gives the kind; for other kinds (custom resources) at `spec.template.spec` when it lists containers.
    static func locatePodSpec(_ node: Node, kind: String) -> (Node?, String, Node?) {
        let known = WorkloadKind.podSpecPath(forKind: kind)
        if let path = known {
            // The pod's metadata sits beside its spec: the object's own for a Pod, the template's otherwise.
            let template = path.count == 1 ? node : node.value(at: Array(path.dropLast()))
            if let spec = template?["spec"], spec.mapping != nil {
                return (spec, dotted(path), template?["metadata"])
            }
        }
        if let template = node["spec"]?["template"], let spec = template["spec"], spec.mapping != nil,
            spec["containers"]?.sequence != nil
        {
            return (spec, "spec.template.spec", template["metadata"])
        }
        // A controller whose template has labels but no spec still owns pods for selectors.
        if known == ["spec", "template", "spec"], let metadata = node["spec"]?["template"]?["metadata"], metadata.mapping != nil {
            return (nil, "spec.template.spec", metadata)
        }
        return (nil, "", nil)
    }

    /// `spec.template.spec` for `["spec", "template", "spec"]`; the usual paths without building a string.
    static func dotted(_ path: [String]) -> String {
        switch path.count {
        case 1: return "spec"
        case 3: return "spec.template.spec"
        default: return path.joined(separator: ".")
        }
    }
}
