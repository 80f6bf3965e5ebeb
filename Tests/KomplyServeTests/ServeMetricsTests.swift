import XCTest

@testable import KomplyServe

/// The `/metrics` text, checked line by line against the exposition format.
final class ServeMetricsTests: XCTestCase {
    func testRenderedText() async {
        let metrics = ServeMetrics()
        await metrics.record(.accepted)
        await metrics.record(.accepted)
        await metrics.record(.unauthorized)
        await metrics.record(.success, duration: .milliseconds(1500))
        await metrics.record(.failure, duration: .milliseconds(250))
        await metrics.record(.header)
        let text = await metrics.render(queueDepth: 3, queueCapacity: 64, running: true)
        XCTAssertEqual(
            text,
            """
            # HELP komply_webhook_deliveries_total Webhook deliveries answered, by result.
            # TYPE komply_webhook_deliveries_total counter
            komply_webhook_deliveries_total{result="accepted"} 2
            komply_webhook_deliveries_total{result="duplicate"} 0
            komply_webhook_deliveries_total{result="unauthorized"} 1
            komply_webhook_deliveries_total{result="ignored"} 0
            komply_webhook_deliveries_total{result="rejected"} 0
            # HELP komply_regenerations_total Regeneration runs finished, by outcome.
            # TYPE komply_regenerations_total counter
            komply_regenerations_total{outcome="success"} 1
            komply_regenerations_total{outcome="failure"} 1
            # HELP komply_regeneration_duration_seconds Time spent in regeneration runs.
            # TYPE komply_regeneration_duration_seconds summary
            komply_regeneration_duration_seconds_sum 1.75
            komply_regeneration_duration_seconds_count 2
            # HELP komply_connections_timed_out_total Connections closed because a request header or body was too slow.
            # TYPE komply_connections_timed_out_total counter
            komply_connections_timed_out_total{phase="header"} 1
            komply_connections_timed_out_total{phase="body"} 0
            # HELP komply_queue_depth Regeneration jobs waiting (the running one not counted).
            # TYPE komply_queue_depth gauge
            komply_queue_depth 3
            # HELP komply_queue_capacity The most regeneration jobs that may wait.
            # TYPE komply_queue_capacity gauge
            komply_queue_capacity 64
            # HELP komply_regeneration_running 1 while a regeneration runs, else 0.
            # TYPE komply_regeneration_running gauge
            komply_regeneration_running 1

            """)
    }

    /// Every sample line is `name{labels} value` with a declared family and a number Prometheus parses.
    func testEverySampleBelongsToADeclaredFamily() async {
        let text = await ServeMetrics().render(queueDepth: 0, queueCapacity: 1, running: false)
        var declared: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                declared.insert(String(line.split(separator: " ")[2]))
                continue
            }
            if line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ")
            XCTAssertEqual(parts.count, 2, String(line))
            let name = String(parts[0].prefix { $0 != "{" })
            let family = declared.first { name == $0 || name == $0 + "_sum" || name == $0 + "_count" }
            XCTAssertNotNil(family, "\(name) has no # TYPE line before it")
            XCTAssertNotNil(Double(parts[1]), String(line))
        }
    }
}
