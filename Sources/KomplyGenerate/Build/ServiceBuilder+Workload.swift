import Foundation
import KomplyCore

// The workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob), its replicas and its ServiceAccount.
extension ServiceBuilder {
    /// The ServiceAccount the pods run as; its token is not mounted.
    mutating func serviceAccount(labels: [(String, String)]) {
        output.drafts.append(
            ObjectDraft(
                kind: "ServiceAccount", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels), "automountServiceAccountToken": .bool(false),
                ]))
    }

    /// Replicas: `x-komply.replicas`, compose `deploy.replicas`, else two for stateless Deployments (one container is an outage on every restart).
    /// A StatefulSet keeps one replica unless `x-komply.replicas` asks for more: compose's `deploy.replicas` would
    /// start independent copies of a database, each with its own volume, not a replicated one.
    mutating func replicaCount() -> Int {
        if let gpuReplicas = gpuReplicaCount() { return gpuReplicas }
        let family = classification.profile?.family ?? "this stateful service"
        if kind == .statefulSet, options.replicas == nil, let asked = service.deploy?.replicas, asked > 1 {
            notice(
                .warning,
                "deploy.replicas: \(asked) would start \(asked) independent copies of \(family), each with its own volume; komply runs one (set x-komply.replicas when the image replicates its data itself)"
            )
            ignores.append(
                Suppression(
                    ruleID: "single-replica",
                    reason: "\(family) keeps its data in one volume; more replicas need the image's own replication"))
            return 1
        }
        if let explicit = options.replicas ?? service.deploy?.replicas {
            if explicit == 1, kind.isScalable {
                ignores.append(Suppression(ruleID: "single-replica", reason: "compose asks for one replica (deploy.replicas: 1)"))
            }
            if kind == .statefulSet, explicit > 1 {
                notice(
                    .warning,
                    "x-komply.replicas: \(explicit) runs \(explicit) pods of \(family), each with its own volume; the image must replicate its data itself"
                )
            }
            return explicit
        }
        switch kind {
        case .deployment:
            if hasClaims {
                ignores.append(
                    Suppression(ruleID: "single-replica", reason: "its ReadWriteOnce volume claim can be mounted by one pod only"))
                return 1
            }
            if let family = inMemoryDataStore {
                notice(
                    .info,
                    "\(family) keeps its data in the pod's memory: replicas behind one Service would be independent copies (a key written through one is missing from the others), so komply runs one and environments do not scale it (x-komply.replicas to override, for a pure cache)"
                )
                ignores.append(
                    Suppression(
                        ruleID: "single-replica",
                        reason: "\(family) keeps its data in the pod's memory, more replicas would be independent copies"))
                return 1
            }
            return 2
        case .statefulSet:
            ignores.append(
                Suppression(
                    ruleID: "single-replica",
                    reason: "\(family) keeps its data in one volume; more replicas need the image's own replication"))
            return 1
        default:
            return 1
        }
    }

    /// Whether the service mounts a named volume (a ReadWriteOnce claim one pod can mount).
    var hasClaims: Bool {
        service.volumes.contains(where: { $0.type == "volume" && $0.source != nil })
    }

    /// Whether an environment's `replicas` may scale it: stateless Deployments only, never a StatefulSet, a
    /// Deployment holding a ReadWriteOnce claim or a GPU service (each replica claims whole GPUs).
    var scalesWithEnvironment: Bool {
        kind == .deployment && gpuCount == nil && !output.drafts.contains { $0.kind == "PersistentVolumeClaim" }
            && (inMemoryDataStore == nil || options.replicas != nil || service.deploy?.replicas != nil)
    }

    /// The family of an image that keeps data clients read back in memory (Redis, Valkey: a data path, cache role)
    /// when it runs without a volume; memcached and other pure caches lose nothing but hits when split.
    var inMemoryDataStore: String? {
        guard let profile = classification.profile, profile.role == .cache, profile.dataPath != nil else { return nil }
        return profile.family
    }

    /// The pod spec with a topology spread that prefers one replica per node.
    func spreadingAcrossNodes(_ pod: ValueTree, selector: [(String, String)]) -> ValueTree {
        pod.adding(
            "topologySpreadConstraints",
            .array([
                .members([
                    ("maxSkew", .int(1)), ("topologyKey", .string("kubernetes.io/hostname")),
                    ("whenUnsatisfiable", .string("ScheduleAnyway")),
                    ("labelSelector", .members([("matchLabels", tree(selector))])),
                ])
            ]))
    }

    /// The workload object of the service's kind around its pod template, with the classification and ignore annotations.
    mutating func workload(
        pod: ValueTree, labels: [(String, String)], selector: [(String, String)], replicas: Int,
        podAnnotations: [(String, String)]
    ) {
        var annotations = [
            (
                "komply.dev/classification",
                "kind=\(kind.rawValue) (\(classification.kind.reason)); role=\(classification.role.value.rawValue) (\(classification.role.reason)); runtime=\(classification.runtime.value.rawValue) (\(classification.runtime.reason)); \(userDecision)"
            )
        ]
        if !ignores.isEmpty {
            annotations.append((Suppression.annotation, Suppression.annotationValue(ignores)))
        }
        var (finalPod, gpus) = pod.extractingGPUs()
        if let gpus {
            finalPod = finalPod.updatingContainer { container in
                container.updating("resources") { resources in
                    resources.updating("limits") { $0.adding("nvidia.com/gpu", .int(gpus)) }
                }
            }
        }
        let template: ValueTree = .members([
            ("metadata", .members([("labels", tree(labels)), ("annotations", tree(podAnnotations))])),
            ("spec", finalPod),
        ])
        let meta = metadata(name, labels: labels, annotations: annotations)
        let spec: ValueTree
        switch kind {
        case .deployment:
            let hasClaims = output.drafts.contains { $0.kind == "PersistentVolumeClaim" }
            spec = .members([
                // The autoscaler sets the count; a count in git would be re-applied on every sync.
                ("replicas", isAutoscaled(replicas: replicas) ? nil : .int(replicas)), ("revisionHistoryLimit", .int(5)),
                ("selector", .members([("matchLabels", tree(selector))])),
                (
                    "strategy",
                    hasClaims
                        ? .members([("type", .string("Recreate"))])
                        : .members([
                            ("type", .string("RollingUpdate")),
                            ("rollingUpdate", .members([("maxUnavailable", .int(0)), ("maxSurge", .int(1))])),
                        ])
                ),
                ("template", template),
            ])
            if hasClaims && replicas > 1 {
                notice(
                    .warning, "\(replicas) replicas share ReadWriteOnce volume claims; they must run on one node (consider a StatefulSet)")
            }
        case .statefulSet:
            spec = .members([
                ("replicas", .int(replicas)), ("serviceName", .string("\(name)-headless")),
                ("selector", .members([("matchLabels", tree(selector))])),
                ("template", template),
                ("volumeClaimTemplates", volumeClaimTemplates.isEmpty ? nil : .array(volumeClaimTemplates)),
            ])
        case .daemonSet:
            spec = .members([("selector", .members([("matchLabels", tree(selector))])), ("template", template)])
        case .job:
            spec = .members([("backoffLimit", .int(3)), ("ttlSecondsAfterFinished", .int(86400)), ("template", template)])
        case .cronJob:
            spec = .members([
                ("schedule", .string(options.schedule ?? "0 0 * * *")), ("concurrencyPolicy", .string("Forbid")),
                ("startingDeadlineSeconds", .int(300)),
                (
                    "jobTemplate",
                    .members([
                        (
                            "spec",
                            .members([
                                ("backoffLimit", .int(3)), ("ttlSecondsAfterFinished", .int(86400)), ("template", template),
                            ])
                        )
                    ])
                ),
            ])
        }
        output.drafts.append(ObjectDraft(kind: kind.rawValue, name: name, parts: ["metadata": meta, "spec": spec]))
    }
}
