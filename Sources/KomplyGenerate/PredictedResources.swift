import KomplyCore

/// Requests and limits the sizing engine recommends for one container, with its reasons.
public struct PredictedResources: Sendable, Equatable {
    public var cpuRequest: Quantity
    /// nil when the sizing policy sets no CPU limit.
    public var cpuLimit: Quantity?
    public var memoryRequest: Quantity
    public var memoryLimit: Quantity
    /// Confidence 0–1.
    public var confidence: Double
    /// Why, as one sentence (for `komply.dev/sizing`).
    public var reason: String
    /// Warnings to print (heap above limit, requests below observed peaks…).
    public var warnings: [String]

    /// Creates a prediction.
    public init(
        cpuRequest: Quantity, cpuLimit: Quantity?, memoryRequest: Quantity, memoryLimit: Quantity, confidence: Double,
        reason: String, warnings: [String]
    ) {
        self.cpuRequest = cpuRequest
        self.cpuLimit = cpuLimit
        self.memoryRequest = memoryRequest
        self.memoryLimit = memoryLimit
        self.confidence = confidence
        self.reason = reason
        self.warnings = warnings
    }
}
