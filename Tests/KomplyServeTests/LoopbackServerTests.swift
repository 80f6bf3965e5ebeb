import Foundation
import XCTest

@testable import KomplyServe

/// The real Hummingbird server on 127.0.0.1, spoken to over HTTP.
final class LoopbackServerTests: XCTestCase {
    func makeServer(
        capacity: Int = 8, maxBodyBytes: Int = ServeConfiguration.defaultMaxBodyBytes, secret: String = ServeTestSupport.secret,
        recorder: RegenerationRecorder, log: LogLines = LogLines()
    ) async throws -> RunningServer {
        let configuration = ServeConfiguration(
            host: "127.0.0.1", port: 0, secret: secret, queueCapacity: capacity, maxBodyBytes: maxBodyBytes)
        return try await RunningServer(WebhookServer(configuration: configuration, regenerate: recorder.regenerate, log: log.append))
    }

    func testGitHubTestVectorIsAcceptedAndABadSignatureIsNot() async throws {
        let running = try await makeServer(secret: WebhookSignatureTests.secret, recorder: RegenerationRecorder())
        let body = WebhookSignatureTests.payload
        let signed = [
            "X-GitHub-Event": "ping", "X-GitHub-Delivery": "vector-1", "X-Hub-Signature-256": WebhookSignatureTests.expected,
            "Content-Type": "application/json",
        ]
        let accepted = try await ServeTestSupport.send(port: running.port, headers: signed, body: body)
        XCTAssertEqual(accepted.status, 200, accepted.body)
        XCTAssertTrue(accepted.body.hasPrefix("pong"), accepted.body)

        // Same signature on a push: past the signature check, refused only because "Hello, World!" is no push payload.
        var push = signed
        push["X-GitHub-Event"] = "push"
        push["X-GitHub-Delivery"] = "vector-2"
        let malformed = try await ServeTestSupport.send(port: running.port, headers: push, body: body)
        XCTAssertEqual(malformed.status, 400)
        XCTAssertTrue(malformed.body.hasPrefix("malformed webhook payload: not valid JSON"), malformed.body)

        var forged = signed
        forged["X-GitHub-Delivery"] = "vector-3"
        forged["X-Hub-Signature-256"] = "sha256=" + String(repeating: "0", count: 64)
        let refused = try await ServeTestSupport.send(port: running.port, headers: forged, body: body)
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.body, "unauthorized\n", "no hint about what was wrong")
        try await running.stop()
    }

    func testReplayedDeliveryIsIgnoredOverHTTP() async throws {
        let recorder = RegenerationRecorder()
        let running = try await makeServer(recorder: recorder)
        let body = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(7))
        let headers = ServeTestSupport.headers(delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958", body: body)
        let first = try await ServeTestSupport.send(port: running.port, headers: headers, body: body)
        XCTAssertEqual(first.status, 202, first.body)
        try await recorder.waitForRuns(1)
        let replay = try await ServeTestSupport.send(port: running.port, headers: headers, body: body)
        XCTAssertEqual(replay.status, 200)
        XCTAssertEqual(replay.body, "duplicate delivery ignored\n")
        try await running.stop()
        XCTAssertEqual(recorder.runs.count, 1, "the replay did no work")
    }

    func testHealthAndMetrics() async throws {
        let recorder = RegenerationRecorder()
        let running = try await makeServer(recorder: recorder)
        let health = try await ServeTestSupport.send(port: running.port, method: "GET", path: "/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.body, "ok\n")
        let body = ServeTestSupport.push(branch: "broken", commit: ServeTestSupport.commit(1))
        _ = try await ServeTestSupport.send(port: running.port, headers: ServeTestSupport.headers(body: body), body: body)
        _ = try await ServeTestSupport.send(port: running.port, headers: ["X-GitHub-Event": "push"], body: body)
        try await recorder.waitForRuns(1)
        try await Task.sleep(for: .milliseconds(50))
        let metrics = try await ServeTestSupport.send(port: running.port, method: "GET", path: "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.headers["content-type"], ServeMetrics.contentType)
        for line in [
            #"komply_webhook_deliveries_total{result="accepted"} 1"#, #"komply_webhook_deliveries_total{result="unauthorized"} 1"#,
            #"komply_regenerations_total{outcome="failure"} 1"#, "komply_regeneration_duration_seconds_count 1", "komply_queue_depth 0",
            "komply_queue_capacity 8",
        ] {
            XCTAssertTrue(metrics.body.contains(line + "\n"), "missing \(line) in\n\(metrics.body)")
        }
        try await running.stop()
    }

    func testOversizeBodyIs413() async throws {
        let running = try await makeServer(maxBodyBytes: 4096, recorder: RegenerationRecorder())
        let body = Data(repeating: UInt8(ascii: "x"), count: 64 * 1024)
        let reply = try await ServeTestSupport.send(port: running.port, headers: ServeTestSupport.headers(body: body), body: body)
        XCTAssertEqual(reply.status, 413)
        XCTAssertTrue(reply.body.contains("larger than 4096 bytes"), reply.body)
        let health = try await ServeTestSupport.send(port: running.port, method: "GET", path: "/healthz")
        XCTAssertEqual(health.status, 200, "the server keeps serving")
        let rejected = await running.server.metrics.count(.rejected)
        XCTAssertEqual(rejected, 1)
        try await running.stop()
    }

    func testFullQueueAnswers503OverHTTP() async throws {
        let recorder = RegenerationRecorder(hold: true)
        let running = try await makeServer(capacity: 2, recorder: recorder)
        var statuses: [Int] = []
        var retryAfter: String?
        for (index, branch) in ["running", "a", "b", "c"].enumerated() {
            let body = ServeTestSupport.push(branch: branch, commit: ServeTestSupport.commit(index + 1))
            let reply = try await ServeTestSupport.send(port: running.port, headers: ServeTestSupport.headers(body: body), body: body)
            statuses.append(reply.status)
            if reply.status == 503 { retryAfter = reply.headers["retry-after"] }
            if index == 0 { try await recorder.waitForRuns(1) }
        }
        XCTAssertEqual(statuses, [202, 202, 202, 503], "one running, two waiting, the third branch refused")
        XCTAssertEqual(retryAfter, "30")
        recorder.release()
        try await recorder.waitForRuns(3)
        try await running.stop()
    }

    /// 200 pushes on 4 branches, 50 commits each, answered at once while a slow regeneration runs:
    /// pushes coalesce, the queue never holds more than its capacity, and the last commit of every
    /// branch is regenerated by a run that started after it was accepted.
    func testBurstOf200PushesLosesNoRegeneration() async throws {
        // One branch may run while its follow-up and the three others wait: capacity 4 never refuses.
        let burst = try await runBurst(branches: ["main", "develop", "release/1.0", "feature/x"], perBranch: 50, capacity: 4)
        XCTAssertEqual(burst.accepted, 200, "every push is acknowledged with 202")
        XCTAssertLessThanOrEqual(burst.runs, 200, "runs ≤ pushes")
        print(
            "burst: 200 pushes answered in \(burst.seconds) s; \(burst.runs) regeneration runs; queue high-water mark \(burst.highWater) of 4"
        )
    }

    /// Twice as many branches as the queue holds: some pushes are refused with 503, never silently
    /// dropped, and every push that was accepted is still regenerated.
    func testOverloadRefusesButNeverLosesAcceptedPushes() async throws {
        let burst = try await runBurst(branches: (1...8).map { "team-\($0)" }, perBranch: 25, capacity: 4)
        XCTAssertGreaterThan(burst.accepted, 0)
        XCTAssertEqual(burst.accepted + burst.refused, 200, "every push is answered 202 or 503")
        print(
            "overload: \(burst.accepted) accepted, \(burst.refused) refused with 503 in \(burst.seconds) s; \(burst.runs) runs; high-water mark \(burst.highWater) of 4"
        )
    }

    func testGracefulShutdownFinishesTheRunningJobOnly() async throws {
        let recorder = RegenerationRecorder(hold: true)
        let log = LogLines()
        let running = try await makeServer(recorder: recorder, log: log)
        for (index, branch) in ["main", "develop"].enumerated() {
            let body = ServeTestSupport.push(branch: branch, commit: ServeTestSupport.commit(index + 1))
            _ = try await ServeTestSupport.send(
                port: running.port, headers: ServeTestSupport.headers(delivery: "d-\(branch)", body: body), body: body)
            if index == 0 { try await recorder.waitForRuns(1) }
        }
        running.shutdown.trigger()
        try await Task.sleep(for: .milliseconds(200))
        let successesBefore = await running.server.metrics.count(.success)
        XCTAssertEqual(successesBefore, 0, "the running job is still held")
        recorder.release()
        try await running.stop()
        let successes = await running.server.metrics.count(.success)
        XCTAssertEqual(successes, 1, "the running job finished before the server returned")
        XCTAssertEqual(recorder.runs.map(\.job.branch), ["main"], "no new job starts after shutdown began")
        XCTAssertTrue(
            log.lines.contains { $0.contains("develop") && $0.contains("was not regenerated; redeliver delivery d-develop") },
            log.lines.joined(separator: "\n"))
    }
}

private extension LoopbackServerTests {
    struct Push {
        var branch: String
        var index: Int
        var commit: String
        var sentAt: ContinuousClock.Instant
        var status: Int
    }

    struct Burst {
        var accepted: Int
        var refused: Int
        var runs: Int
        var highWater: Int
        var seconds: String
    }

    /// Sends `perBranch` pushes to each branch (one client per branch, in order; branches in parallel)
    /// against a 20 ms regeneration, then checks that no accepted push was lost.
    func runBurst(branches: [String], perBranch: Int, capacity: Int) async throws -> Burst {
        let recorder = RegenerationRecorder(delay: .milliseconds(20))
        let running = try await makeServer(capacity: capacity, recorder: recorder)
        let clock = ContinuousClock()
        let start = clock.now
        let sent = try await withThrowingTaskGroup(of: [Push].self) { group in
            for (branchIndex, branch) in branches.enumerated() {
                group.addTask {
                    var pushes: [Push] = []
                    for index in 0..<perBranch {
                        let commit = ServeTestSupport.commit(branchIndex * 1000 + index + 1)
                        let body = ServeTestSupport.push(branch: branch, commit: commit)
                        let sentAt = clock.now
                        let reply = try await ServeTestSupport.send(
                            port: running.port, headers: ServeTestSupport.headers(body: body), body: body)
                        pushes.append(Push(branch: branch, index: index, commit: commit, sentAt: sentAt, status: reply.status))
                    }
                    return pushes
                }
            }
            var all: [Push] = []
            for try await pushes in group { all += pushes }
            return all
        }
        let answered = clock.now - start
        XCTAssertEqual(sent.count, branches.count * perBranch)
        XCTAssertEqual(sent.filter { ![202, 503].contains($0.status) }.count, 0, "only 202 and 503")
        XCTAssertLessThan(answered, .seconds(30), "acknowledging does not wait for regeneration")
        let accepted = sent.filter { $0.status == 202 }

        // The last accepted commit of each branch must be regenerated; wait for that (or give up and fail below).
        var lastAccepted: [String: String] = [:]
        for push in accepted.sorted(by: { $0.index < $1.index }) { lastAccepted[push.branch] = push.commit }
        let wanted = Set(lastAccepted.map { $0 + "@" + $1 })
        let deadline = clock.now + .seconds(30)
        while !Set(recorder.runs.map { $0.job.branch + "@" + $0.job.commit }).isSuperset(of: wanted), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await running.stop()

        let runs = recorder.runs
        let highWater = await running.server.memory!.queue.highWaterMark
        for (branch, last) in lastAccepted {
            XCTAssertTrue(
                runs.contains { $0.job.branch == branch && $0.job.commit == last },
                "the last accepted commit of \(branch) was not regenerated")
        }
        XCTAssertLessThanOrEqual(runs.count, accepted.count, "runs ≤ accepted pushes")
        XCTAssertEqual(runs.map(\.job.pushes).reduce(0, +), accepted.count, "each accepted push is covered by exactly one run")
        XCTAssertLessThanOrEqual(highWater, capacity, "the queue never held more than its capacity")
        // Every accepted push is covered by a run that started after it was sent, of that commit or a later one.
        let indexOfCommit = Dictionary(uniqueKeysWithValues: sent.map { ($0.commit, $0.index) })
        for push in accepted {
            let covered = runs.contains { run in
                run.job.branch == push.branch && run.started > push.sentAt && (indexOfCommit[run.job.commit] ?? -1) >= push.index
            }
            XCTAssertTrue(covered, "push \(push.index) of \(push.branch) has no run covering it")
        }
        let seconds = Double(answered.components.seconds) + Double(answered.components.attoseconds) / 1e18
        return Burst(
            accepted: accepted.count, refused: sent.count - accepted.count, runs: runs.count, highWater: highWater,
            seconds: String(format: "%.2f", seconds))
    }
}
