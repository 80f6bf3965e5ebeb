import Foundation
import KomplyCore

// GPU services: one replica unless x-komply says more, never autoscaled.
extension ServiceBuilder {
    /// GPUs reserved in compose (`count: all` becomes 1: Kubernetes needs a number).
    var gpuCount: Int? { classification.gpus }

    /// The replica count of a GPU service: `x-komply.replicas` when set, else one (each replica claims whole GPUs,
    /// and compose's `deploy.replicas` on one machine shares that machine's GPUs); nil for services without GPUs.
    mutating func gpuReplicaCount() -> Int? {
        guard let gpus = gpuCount else { return nil }
        if let explicit = options.replicas { return explicit }
        if let asked = service.deploy?.replicas, asked > 1 {
            notice(.warning, Self.gpuReplicasMessage(asked: asked, gpus: gpus))
        }
        ignores.append(Suppression(ruleID: "single-replica", reason: Self.gpuSingleReplicaReason))
        return 1
    }

    /// Why a GPU service runs one replica.
    static let gpuSingleReplicaReason = "a GPU service runs one replica: each more claims whole GPUs (set x-komply.replicas to scale)"

    /// compose asks a GPU service for several replicas.
    static func gpuReplicasMessage(asked: Int, gpus: Int) -> String {
        "deploy.replicas: \(asked) would claim \(asked * gpus) GPUs on Kubernetes (\(gpus) per pod); komply runs one replica and no HorizontalPodAutoscaler (set x-komply.replicas to run more)"
    }
}
