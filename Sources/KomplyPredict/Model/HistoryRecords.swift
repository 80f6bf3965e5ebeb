import Foundation

/// Which resource a sample measures.
public enum ResourceKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// CPU in cores (usage rate averaged over the sample interval).
    case cpu
    /// Working-set memory in bytes.
    case memory
}

/// One measurement of one container's usage.
public struct UsageSample: Sendable, Hashable, Codable {
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
    public init(service: String, container: String, time: Double, resource: ResourceKind, value: Double, source: String) {
        self.service = service
        self.container = container
        self.time = time
        self.resource = resource
        self.value = value
        self.source = source
    }
}

/// Something that happened to a container: an OOM kill, CPU throttling, a restart.
public struct UsageEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case oomKilled = "oom_killed"
        case throttled
        case restart
    }

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
    public init(service: String, container: String, time: Double, kind: Kind, value: Double? = nil, detail: String = "") {
        self.service = service
        self.container = container
        self.time = time
        self.kind = kind
        self.value = value
        self.detail = detail
    }
}

/// Requests and limits of one container, in cores and bytes; nil where not set.
public struct ResourceAmounts: Sendable, Hashable, Codable {
    /// CPU request in cores.
    public var cpuRequest: Double?
    /// CPU limit in cores.
    public var cpuLimit: Double?
    /// Memory request in bytes.
    public var memoryRequest: Double?
    /// Memory limit in bytes.
    public var memoryLimit: Double?

    /// Creates amounts.
    public init(cpuRequest: Double? = nil, cpuLimit: Double? = nil, memoryRequest: Double? = nil, memoryLimit: Double? = nil) {
        self.cpuRequest = cpuRequest
        self.cpuLimit = cpuLimit
        self.memoryRequest = memoryRequest
        self.memoryLimit = memoryLimit
    }

    /// True when nothing is set.
    public var isEmpty: Bool { cpuRequest == nil && cpuLimit == nil && memoryRequest == nil && memoryLimit == nil }
}

/// One deployment of one container: what was declared, where and when.
public struct DeploymentRecord: Sendable, Hashable, Codable {
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
        service: String, container: String, image: String? = nil, runtime: String? = nil, role: String? = nil,
        features: [String: String] = [:], resources: ResourceAmounts = ResourceAmounts(), replicas: Int? = nil,
        environment: String? = nil, cluster: String? = nil, commit: String? = nil, time: Double, outcome: String? = nil
    ) {
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

/// Everything an import produced, before it is written to the store.
public struct HistoryBatch: Sendable, Hashable {
    /// Deployments.
    public var deployments: [DeploymentRecord] = []
    /// Usage samples.
    public var samples: [UsageSample] = []
    /// Events.
    public var events: [UsageEvent] = []
    /// What was dropped or assumed, one sentence each (NaN values, counter resets, gaps…).
    public var notes: [String] = []

    /// Creates an empty batch.
    public init(deployments: [DeploymentRecord] = [], samples: [UsageSample] = [], events: [UsageEvent] = [], notes: [String] = []) {
        self.deployments = deployments
        self.samples = samples
        self.events = events
        self.notes = notes
    }

    /// Appends another batch.
    public mutating func append(_ other: HistoryBatch) {
        deployments += other.deployments
        samples += other.samples
        events += other.events
        notes += other.notes
    }
}

/// Timestamps as komply reads and writes them: RFC 3339 in UTC with milliseconds.
public enum Timestamp {
    /// `2026-11-22T00:08:27.422Z`.
    public static func format(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded())
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let ms = Int(((millis % 1000) + 1000) % 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, ms)
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm`, optional fraction) or a number of seconds since 1970.
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return seconds }
        let scalars = Array(trimmed.utf8)
        func int(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[from..<from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard scalars.count >= 20, let year = int(0, 4), scalars[4] == 45, let month = int(5, 2), scalars[7] == 45,
            let day = int(8, 2), scalars[10] == 84 || scalars[10] == 116 || scalars[10] == 32,
            let hour = int(11, 2), scalars[13] == 58, let minute = int(14, 2), scalars[16] == 58,
            let second = int(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == 46 {
            index += 1
            var scale = 0.1
            while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                fraction += Double(scalars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        guard index < scalars.count else { return nil }
        if scalars[index] == 90 || scalars[index] == 122 {
            index += 1
        } else if scalars[index] == 43 || scalars[index] == 45, let oh = int(index + 1, 2), scalars.count > index + 3,
            scalars[index + 3] == 58, let om = int(index + 4, 2)
        {
            offset = (oh * 3600 + om * 60) * (scalars[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == scalars.count else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard
            let date = calendar.date(
                from: DateComponents(
                    year: year, month: month, day: day, hour: hour, minute: minute,
                    second: second))
        else { return nil }
        return date.timeIntervalSince1970 + fraction - Double(offset)
    }
}
