import Foundation

/// How often and how long to wait before asking a server again: exponential backoff with jitter,
/// `Retry-After` honoured when the server sends it, never past `maxRetries`.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// The first backoff in seconds, doubled per retry.
    public var baseDelay: Double
    /// The longest backoff.
    public var maxDelay: Double
    /// The longest `Retry-After` waited for; a server asking for more is not retried.
    public var maxRetryAfter: Double

    /// A policy; the defaults suit hosted APIs.
    public init(maxRetries: Int, baseDelay: Double = 1, maxDelay: Double = 20, maxRetryAfter: Double = 60) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Seconds to wait before retry number `retry` (0-based), or nil when the server's `Retry-After`
    /// asks for longer than `maxRetryAfter`. Jitter takes the backoff down to half at random.
    public func delay(retry: Int, retryAfter: Double?, random: inout SeededRandom) -> Double? {
        if let retryAfter {
            guard retryAfter <= maxRetryAfter else { return nil }
            return max(0, retryAfter)
        }
        let backoff = min(maxDelay, baseDelay * pow(2, Double(min(retry, 30))))
        return backoff * (0.5 + 0.5 * random.unit())
    }

    /// The seconds a `Retry-After` header asks for: delta-seconds, or an HTTP date relative to `now`.
    public static func retryAfter(_ header: String?, now: Date = Date()) -> Double? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// A small deterministic generator (SplitMix64): the jitter of a run is a function of its seed.
public struct SeededRandom: Sendable, Hashable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
