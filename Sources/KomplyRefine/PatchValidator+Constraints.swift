import KomplyCore

extension PatchValidator {
    /// Drops the changes that break a constraint between fields the draft kept: request above limit, a heap
    /// over 85% of the memory limit (GOMEMLIMIT 95%), a probe timeout longer than its period, HPA minimum
    /// above maximum. A constraint the draft already broke is not blamed on the model.
    func enforceConstraints(_ review: inout PatchReview, draft: ServiceDraft) {
        let before = Set(violations(in: draft).map(\.description))
        for _ in 0..<8 {
            var patched = draft
            patched.documents = review.applied(to: draft.documents)
            let fresh = violations(in: patched).filter { !before.contains($0.description) }
            guard !fresh.isEmpty else { return }
            let changedGroups = Set(review.accepted.map(\.group))
            guard fresh.contains(where: { changedGroups.contains($0.group) }) else { return }
            review.drop { change in fresh.first { $0.group == change.group }.map { $0.description } }
        }
    }

    /// One broken constraint: which group of fields and what is wrong.
    struct Violation: Hashable {
        var group: String
        var description: String
    }

    /// Every broken constraint in `draft`'s documents.
    func violations(in draft: ServiceDraft) -> [Violation] {
        var found: [Violation] = []
        guard let workload = draft.workloadIndex else { return [] }
        for name in draft.containerNames {
            guard let path = draft.containerPath(name), let container = draft.documents[workload].value(at: path) else { continue }
            for resource in ["cpu", "memory"] {
                let request = container.value(at: "resources", "requests", resource)?.quantityText.flatMap { try? Quantity(parsing: $0) }
                let limit = container.value(at: "resources", "limits", resource)?.quantityText.flatMap { try? Quantity(parsing: $0) }
                if let request, let limit, request > limit {
                    found.append(
                        Violation(
                            group: "\(name)/\(resource)",
                            description: "\(resource) request \(request) of container \(name) is above its limit \(limit)"))
                }
            }
            let limit = container.value(at: "resources", "limits", "memory")?.quantityText.flatMap { try? Quantity(parsing: $0) }?.bytes
            for variable in Self.runtimeVariables.sorted() {
                guard let value = Self.environmentValue(variable, container: path, workload: workload, in: draft), let limit,
                    let heap = Self.heapBytes(variable: variable, value: value, memoryLimit: limit)
                else { continue }
                let share = variable == "GOMEMLIMIT" ? 95 : 85
                if heap > limit / 100 * share {
                    found.append(
                        Violation(
                            group: "\(name)/memory",
                            description:
                                "\(variable) of container \(name) allows \(Quantity(bytes: heap)), over \(share)% of its memory limit \(Quantity(bytes: limit))"
                        ))
                }
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                guard let timeout = container.value(at: probe, "timeoutSeconds")?.wholeNumber,
                    let period = container.value(at: probe, "periodSeconds")?.wholeNumber ?? Optional(10)
                else { continue }
                if timeout > period {
                    found.append(
                        Violation(
                            group: "\(name)/\(probe)",
                            description: "the \(probe) timeout \(timeout)s of container \(name) is longer than its period \(period)s"))
                }
            }
        }
        if let hpa = draft.autoscalerIndex, let low = draft.documents[hpa].value(at: "spec", "minReplicas")?.wholeNumber,
            let high = draft.documents[hpa].value(at: "spec", "maxReplicas")?.wholeNumber, low > high
        {
            found.append(Violation(group: "autoscaling", description: "the HPA's minReplicas \(low) is above its maxReplicas \(high)"))
        }
        return found
    }
}
