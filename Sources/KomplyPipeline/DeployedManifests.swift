import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict

/// What `komply generate` wrote for each container, read back from its output folder for `history record
/// --manifests`: the resources in the workload (the base; overlay patches are not applied) and who chose them.
///
/// Who chose a container's resources comes from komply's annotations (`SizingSource.of`): `llm` when an accepted
/// LLM change named them in `komply.dev/refined`, `manual` for `x-komply.resources`, else `deterministic`.
public struct DeployedManifests: Sendable {
    /// One container as the manifests hold it.
    public struct Entry: Sendable, Hashable {
        /// Requests and limits (cores and bytes).
        public var resources: ResourceAmounts
        /// Who chose them.
        public var source: SizingSource
    }

    /// By app key (`app.kubernetes.io/part-of`, as `HistoryApp.key` spells it), workload name and container name.
    public var entries: [Key: Entry]

    /// The app, workload and container a manifest entry belongs to.
    public struct Key: Sendable, Hashable {
        public var app: String
        public var workload: String
        public var container: String
    }

    /// Reads every `.yaml`/`.yml` file under `folder` (kustomization files aside).
    public static func read(folder: String) throws -> DeployedManifests {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError.invalidFlag(flag: "--manifests", value: folder, expected: "the folder komply generate wrote (-o)")
        }
        let files = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !($0 as NSString).lastPathComponent.hasPrefix("kustomization.") }
            .sorted()
        var manifests = DeployedManifests(entries: [:])
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            let data = try YAMLLoader.read(path: path, displayName: path)
            for (index, node) in try YAMLLoader.parse(bytes: data, file: path).enumerated() where node.mapping != nil {
                manifests.add(KubeObject(node: node, documentIndex: index))
            }
        }
        return manifests
    }

    /// The entry for a container of `app`'s `service`: its own name, else the workload's only container.
    public func entry(app: String, service: String, container: String) -> Entry? {
        let appKey = HistoryApp.key(app), workload = Naming.dnsLabel(service)
        if let entry = entries[Key(app: appKey, workload: workload, container: container)] { return entry }
        if let entry = entries[Key(app: appKey, workload: workload, container: Naming.dnsLabel(container))] { return entry }
        let candidates = entries.filter { $0.key.app == appKey && $0.key.workload == workload }
        return candidates.count == 1 ? candidates.first?.value : nil
    }
}

private extension DeployedManifests {
    mutating func add(_ object: KubeObject) {
        guard WorkloadKind(rawValue: object.kind) != nil else { return }
        let app = HistoryApp.key(object.labels["app.kubernetes.io/part-of"] ?? "")
        let podAnnotations = Self.strings(object.podMetadata?["annotations"])
        for container in object.containers([.container]) {
            let resources = container.node["resources"]
            let amounts = ResourceAmounts(
                cpuRequest: Self.cores(resources?["requests"]?["cpu"]), cpuLimit: Self.cores(resources?["limits"]?["cpu"]),
                memoryRequest: Self.bytes(resources?["requests"]?["memory"]),
                memoryLimit: Self.bytes(resources?["limits"]?["memory"]))
            entries[Key(app: app, workload: object.name, container: container.name)] = Entry(
                resources: amounts,
                source: SizingSource.of(container: container.name, annotations: object.annotations, podAnnotations: podAnnotations))
        }
    }

    static func strings(_ node: Node?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in node?.mapping ?? [] {
            if let key = pair.key.scalar, let value = pair.value.scalar { out[key] = value }
        }
        return out
    }

    static func quantity(_ node: Node?) -> Quantity? {
        guard let text = node?.scalar else { return nil }
        return try? Quantity(parsing: text)
    }

    static func cores(_ node: Node?) -> Double? { quantity(node).map { Double($0.milliValue) / 1000 } }

    static func bytes(_ node: Node?) -> Double? { quantity(node).map { Double($0.bytes) } }
}
