/// The counters and gauges `/metrics` exposes, in the Prometheus text exposition format (0.0.4).
public actor ServeMetrics {
    /// How a webhook delivery was answered.
    public enum DeliveryResult: String, CaseIterable, Sendable {
        /// A push queued or coalesced (202).
        case accepted
        /// A delivery id seen before (200, no work).
        case duplicate
        /// A missing or wrong signature (401).
        case unauthorized
        /// A delivery that needs no work: a ping, another event, a tag, a deleted branch (200).
        case ignored
        /// A malformed or oversized delivery, or a full queue (400, 413, 503).
        case rejected
    }

    /// How a regeneration run ended.
    public enum Outcome: String, CaseIterable, Sendable {
        /// The run finished without error.
        case success
        /// The run threw.
        case failure
    }

    /// Which read deadline closed a connection (idle connections closed quietly are not counted).
    public enum Timeout: String, CaseIterable, Sendable {
        /// A request header begun but not complete within the header timeout.
        case header
        /// A request body not complete within the body timeout.
        case body
    }

    /// The Content-Type of `render`'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private var deliveries: [DeliveryResult: Int] = [:]
    private var regenerations: [Outcome: Int] = [:]
    private var durationSum = 0.0
    private var timeouts: [Timeout: Int] = [:]

    /// All counters at zero.
    public init() {}

    /// Counts one answered delivery.
    public func record(_ result: DeliveryResult) {
        deliveries[result, default: 0] += 1
    }

    /// Counts one finished regeneration that took `duration`.
    public func record(_ outcome: Outcome, duration: Duration) {
        regenerations[outcome, default: 0] += 1
        let (seconds, attoseconds) = duration.components
        durationSum += Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Counts one connection closed by a read deadline.
    public func record(_ timeout: Timeout) {
        timeouts[timeout, default: 0] += 1
    }

    /// How many connections the `timeout` deadline closed.
    public func count(_ timeout: Timeout) -> Int { timeouts[timeout, default: 0] }

    /// How many deliveries were answered with `result`.
    public func count(_ result: DeliveryResult) -> Int { deliveries[result, default: 0] }

    /// How many regenerations ended with `outcome`.
    public func count(_ outcome: Outcome) -> Int { regenerations[outcome, default: 0] }

    /// The exposition text, with the queue's current state as gauges.
    public func render(queueDepth: Int, queueCapacity: Int, running: Bool) -> String {
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        family("komply_webhook_deliveries_total", "counter", "Webhook deliveries answered, by result.")
        for result in DeliveryResult.allCases {
            lines.append("komply_webhook_deliveries_total{result=\"\(result.rawValue)\"} \(deliveries[result, default: 0])")
        }
        family("komply_regenerations_total", "counter", "Regeneration runs finished, by outcome.")
        for outcome in Outcome.allCases {
            lines.append("komply_regenerations_total{outcome=\"\(outcome.rawValue)\"} \(regenerations[outcome, default: 0])")
        }
        family("komply_regeneration_duration_seconds", "summary", "Time spent in regeneration runs.")
        lines.append("komply_regeneration_duration_seconds_sum \(Self.number(durationSum))")
        lines.append("komply_regeneration_duration_seconds_count \(regenerations.values.reduce(0, +))")
        family("komply_connections_timed_out_total", "counter", "Connections closed because a request header or body was too slow.")
        for timeout in Timeout.allCases {
            lines.append("komply_connections_timed_out_total{phase=\"\(timeout.rawValue)\"} \(timeouts[timeout, default: 0])")
        }
        family("komply_queue_depth", "gauge", "Regeneration jobs waiting (the running one not counted).")
        lines.append("komply_queue_depth \(queueDepth)")
        family("komply_queue_capacity", "gauge", "The most regeneration jobs that may wait.")
        lines.append("komply_queue_capacity \(queueCapacity)")
        family("komply_regeneration_running", "gauge", "1 while a regeneration runs, else 0.")
        lines.append("komply_regeneration_running \(running ? 1 : 0)")
        return lines.joined(separator: "\n") + "\n"
    }
}

private extension ServeMetrics {
    /// A sample value as Prometheus parses it (Go's ParseFloat), without exponent noise for small sums.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
