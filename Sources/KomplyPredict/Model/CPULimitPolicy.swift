import Foundation
import KomplyCore

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
