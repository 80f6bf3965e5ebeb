import Foundation
import KomplyCore

extension PatchValidator {
    /// `/replicas`: a Deployment without an autoscaler, within the factor of the draft's count.
    func replicas(_ operation: PatchOperation, kind: WorkloadKind, workload: Int, _ draft: ServiceDraft, _ original: ServiceDraft) throws
        -> PatchReview.Change
    {
        switch kind {
        case .deployment: break
        case .statefulSet: throw Rejected("a StatefulSet keeps its replica count: its data lives in per-pod volumes")
        default: throw Rejected("a \(kind.rawValue) has no replica count")
        }
        guard draft.autoscalerIndex == nil else {
            throw Rejected(
                "an HPA scales this Deployment (HPA-managed replicas are not pinned in git); propose /autoscaling/minReplicas instead")
        }
        let current = original.documents[workload].value(at: "spec", "replicas")?.wholeNumber ?? 1
        let value = try whole(operation, "replicas", countRange(around: current))
        return PatchReview.Change(
            operation: operation, document: workload, path: [.key("spec"), .key("replicas")], value: .int(value), group: "replicas")
    }

    /// `/autoscaling/{minReplicas,maxReplicas,targetCPUUtilizationPercentage}` on the draft's HPA.
    func autoscaling(_ operation: PatchOperation, field: String, _ draft: ServiceDraft, _ original: ServiceDraft) throws
        -> PatchReview.Change
    {
        guard let hpa = draft.autoscalerIndex else {
            throw Rejected("the service has no HorizontalPodAutoscaler; autoscaling is the generator's choice")
        }
        let document = original.documents[hpa]
        switch field {
        case "minReplicas", "maxReplicas":
            let current = document.value(at: "spec", field)?.wholeNumber ?? 1
            let value = try whole(operation, field, countRange(around: current))
            return PatchReview.Change(
                operation: operation, document: hpa, path: [.key("spec"), .key(field)], value: .int(value), group: "autoscaling")
        case "targetCPUUtilizationPercentage":
            guard let metrics = document.value(at: "spec", "metrics")?.arrayItems,
                let index = metrics.firstIndex(where: { $0.value(at: "resource", "name")?.stringValue == "cpu" })
            else { throw Rejected("the HPA has no CPU utilization target to adjust") }
            let value = try whole(operation, "targetCPUUtilizationPercentage", 10...95)
            let path: [TreeStep] = [
                .key("spec"), .key("metrics"), .index(index), .key("resource"), .key("target"), .key("averageUtilization"),
            ]
            return PatchReview.Change(operation: operation, document: hpa, path: path, value: .int(value), group: "autoscaling")
        default:
            throw notAllowed(operation.path)
        }
    }

    /// `/annotations/komply.dev~1review-note`: one line for the reviewer; suppressions are never accepted.
    func annotation(_ operation: PatchOperation, key: String, workload: Int) throws -> PatchReview.Change {
        if key.hasPrefix("komply.dev/ignore") {
            throw Rejected("suppressions are written by a human in x-komply (with a reason and an expiry), never by refinement")
        }
        guard key == Self.reviewNote else { throw notAllowed(operation.path) }
        guard case .string(let text) = operation.value, !text.isEmpty, text.count <= 300, !text.contains(where: \.isNewline),
            !SecretTaint.holdsMarkerCharacter(text)
        else { throw Rejected("\(key) must be one line of at most 300 characters") }
        if SecretDetector.shapeReason(text, entropy: false) != nil { throw Rejected("\(key) looks like it holds a credential") }
        return PatchReview.Change(
            operation: operation, document: workload, path: [.key("metadata"), .key("annotations"), .key(key)], value: .string(text),
            group: "annotations")
    }

    /// The one annotation refinement may write.
    static let reviewNote = "komply.dev/review-note"
}
