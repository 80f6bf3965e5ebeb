import Foundation

/// The physical range of one kind of number komply reads from outside (compose, docker, history, flags).
///
/// Every bound is wider than anything a real machine or cluster reaches and narrow enough that komply's
/// arithmetic on it (sums over replicas, `× 3`, seconds to nanoseconds) cannot overflow; `docs/sizing.md`
/// ("Numbers from outside") says why each one is physical.
package struct NumberBound: Sendable, Hashable {
    /// What the number measures, as messages name it ("CPU cores").
    package let name: String
    /// The smallest value accepted.
    package let lowest: Double
    /// The largest value accepted.
    package let highest: Double

    /// A bound named `name` accepting `lowest...highest`.
    package init(_ name: String, _ lowest: Double, _ highest: Double) {
        self.name = name
        self.lowest = lowest
        self.highest = highest
    }

    /// CPU cores: 0 to 1,000,000 (a million cores is over ten times the largest single machine's cores
    /// times the largest cluster's nodes per workload; 1e6 × 1000 millicores still fits every integer).
    package static let cpuCores = NumberBound("CPU cores", 0, 1_000_000)
    /// Memory in bytes: 0 to 2^62 (4 EiB, beyond any machine's address space in use; twice it still fits `Int64`).
    package static let memoryBytes = NumberBound("memory bytes", 0, 4_611_686_018_427_387_904)
    /// A duration in seconds: 0 to 2^31 - 1 (Kubernetes' probe and grace-period fields are 32-bit seconds).
    package static let seconds = NumberBound("seconds", 0, 2_147_483_647)
    /// A replica count: 0 to 1,000,000 (Kubernetes supports 150,000 pods per cluster; `× 3` still fits 32 bits).
    package static let replicas = NumberBound("replicas", 0, 1_000_000)
    /// A TCP or UDP port: 1 to 65,535 (16 bits; port 0 means "any" and cannot be listened on by name).
    package static let port = NumberBound("a port", 1, 65_535)
    /// A count of events (restarts, retries): 0 to 2^31 - 1 (Kubernetes' thresholds are 32-bit).
    package static let count = NumberBound("a count", 0, 2_147_483_647)
    /// A Unix time in seconds: 1970-01-01 to 2100-01-01 (history older than Unix time or a century ahead is a
    /// clock or unit error, not evidence).
    package static let unixSeconds = NumberBound("a Unix time in seconds", 0, 4_102_444_800)

    /// The accepted range as messages print it ("from 0 to 1000000").
    package var rangeText: String {
        "from \(Self.text(lowest)) to \(Self.text(highest))"
    }
}

