/// A Kubernetes workload kind komply generates, with the facts about it the generator and the linter ask.
public enum WorkloadKind: String, Sendable, CaseIterable {
    case deployment = "Deployment", statefulSet = "StatefulSet", daemonSet = "DaemonSet", job = "Job", cronJob = "CronJob"

    /// The `apiVersion` objects of this kind are written with.
    public var apiVersion: String {
        switch self {
        case .deployment, .statefulSet, .daemonSet: "apps/v1"
        case .job, .cronJob: "batch/v1"
        }
    }

    /// The path from the object's root to its pod spec.
    public var podTemplatePath: [String] {
        switch self {
        case .deployment, .statefulSet, .daemonSet, .job: ["spec", "template", "spec"]
        case .cronJob: ["spec", "jobTemplate", "spec", "template", "spec"]
        }
    }

    /// Whether the object has a `replicas` count that overlays may set (StatefulSets keep theirs per environment).
    public var isScalable: Bool { self == .deployment || self == .statefulSet }

    /// Whether komply puts a HorizontalPodAutoscaler and a PodDisruptionBudget in front of it when it runs 2+ replicas.
    public var isAutoscaled: Bool { self == .deployment }

    /// Whether its pods run once to completion (no Service, no probes, restarted only on failure).
    public var runsToCompletion: Bool { self == .job || self == .cronJob }

    /// Whether its ports get a ClusterIP Service.
    public var exposesService: Bool { !runsToCompletion }

    /// Whether it has liveness, readiness and startup probes.
    public var hasProbes: Bool { !runsToCompletion }

    /// The pod's `restartPolicy` when it is not the Kubernetes default (`Always`).
    public var restartPolicy: String? { runsToCompletion ? "OnFailure" : nil }

    /// Whether named volumes become `volumeClaimTemplates` (one claim per pod) rather than shared claims.
    public var hasVolumeClaimTemplates: Bool { self == .statefulSet }

    /// Whether it needs a headless Service (`spec.serviceName`) for stable pod names.
    public var needsHeadlessService: Bool { self == .statefulSet }

    /// The path from an object's root to its pod spec for every kind that runs pods (the generated kinds,
    /// Pod, ReplicaSet, ReplicationController, OpenShift's DeploymentConfig, Argo Rollouts' Rollout), or
    /// nil for other kinds: the one pod-spec locator the generator and the linter share.
    public static func podSpecPath(forKind kind: String) -> [String]? {
        if let generated = WorkloadKind(rawValue: kind) { return generated.podTemplatePath }
        switch kind {
        case "Pod": return ["spec"]
        case "ReplicaSet", "ReplicationController", "DeploymentConfig", "Rollout": return ["spec", "template", "spec"]
        default: return nil
        }
    }
}
