import Foundation
import KomplyCore
import KomplyLint
import KomplyPredict

/// `komply lint --fix`: requests and limits sized by komply predict (history, runtime flags, image
/// family) instead of the resource rules' fixed defaults. A container's features come from its
/// manifest: image, command and args, literal environment values, ports, the resources it already
/// declares. History matches by workload name and container name, as `komply history import` records them.
public struct PredictedFixes: Sendable {
    /// The resource each rule's fix sets, and which number of a recommendation it takes.
    public static let resources: [String: (path: [String], pick: @Sendable (Recommendation) -> Quantity?)] = [
        "missing-cpu-request": (["resources", "requests", "cpu"], { $0.cpuRequest }),
        "missing-memory-request": (["resources", "requests", "memory"], { $0.memoryRequest }),
        "missing-cpu-limit": (["resources", "limits", "cpu"], { $0.cpuLimit }),
        "missing-memory-limit": (["resources", "limits", "memory"], { $0.memoryLimit }),
    ]

    /// The recommendation per file, object and container of the linted input.
    private var recommendations: [Key: Recommendation] = [:]

    /// Sizes with the history and tier given (or komply.yaml's), and CPU limits at twice the request
    /// unless komply.yaml's `predict.cpuLimit` says otherwise — the pack asks for CPU limits.
    public init(result: Linter.Result, config: ConfigFile?, history: String?, tier: Tier?) throws {
        let configured = try config.map(SizingConfig.read)
        let recommender = try PredictInput.recommender(
            config: config, history: history, tier: tier, cpuLimit: configured?.cpuLimit ?? .ratio(2))
        self.init(result: result, recommender: recommender)
    }

    /// Recommends for every container of `result`'s files that a resource rule flagged.
    public init(result: Linter.Result, recommender: Recommender) {
        let flagged = Set(
            result.findings.compactMap { finding -> Key? in
                guard Self.resources[finding.ruleID] != nil, let container = finding.container else { return nil }
                return Key(file: finding.location.file, object: finding.object, container: container)
            })
        guard !flagged.isEmpty else { return }
        let sources = Set(flagged.map(\.file)).sorted().compactMap { file in result.texts[file].map { ManifestSource(file: file, text: $0) }
        }
        for object in ManifestLoader.load(sources: sources).objects {
            for container in object.containers() {
                let key = Key(file: object.file, object: object.reference, container: container.name)
                guard flagged.contains(key) else { continue }
                recommendations[key] = recommender.recommend(Self.features(of: container, in: object))
            }
        }
    }

    /// `finding` with its resource fix set to the recommendation, kept within the limits and
    /// requests the container already has; other findings unchanged.
    public func adjust(_ finding: Finding) -> Finding {
        guard let (path, pick) = Self.resources[finding.ruleID], let container = finding.container, let fix = finding.fix,
            let recommendation = recommendations[Key(file: finding.location.file, object: finding.object, container: container)],
            var quantity = pick(recommendation)
        else { return finding }
        var copy = finding
        copy.fix?.edits = fix.edits.map { edit in
            guard edit.path == path else { return edit }
            // A request above an existing limit (or a limit below a request) would trade one finding for another.
            let declared = Self.declared(edit.anchor, path[1] == "requests" ? "limits" : "requests", path[2])
            if let declared { quantity = path[1] == "requests" ? min(quantity, declared) : max(quantity, declared) }
            var changed = edit
            changed.value = .string(quantity.description)
            return changed
        }
        copy.fix?.summary =
            "set \(path.joined(separator: ".")): \(quantity) (komply predict, confidence \(JSONEmitter.number(recommendation.confidence)))"
        return copy
    }
}

private extension PredictedFixes {
    struct Key: Hashable {
        var file: String
        var object: ObjectReference
        var container: String
    }
}

extension PredictedFixes {
    /// The quantity at `resources.<section>.<resource>` of a container node, when valid.
    static func declared(_ container: Node, _ section: String, _ resource: String) -> Quantity? {
        container["resources"]?[section]?[resource]?.scalar.flatMap { try? Quantity(parsing: $0) }
    }

    /// A container's sizing features as its manifest states them: image, argv, literal environment values,
    /// ports, the resources it declares; the app is its `app.kubernetes.io/part-of` label, else its namespace.
    static func features(of container: Container, in object: KubeObject) -> WorkloadFeatures {
        let node = container.node
        let strings = { (key: String) in node[key]?.sequence?.compactMap(\.scalar) ?? [] }
        var environment: [String: String] = [:]
        for variable in node["env"]?.sequence ?? [] {
            if let name = variable["name"]?.scalar, let value = variable["value"]?.scalar { environment[name] = value }
        }
        let ports = (node["ports"]?.sequence ?? []).compactMap { $0["containerPort"]?.scalar.flatMap { Int($0) } }
        let cores = { (section: String) in declared(node, section, "cpu").map { Double($0.milliValue) / 1000 } }
        let bytes = { (section: String) in declared(node, section, "memory").map { Double($0.bytes) } }
        let app = object.labels["app.kubernetes.io/part-of"] ?? object.namespace ?? object.name
        return WorkloadFeatures(
            app: app, service: object.name, container: container.name, image: container.image.isEmpty ? nil : container.image,
            command: strings("command") + strings("args"), environment: environment, ports: ports,
            declared: ResourceAmounts(
                cpuRequest: cores("requests"), cpuLimit: cores("limits"), memoryRequest: bytes("requests"), memoryLimit: bytes("limits")),
            replicas: object.replicas, location: "\(object.file):\(node.location.range?.start.line ?? 1)")
    }
}
