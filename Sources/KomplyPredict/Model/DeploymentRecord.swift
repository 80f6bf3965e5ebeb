/// One deployment of one container: what was declared, where and when.
public struct DeploymentRecord: Sendable, Hashable, Codable {
    /// The app as a history key (`HistoryApp.key`); empty for a legacy row.
    public var app: String
    /// The service (workload) name.
    public var service: String
    /// The container name.
    public var container: String
    /// The image reference.
    public var image: String?
    /// Detected runtime (`jvm`, `node`, `go`, `python`, `nginx`, …).
    public var runtime: String?
    /// Detected role (`web`, `api`, `worker`, `database`, `cache`, `queue`, `batch`).
    public var role: String?
    /// Feature key/values used to find similar services (`heap_bytes`, `workers`, `ports`…).
    public var features: [String: String]
    /// Declared requests and limits.
    public var resources: ResourceAmounts
    /// Replica count.
    public var replicas: Int?
    /// Environment name (`dev`, `staging`, `prod`).
    public var environment: String?
    /// Cluster name.
    public var cluster: String?
    /// The git commit that was deployed.
    public var commit: String?
    /// Seconds since 1970.
    public var time: Double
    /// The outcome, once known (`healthy`, `oom_killed`, `rolled_back`, …).
    public var outcome: String?
    /// Where the recorded resources came from: komply's recommender, an accepted LLM change, or the user.
    public var source: SizingSource

    /// Creates a record.
    public init(
        app: String = "", service: String, container: String, image: String? = nil, runtime: String? = nil, role: String? = nil,
        features: [String: String] = [:], resources: ResourceAmounts = ResourceAmounts(), replicas: Int? = nil,
        environment: String? = nil, cluster: String? = nil, commit: String? = nil, time: Double, outcome: String? = nil,
        source: SizingSource = .deterministic
    ) {
        self.app = app
        self.service = service
        self.container = container
        self.image = image
        self.runtime = runtime
        self.role = role
        self.features = features
        self.resources = resources
        self.replicas = replicas
        self.environment = environment
        self.cluster = cluster
        self.commit = commit
        self.time = time
        self.outcome = outcome
        self.source = source
    }
}

/// Who chose a deployment's resources, as `history record` can tell and `komply backtest` compares them.
public enum SizingSource: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// komply's recommender (or defaults) as `komply generate` wrote them; every row recorded before sources were.
    case deterministic
    /// An accepted LLM operation changed the container's resources (`komply.dev/refined` names them).
    case llm
    /// The user set them: compose `deploy.resources` recorded as declared, or `x-komply.resources`.
    case manual

    public static func < (lhs: SizingSource, rhs: SizingSource) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension SizingSource {
    /// The annotation an accepted LLM change leaves on the workload: `<provider> <model> changed <paths>`.
    public static let refinedAnnotation = "komply.dev/refined"
    /// The pod annotation with the reason for the resources (`…; x-komply.resources` when the user pinned them).
    public static let sizingAnnotation = "komply.dev/sizing"

    /// Who chose `container`'s resources, as komply's annotations on its workload say: `llm` when
    /// `komply.dev/refined` names a path under the container's resources, `manual` when the pod's
    /// `komply.dev/sizing` reason names `x-komply.resources`, else `deterministic`.
    public static func of(container: String, annotations: [String: String], podAnnotations: [String: String]) -> SizingSource {
        // The refined annotation lists service paths (`/containers/api/resources/requests/memory`); the trailing
        // `/` keeps `api` from matching `api-worker`.
        if let refined = annotations[refinedAnnotation], refined.contains("/containers/\(container)/resources") { return .llm }
        if let sizing = podAnnotations[sizingAnnotation], sizing.contains("x-komply.resources") { return .manual }
        return .deterministic
    }
}
