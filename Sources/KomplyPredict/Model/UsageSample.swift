/// One measurement of one container's usage.
public struct UsageSample: Sendable, Hashable, Codable {
    /// The app (compose project, Kubernetes namespace) as a history key (`HistoryApp.key`); empty for a
    /// row recorded before history was keyed by app.
    public var app: String
    /// The service (workload) the container belongs to.
    public var service: String
    /// The container name inside the workload.
    public var container: String
    /// Seconds since 1970-01-01T00:00:00Z.
    public var time: Double
    /// Which resource.
    public var resource: ResourceKind
    /// Cores or bytes.
    public var value: Double
    /// Where the sample came from (`csv`, `prometheus`, `docker-stats`, …).
    public var source: String

    /// Creates a sample.
    public init(
        app: String = "", service: String, container: String, time: Double, resource: ResourceKind, value: Double, source: String
    ) {
        self.app = app
        self.service = service
        self.container = container
        self.time = time
        self.resource = resource
        self.value = value
        self.source = source
    }
}
