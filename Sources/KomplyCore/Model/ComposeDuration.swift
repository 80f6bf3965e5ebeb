import Foundation

/// A duration as compose writes it (`1m30s`, `500ms`, `1h`), kept exactly in nanoseconds.
public struct ComposeDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    /// Creates a duration from nanoseconds (as `docker inspect` records healthcheck timings).
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Parses Go duration syntax (`1h2m3.5s`, `300ms`, `10us`, `0`); nil when malformed.
    public init?(parsing text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            nanoseconds = 0
            return
        }
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter || $0 == "µ" }
            rest = rest.dropFirst(unit.count)
            guard let scale = Self.units[String(unit)] else { return nil }
            total += value * scale
        }
        guard total < 9.2e18 else { return nil }
        nanoseconds = Int64(total.rounded()) * (negative ? -1 : 1)
    }

    /// Seconds, rounded up (Kubernetes probe fields are whole seconds).
    public var secondsRoundedUp: Int {
        Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }

    /// Go's `time.Duration.String()` form, as `docker compose config` prints durations.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        var n = nanoseconds.magnitude
        let sign = nanoseconds < 0 ? "-" : ""
        if n < 1_000_000_000 {
            // Sub-second durations use the largest unit that keeps an integer part.
            if n < 1_000 { return sign + "\(n)ns" }
            if n < 1_000_000 { return sign + Self.fraction(n, 1_000) + "µs" }
            return sign + Self.fraction(n, 1_000_000) + "ms"
        }
        var out = ""
        let hours = n / 3_600_000_000_000
        n -= hours * 3_600_000_000_000
        let minutes = n / 60_000_000_000
        n -= minutes * 60_000_000_000
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += Self.fraction(n, 1_000_000_000) + "s"
        return sign + out
    }

    public static func < (lhs: ComposeDuration, rhs: ComposeDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

private extension ComposeDuration {
    static let units: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
    ]

    /// `value / unit` with the fraction's trailing zeros removed, as Go prints it.
    static func fraction(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit
        var remainder = value % unit
        guard remainder > 0 else { return "\(whole)" }
        var digits = String(remainder)
        digits = String(repeating: "0", count: String(unit).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        remainder = 0
        return "\(whole).\(digits)"
    }
}
