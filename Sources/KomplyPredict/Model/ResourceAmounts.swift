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
