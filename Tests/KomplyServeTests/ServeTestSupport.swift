import Foundation
import XCTest

@testable import KomplyServe

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Signed deliveries, a loopback HTTP client, and a server running in the test process.
enum ServeTestSupport {
    static let secret = "test-secret-\u{1F511}"

    /// The headers GitHub sends with a delivery, signed with `secret`.
    static func headers(
        event: String = "push", delivery: String = UUID().uuidString, body: Data, secret: String = ServeTestSupport.secret
    ) -> [String: String] {
        [
            "x-github-event": event, "x-github-delivery": delivery, "content-type": "application/json",
            "x-hub-signature-256": WebhookSignature(secret: secret).sign(body), "user-agent": "GitHub-Hookshot/test",
        ]
    }

    /// A push payload for `repository`'s `branch` at `commit`.
    static func push(branch: String, commit: String, repository: String = "acme/shop") -> Data {
        Data(
            """
            {"ref":"refs/heads/\(branch)","before":"\(String(repeating: "1", count: 40))","after":"\(commit)",
             "repository":{"full_name":"\(repository)","clone_url":"https://github.com/\(repository).git"},"commits":[]}
            """.utf8)
    }

    /// A 40-digit commit id made from `number`.
    static func commit(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: 40 - hex.count) + hex
    }

    /// One HTTP exchange's outcome.
    struct Reply {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    /// Sends one request to `127.0.0.1:port`.
    static func send(port: Int, method: String = "POST", path: String = "/webhook", headers: [String: String] = [:], body: Data? = nil)
        async throws -> Reply
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 20
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return Reply(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: fields)
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 8
        return URLSession(configuration: configuration)
    }()
}

/// A `WebhookServer` serving on a free loopback port for the duration of a test.
final class RunningServer: @unchecked Sendable {
    let server: WebhookServer
    let port: Int
    let shutdown = ShutdownTrigger()
    private let task: Task<Void, any Error>

    /// Starts `server` (its configured port should be 0) and waits until it listens.
    init(_ server: WebhookServer) async throws {
        self.server = server
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let trigger = shutdown
        task = Task {
            defer { continuation.finish() }
            try await server.run(handlesSignals: false, shutdown: trigger) { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw URLError(.cannotConnectToHost)
        }
        self.port = port
    }

    /// Shuts down gracefully and waits for the server to return.
    func stop() async throws {
        shutdown.trigger()
        try await task.value
    }
}

/// Records what the injected regeneration saw, and can hold a run until released.
final class RegenerationRecorder: @unchecked Sendable {
    struct Run {
        var job: PushJob
        var started: ContinuousClock.Instant
    }

    private let lock = NSLock()
    private var recorded: [Run] = []
    private var gate: CheckedContinuation<Void, Never>?
    private var holding = false
    let delay: Duration

    init(delay: Duration = .zero, hold: Bool = false) {
        self.delay = delay
        self.holding = hold
    }

    var runs: [Run] { lock.withLock { recorded } }

    /// The injected `Regenerate`.
    func regenerate(_ job: PushJob) async throws {
        let hold = lock.withLock {
            recorded.append(Run(job: job, started: .now))
            return holding
        }
        if hold {
            await withCheckedContinuation { continuation in
                let resumeNow = lock.withLock { () -> Bool in
                    if holding { gate = continuation; return false }
                    return true
                }
                if resumeNow { continuation.resume() }
            }
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        if job.branch == "broken" { throw ServeError.malformedPayload("regeneration failed on purpose") }
    }

    /// Lets a held run (and all later ones) proceed.
    func release() {
        let waiting = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            holding = false
            defer { gate = nil }
            return gate
        }
        waiting?.resume()
    }

    /// Waits until `count` runs started (or fails after `timeout`).
    func waitForRuns(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while runs.count < count {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "only \(runs.count) of \(count) runs started in \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Collects log lines.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

/// A wait in a test that took too long.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { what }
}
