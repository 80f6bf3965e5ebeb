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

    /// Creates a record.
    public init(
        app: String = "", service: String, container: String, image: String? = nil, runtime: String? = nil, role: String? = nil,
        features: [String: String] = [:], resources: ResourceAmounts = ResourceAmounts(), replicas: Int? = nil,
        environment: String? = nil, cluster: String? = nil, commit: String? = nil, time: Double, outcome: String? = nil
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
    }
}
