/// How generously to size: cheapest that works, the default, or headroom first.
public enum Tier: String, Sendable, Hashable, CaseIterable, Codable {
    case cost, balanced, performance
}

/// A problem the sizing noticed, with a stable code.
public struct SizingWarning: Sendable, Hashable {
    /// Stable kebab-case code (`heap-exceeds-limit`).
    public var code: String
    /// A sentence naming the container and the numbers.
    public var message: String

    /// Creates a warning.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// CPU and memory for one container, with how sure komply is and why: the one sizing result
/// KomplyPredict produces and KomplyGenerate writes into resources and `komply.dev/sizing`.
public struct Recommendation: Sendable, Hashable {
    /// The application.
    public var app: String
    /// The service.
    public var service: String
    /// The container.
    public var container: String
    /// The tier the numbers are for.
    public var tier: Tier
    /// CPU request.
    public var cpuRequest: Quantity
    /// CPU limit, nil under the `none` policy.
    public var cpuLimit: Quantity?
    /// Memory request.
    public var memoryRequest: Quantity
    /// Memory limit (never below the request).
    public var memoryLimit: Quantity
    /// 0 (a guess) … 1 (long, clean history).
    public var confidence: Double
    /// Why, one sentence each: which evidence, which percentile, which margin.
    public var reasons: [String]
    /// Problems noticed.
    public var warnings: [SizingWarning]

    /// Creates a recommendation.
    public init(
        app: String, service: String, container: String, tier: Tier, cpuRequest: Quantity, cpuLimit: Quantity?,
        memoryRequest: Quantity, memoryLimit: Quantity, confidence: Double, reasons: [String], warnings: [SizingWarning]
    ) {
        self.app = app
        self.service = service
        self.container = container
        self.tier = tier
        self.cpuRequest = cpuRequest
        self.cpuLimit = cpuLimit
        self.memoryRequest = memoryRequest
        self.memoryLimit = memoryLimit
        self.confidence = confidence
        self.reasons = reasons
        self.warnings = warnings
    }

    /// The JSON shape `komply predict --format json` prints per container.
    public var valueTree: ValueTree {
        .members([
            ("app", .string(app)), ("service", .string(service)), ("container", .string(container)), ("tier", .string(tier.rawValue)),
            (
                "cpu",
                .members([("request", .string(cpuRequest.description)), ("limit", cpuLimit.map { .string($0.description) } ?? .null)])
            ),
            ("memory", .members([("request", .string(memoryRequest.description)), ("limit", .string(memoryLimit.description))])),
            ("confidence", .double(confidence)),
            ("reasons", .array(reasons.map { .string($0) })),
            ("warnings", .array(warnings.map { .members([("code", .string($0.code)), ("message", .string($0.message))]) })),
        ])
    }

    /// The reasons joined for an annotation value (`komply.dev/sizing`).
    public var annotation: String { reasons.joined(separator: " ") }
}
