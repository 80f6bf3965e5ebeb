import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict

/// What `komply generate` wrote for each container, read back from its output folder for `history record
/// --manifests`: the resources in the workload and who chose them. With an environment whose overlay
/// (`<app>/overlays/<env>/kustomization.yaml`) patches a container's resources, the patched values are what
/// that environment runs: komply's per-environment sizing, so `deterministic`.
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
    /// Each workload's container names in pod-spec order (overlay patches address containers by index), by
    /// app key and workload kind and name.
    var containerOrder: [String: [String]] = [:]

    /// The app, workload and container a manifest entry belongs to.
    public struct Key: Sendable, Hashable {
        public var app: String
        public var workload: String
        public var container: String
    }

    /// Reads every `.yaml`/`.yml` file under `folder` (kustomization files aside), then `environment`'s overlay
    /// resource patches, when it has overlays.
    public static func read(folder: String, environment: String? = nil) throws -> DeployedManifests {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError.invalidFlag(flag: "--manifests", value: folder, expected: "the folder komply generate wrote (-o)")
        }
        let all = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
        let files = all.filter {
            ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !($0 as NSString).lastPathComponent.hasPrefix("kustomization.")
        }
        var manifests = DeployedManifests(entries: [:])
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            let data = try YAMLLoader.read(path: path, displayName: path)
            for (index, node) in try YAMLLoader.parse(bytes: data, file: path).enumerated() where node.mapping != nil {
                manifests.add(KubeObject(node: node, documentIndex: index))
            }
        }
        guard let environment else { return manifests }
        for file in all {
            let parts = file.split(separator: "/").map(String.init)
            guard parts.count == 4, parts[1] == "overlays", parts[2] == environment, parts[3] == "kustomization.yaml" else { continue }
            let path = (folder as NSString).appendingPathComponent(file)
            let data = try YAMLLoader.read(path: path, displayName: path)
            guard let kustomization = try YAMLLoader.parse(bytes: data, file: path).first else { continue }
            try manifests.applyPatches(of: kustomization, app: HistoryApp.key(parts[0]), file: path)
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
            let amounts = Self.amounts(container.node["resources"])
            containerOrder[Self.workloadKey(app, object.kind, object.name), default: []].append(container.name)
            entries[Key(app: app, workload: object.name, container: container.name)] = Entry(
                resources: amounts,
                source: SizingSource.of(container: container.name, annotations: object.annotations, podAnnotations: podAnnotations))
        }
    }

    /// The overlay's JSON 6902 patches that replace (or add) a container's resources, or one of its requests or
    /// limits, as `komply generate` writes them per environment.
    mutating func applyPatches(of kustomization: Node, app: String, file: String) throws {
        for item in kustomization["patches"]?.sequence ?? [] {
            guard let kind = item["target"]?["kind"]?.scalar, let name = item["target"]?["name"]?.scalar,
                let text = item["patch"]?.scalar, let order = containerOrder[Self.workloadKey(app, kind, name)]
            else { continue }
            for operation in try YAMLLoader.parse(text, file: file).first?.sequence ?? [] {
                guard let op = operation["op"]?.scalar, op == "replace" || op == "add", let path = operation["path"]?.scalar,
                    let match = path.firstMatch(of: Self.resourcesPath), let index = Int(match.1), order.indices.contains(index),
                    let value = operation["value"]
                else { continue }
                let key = Key(app: app, workload: name, container: order[index])
                guard var entry = entries[key] else { continue }
                var resources = entry.resources
                switch (match.2.map(String.init), match.3.map(String.init)) {
                case (nil, _):
                    resources = Self.amounts(value)
                case ("requests"?, nil):
                    (resources.cpuRequest, resources.memoryRequest) = (Self.cores(value["cpu"]), Self.bytes(value["memory"]))
                case ("limits"?, nil):
                    (resources.cpuLimit, resources.memoryLimit) = (Self.cores(value["cpu"]), Self.bytes(value["memory"]))
                case ("requests"?, "cpu"?): resources.cpuRequest = Self.cores(value)
                case ("requests"?, "memory"?): resources.memoryRequest = Self.bytes(value)
                case ("limits"?, "cpu"?): resources.cpuLimit = Self.cores(value)
                default: resources.memoryLimit = Self.bytes(value)
                }
                entry.resources = resources
                // The environment's own sizing replaced what the base (and any LLM change to it) said.
                entry.source = .deterministic
                entries[key] = entry
            }
        }
    }

    nonisolated(unsafe) static let resourcesPath =
        /^\/spec\/(?:jobTemplate\/spec\/)?template\/spec\/containers\/([0-9]+)\/resources(?:\/(requests|limits)(?:\/(cpu|memory))?)?$/

    static func workloadKey(_ app: String, _ kind: String, _ name: String) -> String { "\(app)/\(kind)/\(name)" }

    static func amounts(_ resources: Node?) -> ResourceAmounts {
        ResourceAmounts(
            cpuRequest: cores(resources?["requests"]?["cpu"]), cpuLimit: cores(resources?["limits"]?["cpu"]),
            memoryRequest: bytes(resources?["requests"]?["memory"]), memoryLimit: bytes(resources?["limits"]?["memory"]))
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
