import KomplyCore

/// One service's generated objects as the deterministic draft has them (its base file's documents), with
/// the evidence bounds are checked against: the sizing per container and the observed peaks.
public struct ServiceDraft: Sendable, Hashable {
    /// The app (output folder name).
    public var app: String
    /// The service (compose name).
    public var service: String
    /// The file's documents, in order.
    public var documents: [ValueTree]
    /// The sizing per container name.
    public var sizing: [String: Recommendation]
    /// Peak CPU in cores observed for the service, when known.
    public var peakCPUCores: Double?
    /// Peak memory in bytes observed for the service, when known.
    public var peakMemoryBytes: Int64?

    /// Creates a draft.
    public init(app: String, service: String, documents: [ValueTree], sizing: [String: Recommendation] = [:]) {
        self.app = app
        self.service = service
        self.documents = documents
        self.sizing = sizing
    }

    /// The index of the workload document (the first with a pod template), nil when there is none.
    public var workloadIndex: Int? {
        documents.firstIndex { WorkloadKind(rawValue: $0["kind"]?.stringValue ?? "") != nil }
    }

    /// The workload's kind.
    public var workloadKind: WorkloadKind? { workloadIndex.flatMap { WorkloadKind(rawValue: documents[$0]["kind"]?.stringValue ?? "") } }

    /// The index of the HorizontalPodAutoscaler scaling the workload, nil when there is none.
    public var autoscalerIndex: Int? {
        guard let workload = workloadIndex, let name = documents[workload].value(at: "metadata", "name")?.stringValue else { return nil }
        return documents.firstIndex {
            $0["kind"]?.stringValue == "HorizontalPodAutoscaler" && $0.value(at: "spec", "scaleTargetRef", "name")?.stringValue == name
        }
    }

    /// The path from the workload's root to its pod spec.
    var podSpecPath: [TreeStep] { (workloadKind?.podTemplatePath ?? ["spec", "template", "spec"]).map { .key($0) } }

    /// The path of the container named `name` in the workload's `containers`, nil when there is none.
    func containerPath(_ name: String) -> [TreeStep]? {
        guard let workload = workloadIndex,
            let containers = documents[workload].value(at: podSpecPath + [.key("containers")])?.arrayItems,
            let index = containers.firstIndex(where: { $0["name"]?.stringValue == name })
        else { return nil }
        return podSpecPath + [.key("containers"), .index(index)]
    }

    /// The names of the workload's containers.
    public var containerNames: [String] {
        guard let workload = workloadIndex else { return [] }
        return (documents[workload].value(at: podSpecPath + [.key("containers")])?.arrayItems ?? []).compactMap { $0["name"]?.stringValue }
    }
}