/// The one reader for numbers from outside: finite, within a `NumberBound`, and checked arithmetic on them.
///
/// Every check throws `CoreError.numberOutOfBounds` (or `.invalidNumber` for text that is no number); the
/// caller adds the file:line:column it read the number from. Nothing here saturates: a sum or product past
/// its bound is an error, so a poisoned input is named rather than silently clipped.
package enum BoundedNumber {
    /// `value` when it is finite and within `bound`.
    @discardableResult
    package static func check(_ value: Double, _ bound: NumberBound) throws(CoreError) -> Double {
        guard value.isFinite, value >= bound.lowest, value <= bound.highest else {
            throw .numberOutOfBounds(NumberBound.text(value), bound: bound.name, range: bound.rangeText)
        }
        return value
    }

    /// `value` when it is within `bound`.
    @discardableResult
    package static func check(_ value: Int, _ bound: NumberBound) throws(CoreError) -> Int {
        guard Double(value) >= bound.lowest, Double(value) <= bound.highest else {
            throw .numberOutOfBounds(String(value), bound: bound.name, range: bound.rangeText)
        }
        return value
    }

    /// Reads plain decimal text (`1.5`, `-2`, `1e3`) within `bound`; `nan`, `inf`, hex and empty text are refused.
    package static func parse(_ text: String, _ bound: NumberBound) throws(CoreError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard isDecimal(trimmed), let value = Double(trimmed) else {
            throw .invalidNumber(text, expected: "a decimal number \(bound.rangeText) (\(bound.name))")
        }
        return try check(value, bound)
    }

    /// Reads whole-number text (`42`, `+7`) within `bound`.
    package static func parseInteger(_ text: String, _ bound: NumberBound) throws(CoreError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Int(trimmed) else {
            let isDigits = !trimmed.isEmpty && trimmed.drop { $0 == "-" || $0 == "+" }.allSatisfy(\.isASCIIDigit)
            guard isDigits else {
                throw .invalidNumber(text, expected: "a whole number \(bound.rangeText) (\(bound.name))")
            }
            throw .numberOutOfBounds(trimmed, bound: bound.name, range: bound.rangeText)
        }
        return try check(value, bound)
    }

    /// `lhs + rhs`, which must stay within `bound`.
    package static func sum(_ lhs: Double, _ rhs: Double, _ bound: NumberBound) throws(CoreError) -> Double {
        try check(lhs + rhs, bound)
    }

    /// `lhs + rhs`, which must stay within `bound`.
    package static func sum(_ lhs: Int, _ rhs: Int, _ bound: NumberBound) throws(CoreError) -> Int {
        let (result, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow else {
            throw .numberOutOfBounds("\(lhs) + \(rhs)", bound: bound.name, range: bound.rangeText)
        }
        return try check(result, bound)
    }

    /// `lhs × rhs`, which must stay within `bound`.
    package static func product(_ lhs: Int, _ rhs: Int, _ bound: NumberBound) throws(CoreError) -> Int {
        let (result, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        guard !overflow, Double(result) >= bound.lowest, Double(result) <= bound.highest else {
            throw .numberOutOfBounds("\(lhs) × \(rhs)", bound: bound.name, range: bound.rangeText)
        }
        return result
    }

    /// `lhs / rhs` for a non-zero `rhs`, which must stay within `bound` (a CFS quota over its period).
    package static func quotient(_ lhs: Double, _ rhs: Double, _ bound: NumberBound) throws(CoreError) -> Double {
        guard rhs != 0, rhs.isFinite else {
            throw .invalidArgument("divisor", value: NumberBound.text(rhs), expected: "a finite number other than 0")
        }
        let result = lhs / rhs
        guard result.isFinite, result >= bound.lowest, result <= bound.highest else {
            throw .numberOutOfBounds(
                "\(NumberBound.text(lhs)) / \(NumberBound.text(rhs))", bound: bound.name, range: bound.rangeText)
        }
        return result
    }

    /// Seconds within `NumberBound.seconds` as whole nanoseconds (rounded to the nearest).
    package static func nanoseconds(seconds: Double) throws(CoreError) -> Int64 {
        Int64((try check(seconds, .seconds) * 1e9).rounded())
    }
}

extension NumberBound {
    /// A number as messages print it: whole numbers without a fraction, others in Swift's shortest form.
    package static func text(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        if value == value.rounded(), abs(value) < 9.2e18 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}

private extension BoundedNumber {
    /// Whether `text` is `[+-]digits[.digits][e[+-]digits]`, the only number shape komply reads.
    static func isDecimal(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
        let integer = rest.prefix(while: \.isASCIIDigit)
        rest = rest.dropFirst(integer.count)
        var fraction = Substring()
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = rest.prefix(while: \.isASCIIDigit)
            rest = rest.dropFirst(fraction.count)
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return false }
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            let exponent = rest.prefix(while: \.isASCIIDigit)
            guard !exponent.isEmpty else { return false }
            rest = rest.dropFirst(exponent.count)
        }
        return rest.isEmpty
    }
}

private extension Character {
    var isASCIIDigit: Bool {
        isASCII && isNumber
    }
}
