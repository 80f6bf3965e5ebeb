/// Something that happened to a container: an OOM kill, CPU throttling, a restart.
public struct UsageEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case oomKilled = "oom_killed"
        case throttled
        case restart
    }

    /// The app as a history key (`HistoryApp.key`); empty for a legacy row.
    public var app: String
    /// The service.
    public var service: String
    /// The container.
    public var container: String
    /// Seconds since 1970.
    public var time: Double
    /// What happened.
    public var kind: Kind
    /// The memory limit in bytes for an OOM kill, the throttled-period fraction for throttling, the count for restarts.
    public var value: Double?
    /// Free text (exit code, source).
    public var detail: String

    /// Creates an event.
    public init(
        app: String = "", service: String, container: String, time: Double, kind: Kind, value: Double? = nil, detail: String = ""
    ) {
        self.app = app
        self.service = service
        self.container = container
        self.time = time
        self.kind = kind
        self.value = value
        self.detail = detail
    }
}
