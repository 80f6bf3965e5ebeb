import Foundation
import KomplyCore

/// Reads `kubectl get deploy,sts,ds -A -o json` dumps: one deployment record per container.
///
/// Assumptions: the app is `--app`, else `metadata.namespace` mapped through the namespace templates
/// (`HistoryImporter.Options.app(namespace:)`); the record's time is `metadata.creationTimestamp` (or `--at`); a missing request
/// defaults to the limit, as the API server does.
enum KubectlImporter {
    static let workloadKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

    static func read(_ root: Node, options: HistoryImporter.Options) throws(PredictError) -> HistoryBatch {
        let fields = NodeFields(node: root)
        var objects: [Node] = []
        if let items = root["items"] {
            guard let list = items.sequence else { throw .invalidInput(items.location, expected: "\"items\" to be an array") }
            objects = list
        } else {
            objects = [root]
        }
        var batch = HistoryBatch()
        for object in objects {
            let item = NodeFields(node: object)
            let kind = try item.optionalString("kind") ?? ""
            guard workloadKinds.contains(kind) else {
                if objects.count == 1 {
                    throw .invalidInput(
                        fields.location("kind"),
                        expected:
                            "a List of Deployment, StatefulSet or DaemonSet objects (kubectl get deploy,sts,ds -A -o json), found kind \"\(kind)\""
                    )
                }
                batch.notes.append("\(object.location): skipped a \(kind.isEmpty ? "kindless" : kind) object")
                continue
            }
            guard let metadata = item.child("metadata") else { throw .invalidInput(item.location(), expected: "a metadata member") }
            let name = try metadata.string("name")
            let created = try metadata.optionalString("creationTimestamp").flatMap(Timestamp.parse)
            guard let time = options.at ?? created else {
                throw .invalidInput(metadata.location(), expected: "metadata.creationTimestamp, or a time given with --at")
            }
            let spec = item.child("spec")
            var podSpec = spec?.child("template")?.child("spec")
            if kind == "CronJob" { podSpec = spec?.child("jobTemplate")?.child("spec")?.child("template")?.child("spec") }
            guard let containers = podSpec?.node["containers"]?.sequence else {
                throw .invalidInput(item.location("spec"), expected: "spec.template.spec.containers")
            }
            let replicas = try spec?.optionalNumber("replicas", within: .replicas).map { Int($0) }
            let annotations = try metadata.stringMap("annotations")
            // Who chose the resources, when komply generated the workload (`komply.dev/refined`, `komply.dev/sizing`).
            let podAnnotations = (try? spec?.child("template")?.child("metadata")?.stringMap("annotations")) ?? [:]
            let namespace = try metadata.optionalString("namespace")
            for containerNode in containers {
                let container = NodeFields(node: containerNode)
                let containerName = try container.string("name")
                let resources = container.child("resources")
                let limits = try amounts(resources?.child("limits"))
                var requests = try amounts(resources?.child("requests"))
                requests.cpu = requests.cpu ?? limits.cpu
                requests.memory = requests.memory ?? limits.memory
                var env: [String: String] = [:]
                for variable in containerNode["env"]?.sequence ?? [] {
                    if let key = variable["name"]?.scalar, let value = variable["value"]?.scalar { env[key] = value }
                }
                let argv =
                    (containerNode["command"]?.sequence ?? []).compactMap(\.scalar)
                    + (containerNode["args"]?.sequence ?? []).compactMap(\.scalar)
                let ports = (containerNode["ports"]?.sequence ?? []).compactMap { $0["containerPort"]?.scalar.flatMap { Int($0) } }
                let image = try container.optionalString("image")
                let features = WorkloadFeatures(
                    app: name, service: options.service ?? name, container: containerName, image: image,
                    command: argv, environment: env, ports: ports)
                let traits = WorkloadTraits.of(features)
                batch.deployments.append(
                    DeploymentRecord(
                        app: options.app(namespace: namespace), service: options.service ?? name, container: containerName, image: image,
                        runtime: traits.runtime,
                        role: traits.role,
                        features: traits.featureMap,
                        resources: ResourceAmounts(
                            cpuRequest: requests.cpu, cpuLimit: limits.cpu, memoryRequest: requests.memory, memoryLimit: limits.memory),
                        replicas: replicas, environment: options.environment ?? namespace, cluster: options.cluster,
                        commit: annotations["komply.dev/commit"], time: time,
                        source: SizingSource.of(container: containerName, annotations: annotations, podAnnotations: podAnnotations)))
            }
        }
        return batch
    }

    static func amounts(_ fields: NodeFields?) throws(PredictError) -> (cpu: Double?, memory: Double?) {
        guard let fields else { return (nil, nil) }
        func quantity(_ key: String) throws(PredictError) -> Quantity? {
            guard let text = try fields.optionalString(key) else { return nil }
            do {
                return try Quantity(parsing: text)
            } catch {
                throw .invalidInput(fields.location(key), expected: "a Kubernetes quantity such as 250m or 512Mi, found \"\(text)\"")
            }
        }
        let cpu = try quantity("cpu").map { Double($0.milliValue) / 1000 }
        let memory = try quantity("memory").map { Double($0.value) }
        return (cpu, memory)
    }
}
