import Foundation
import KomplyCore

/// Which workload each pod belonged to, from kube-state-metrics' owner series over the observed window (so a
/// pod deleted during the window still maps): `kube_pod_owner` names the pod's controller; a ReplicaSet maps on
/// to its Deployment through `kube_replicaset_owner`, a Job to its CronJob through `kube_job_owner`; a
/// StatefulSet, DaemonSet or a Job without CronJob is the workload itself.
public struct PodWorkloads: Sendable, Hashable {
    /// `namespace/pod` → workload name.
    public var byPod: [String: String] = [:]

    /// Creates an empty map.
    public init() {}

    /// Builds the map from the label sets of the three owner series (as `/api/v1/series` returns them).
    public init(podOwners: [[String: String]], replicaSetOwners: [[String: String]], jobOwners: [[String: String]]) {
        var replicaSets: [String: String] = [:]
        for labels in replicaSetOwners where labels["owner_kind"] == "Deployment" {
            if let namespace = labels["namespace"], let name = labels["replicaset"], let owner = labels["owner_name"], !owner.isEmpty {
                replicaSets["\(namespace)/\(name)"] = owner
            }
        }
        var jobs: [String: String] = [:]
        for labels in jobOwners where labels["owner_kind"] == "CronJob" {
            if let namespace = labels["namespace"], let name = labels["job_name"], let owner = labels["owner_name"], !owner.isEmpty {
                jobs["\(namespace)/\(name)"] = owner
            }
        }
        // Sorted so a pod listed under two owners (it cannot be, but label sets can repeat) maps the same way each run.
        let owners = podOwners.sorted {
            ($0["owner_kind"] ?? "", $0["owner_name"] ?? "") < ($1["owner_kind"] ?? "", $1["owner_name"] ?? "")
        }
        for labels in owners {
            guard let namespace = labels["namespace"], let pod = labels["pod"], let kind = labels["owner_kind"],
                let name = labels["owner_name"], !name.isEmpty, labels["owner_is_controller"] != "false"
            else { continue }
            let owner: String? =
                switch kind {
                case "ReplicaSet": replicaSets["\(namespace)/\(name)"] ?? name
                case "Job": jobs["\(namespace)/\(name)"] ?? name
                case "StatefulSet", "DaemonSet", "ReplicationController": name
                default: nil
                }
            if let owner { byPod["\(namespace)/\(pod)"] = owner }
        }
    }

    /// The label sets of a `/api/v1/series` response.
    static func labelSets(_ data: Data, file: String) throws(PredictError) -> [[String: String]] {
        let root = try JSONNodes.parse(data, file: file)
        let fields = NodeFields(node: root)
        if let status = try fields.optionalString("status"), status != "success" {
            throw .invalidInput(fields.location("status"), expected: "a successful response (status \"success\"), found \"\(status)\"")
        }
        guard let series = root["data"]?.sequence else {
            throw .invalidInput(fields.location(), expected: "a Prometheus /api/v1/series response with a data array")
        }
        var sets: [[String: String]] = []
        for item in series {
            guard let pairs = item.mapping else { throw .invalidInput(item.location, expected: "a label set (an object)") }
            var labels: [String: String] = [:]
            for pair in pairs {
                guard let key = pair.key.scalar, let value = pair.value.scalar else {
                    throw .invalidInput(pair.value.location, expected: "string label values")
                }
                labels[key] = value
            }
            sets.append(labels)
        }
        return sets
    }
}
