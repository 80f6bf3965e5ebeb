import Foundation
import XCTest

@testable import KomplyServe

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hostile clients over real loopback sockets: a header or body trickled slowly is cut off at its deadline,
/// however steadily bytes keep arriving; a silent connection is closed without a log line.
final class ReadDeadlineTests: XCTestCase {
    func makeServer(header: Duration, body: Duration, connections: Int = 256, log: LogLines) async throws -> RunningServer {
        let configuration = ServeConfiguration(
            host: "127.0.0.1", port: 0, secret: ServeTestSupport.secret, headerTimeout: header, bodyTimeout: body,
            maxConnections: connections)
        return try await RunningServer(
            WebhookServer(configuration: configuration, regenerate: RegenerationRecorder().regenerate, log: log.append))
    }

    /// Slowloris: a header line every 200 ms would keep an idle timer happy forever; the deadline closes it.
    func testAHeaderTrickledLineByLineIsCutOffAtTheHeaderTimeout() async throws {
        let log = LogLines()
        let running = try await makeServer(header: .seconds(1), body: .seconds(5), log: log)
        let client = try RawClient(port: running.port)
        let start = ContinuousClock.now
        let closed = await offPool {
            client.trickle(first: "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n", every: .milliseconds(200), limit: .seconds(8)) {
                "X-Slow-\($0): x\r\n"
            }
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertTrue(closed, "the connection stayed open for 8 s of trickled header lines")
        XCTAssertLessThan(elapsed, .seconds(3), "closed after \(elapsed), expected about 1 s")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(900))
        try await waitFor { await running.server.metrics.count(.header) == 1 }
        XCTAssertTrue(
            log.lines.contains {
                $0.hasPrefix("connection from 127.0.0.1:") && $0.hasSuffix("closed: the request header was not complete within 1.0 seconds")
            },
            "\(log.lines)")
        try await running.stop()
    }

    func testABodyTrickledByteByByteIsCutOffAtTheBodyTimeout() async throws {
        let log = LogLines()
        let running = try await makeServer(header: .seconds(5), body: .seconds(1), log: log)
        let client = try RawClient(port: running.port)
        let start = ContinuousClock.now
        let head = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"
        let closed = await offPool { client.trickle(first: head, every: .milliseconds(200), limit: .seconds(8)) { _ in " " } }
        let elapsed = ContinuousClock.now - start
        XCTAssertTrue(closed, "the connection stayed open for 8 s of trickled body bytes")
        XCTAssertLessThan(elapsed, .seconds(3), "closed after \(elapsed), expected about 1 s")
        try await waitFor { await running.server.metrics.count(.body) == 1 }
        XCTAssertTrue(log.lines.contains { $0.hasSuffix("closed: the request body was not complete within 1.0 seconds") }, "\(log.lines)")
        try await running.stop()
    }

    func testASilentConnectionIsClosedQuietlyAndAFastClientIsServed() async throws {
        let log = LogLines()
        let running = try await makeServer(header: .seconds(1), body: .seconds(1), log: log)
        let silent = try RawClient(port: running.port)
        let start = ContinuousClock.now
        let closed = await offPool { silent.waitForClose(limit: .seconds(5)) }
        XCTAssertTrue(closed, "a connection that sends nothing is closed")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        XCTAssertEqual(log.lines.filter { $0.hasPrefix("connection from") }, [], "an idle connection is no incident")
        let counted = await running.server.metrics.count(.header)
        XCTAssertEqual(counted, 0)

        let health = try await ServeTestSupport.send(port: running.port, method: "GET", path: "/healthz")
        XCTAssertEqual(health.status, 200)
        try await running.stop()
    }

    /// Slow clients holding every connection slot delay a new client only until their deadline passes.
    func testSlowClientsHoldingEveryConnectionAreClosedAndTheNextClientIsServed() async throws {
        let log = LogLines()
        let running = try await makeServer(header: .seconds(1), body: .seconds(1), connections: 2, log: log)
        let slow = try [RawClient(port: running.port), RawClient(port: running.port)]
        for client in slow { _ = client.send("GET /healthz HTTP/1.1\r\n") }
        try await Task.sleep(for: .milliseconds(200))
        let next = try RawClient(port: running.port)
        let start = ContinuousClock.now
        let answer = await offPoolText {
            next.exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", limit: .seconds(8))
        }
        let waited = ContinuousClock.now - start
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(500), "the third connection waited for a slot")
        XCTAssertLessThan(waited, .seconds(4))
        try await running.stop()
        XCTAssertEqual(log.lines.filter { $0.contains("request header was not complete") }.count, 2, "\(log.lines)")
    }

    func testTimeoutsAreValidated() {
        for (header, body) in [(Duration.zero, Duration.seconds(1)), (.seconds(1), .seconds(-1)), (.seconds(3601), .seconds(1))] {
            let configuration = ServeConfiguration(secret: "s", headerTimeout: header, bodyTimeout: body)
            XCTAssertThrowsError(try configuration.validate()) { error in
                XCTAssertTrue(error.localizedDescription.contains("timeout"), error.localizedDescription)
            }
        }
    }
}

private extension ReadDeadlineTests {
    /// Runs blocking socket work on its own thread, off the cooperative pool the server's handlers need.
    func offPool(_ body: @escaping @Sendable () -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    func offPoolText(_ body: @escaping @Sendable () -> String) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    func waitFor(_ condition: @escaping () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "condition not met within 5 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A blocking TCP client on 127.0.0.1 that writes what it is told and notices when the server hangs up.
final class RawClient: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    /// Sends `first`, then `next(n)` every `interval`, until the server closes the connection (true) or
    /// `limit` passes (false).
    func trickle(first: String, every interval: Duration, limit: Duration, next: (Int) -> String) -> Bool {
        let end = ContinuousClock.now + limit
        guard send(first) else { return true }
        var n = 0
        while ContinuousClock.now < end {
            if waitForClose(limit: interval) { return true }
            n += 1
            guard send(next(n)) else { return true }
        }
        return false
    }

    /// True once the server has closed the connection (end of stream or reset) within `limit`.
    func waitForClose(limit: Duration) -> Bool {
        let end = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < end {
            let remaining = end - ContinuousClock.now
            let milliseconds = Int32(max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready <= 0 { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return true }
        }
        return false
    }

    /// Sends `request` and returns what the server answered until it closed the connection (or `limit` passed).
    func exchange(_ request: String, limit: Duration) -> String {
        guard send(request) else { return "" }
        let end = ContinuousClock.now + limit
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < end {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Writes `text`; false when the connection is gone.
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        return bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, flags) } == bytes.count
    }
}
