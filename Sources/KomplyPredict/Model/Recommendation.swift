import Foundation
import KomplyCore

/// How generously to size: cheapest that works, the default, or headroom first.
public enum Tier: String, Sendable, Hashable, CaseIterable, Codable {
    case cost, balanced, performance
}

/// Whether CPU limits are set, and how far above the request.
public enum CPULimitPolicy: Sendable, Hashable, CustomStringConvertible {
    /// No CPU limit (requests only; the container may use idle CPU on the node).
    case none
    /// A limit of `request × ratio`.
    case ratio(Double)

    /// Parses `none`, `2`, `2x` or `ratio:2`.
    public init(parsing text: String) throws(PredictError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "none" { self = .none; return }
        var number = trimmed
        if number.hasPrefix("ratio:") { number.removeFirst(6) }
        if number.hasSuffix("x") { number.removeLast() }
        guard let ratio = Double(number), ratio.isFinite, ratio >= 1 else {
            throw .invalidArgument(name: "CPU limit policy", value: text, expected: "none, or a ratio of at least 1 such as 2 or ratio:1.5")
        }
        self = .ratio(ratio)
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .ratio(let r): "ratio:\(JSONEmitter.number(r))"
        }
    }
}

/// A problem the recommender noticed, with a stable code.
public struct PredictWarning: Sendable, Hashable {
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

/// CPU and memory for one container, with how sure komply is and why.
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
    public var warnings: [PredictWarning]

    /// The same numbers in cores and bytes.
    public var amounts: ResourceAmounts {
        ResourceAmounts(
            cpuRequest: Double(cpuRequest.milliValue) / 1000, cpuLimit: cpuLimit.map { Double($0.milliValue) / 1000 },
            memoryRequest: Double(memoryRequest.bytes), memoryLimit: Double(memoryLimit.bytes))
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
