import KomplyCore

extension PatchValidator {
    /// `/containers/<name>/resources/{requests,limits}/{cpu,memory}`: a quantity above the floor, within the
    /// factor of the draft's value (else of the sizing), and never below the observed peak.
    func resource(
        _ operation: PatchOperation, _ rest: [String], container: String, at path: [TreeStep], workload: Int, _ draft: ServiceDraft,
        _ original: ServiceDraft
    ) throws -> PatchReview.Change {
        guard rest.count == 3, rest[1] == "requests" || rest[1] == "limits", rest[2] == "cpu" || rest[2] == "memory" else {
            throw notAllowed(operation.path)
        }
        let (bound, resource) = (rest[1], rest[2])
        guard let text = operation.value.quantityText else { throw Rejected("\(resource) must be a quantity such as 500m or 512Mi") }
        let quantity: Quantity
        do { quantity = try Quantity(parsing: text) } catch {
            throw Rejected("\(text) is not a Kubernetes quantity")
        }
        let floor = resource == "cpu" ? Quantity(milliCPU: 10) : Quantity(bytes: 16 << 20)
        guard quantity >= floor else { throw Rejected("\(resource) \(bound) \(text) is below the floor \(floor)") }
        let target = path + [.key("resources"), .key(bound), .key(resource)]
        if let reference = reference(resource: resource, bound: bound, container: container, target: target, workload: workload, original) {
            let low = try reference.scaled(by: 1 / resourceFactor)
            let high = try reference.scaled(by: resourceFactor)
            guard quantity >= low, quantity <= high else {
                throw Rejected(
                    "\(resource) \(bound) \(text) is outside \(low)…\(high) (the draft's \(reference) within a factor of \(NumberText.short(resourceFactor)))"
                )
            }
        } else if quantity > (resource == "cpu" ? Quantity(milliCPU: 64_000) : Quantity(bytes: 256 << 30)) {
            throw Rejected("\(resource) \(bound) \(text) is more than one node offers")
        }
        // Peaks are summed over a pod's containers: they bound a container only when it is the pod's only one.
        if draft.containerNames.count == 1 {
            if resource == "memory", let peak = draft.peakMemoryBytes, quantity < Quantity(bytes: Int(peak)) {
                throw Rejected("memory \(bound) \(text) is below the observed peak \(Quantity(bytes: Int(peak)))")
            }
            if resource == "cpu", bound == "limits", let peak = draft.peakCPUCores, quantity.milliValue < Int((peak * 1000).rounded(.up)) {
                throw Rejected("cpu limit \(text) is below the observed peak \(Int((peak * 1000).rounded(.up)))m")
            }
        }
        return PatchReview.Change(
            operation: operation, document: workload, path: target, value: .string(quantity.description), group: "\(container)/\(resource)")
    }

    /// The draft's value at `target`, else the sizing's, else nil.
    func reference(resource: String, bound: String, container: String, target: [TreeStep], workload: Int, _ draft: ServiceDraft)
        -> Quantity?
    {
        if let text = draft.documents[workload].value(at: target)?.quantityText, let quantity = try? Quantity(parsing: text) {
            return quantity
        }
        guard let sizing = draft.sizing[container] else { return nil }
        switch (resource, bound) {
        case ("cpu", "requests"): return sizing.cpuRequest
        case ("cpu", _): return sizing.cpuLimit ?? sizing.cpuRequest
        case (_, "requests"): return sizing.memoryRequest
        default: return sizing.memoryLimit
        }
    }
}
