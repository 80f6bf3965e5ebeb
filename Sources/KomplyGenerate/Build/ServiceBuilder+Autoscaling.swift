import Foundation
import KomplyCore

// HorizontalPodAutoscaler and PodDisruptionBudget for replicated workloads.
extension ServiceBuilder {
    /// Whether a HorizontalPodAutoscaler manages the workload (a Deployment of 2+ replicas): its `spec.replicas` is then
    /// left out of git, base and overlays alike, so that Argo CD's self-heal never undoes the autoscaler's scaling.
    func isAutoscaled(replicas: Int) -> Bool { kind.isAutoscaled && replicas >= 2 && gpuCount == nil }

    /// A HorizontalPodAutoscaler (CPU 70%, up to 3× the replicas) for autoscaled Deployments, and a PodDisruptionBudget
    /// for every workload of 2+ replicas (a GPU Deployment or a StatefulSet scaled by `x-komply.replicas` too: a node
    /// drain must not take all its pods at once).
    mutating func autoscaling(labels: [(String, String)], selector: [(String, String)], replicas: Int) {
        if kind.isScalable, replicas >= 2 {
            output.drafts.append(
                ObjectDraft(
                    kind: "PodDisruptionBudget", name: name,
                    parts: [
                        "metadata": metadata(name, labels: labels),
                        "spec": .members([("maxUnavailable", .int(1)), ("selector", .members([("matchLabels", tree(selector))]))]),
                    ]))
        }
        // CPU utilisation does not measure a GPU workload's load, and each more replica claims whole GPUs.
        guard isAutoscaled(replicas: replicas) else { return }
        output.drafts.insert(
            ObjectDraft(
                kind: "HorizontalPodAutoscaler", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels),
                    "spec": .members([
                        (
                            "scaleTargetRef",
                            .members([("apiVersion", .string(kind.apiVersion)), ("kind", .string(kind.rawValue)), ("name", .string(name))])
                        ),
                        ("minReplicas", .int(replicas)), ("maxReplicas", .int(replicas * 3)),
                        (
                            "metrics",
                            .array([
                                .members([
                                    ("type", .string("Resource")),
                                    (
                                        "resource",
                                        .members([
                                            ("name", .string("cpu")),
                                            ("target", .members([("type", .string("Utilization")), ("averageUtilization", .int(70))])),
                                        ])
                                    ),
                                ])
                            ])
                        ),
                    ]),
                ]), at: output.drafts.count - (kind.isScalable && replicas >= 2 ? 1 : 0))
    }
}
