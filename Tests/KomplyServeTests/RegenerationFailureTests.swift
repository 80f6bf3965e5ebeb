import Foundation
import XCTest

@testable import KomplyServe

/// Every failed regeneration is logged with its real reason, whatever the error type.
final class RegenerationFailureTests: XCTestCase {
    /// An error with no `LocalizedError` conformance, as komply's CLIError was.
    struct OpaqueError: Error {
        var message: String
    }

    func testAnErrorWithoutADescriptionIsLoggedWithItsValue() async throws {
        let log = LogLines()
        let configuration = ServeConfiguration(host: "127.0.0.1", port: 0, secret: ServeTestSupport.secret)
        let server = WebhookServer(
            configuration: configuration, regenerate: { _ in throw OpaqueError(message: "cannot find the komply binary") }, log: log.append)
        let running = try await RunningServer(server)
        let body = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(5))
        let reply = try await ServeTestSupport.send(port: running.port, headers: ServeTestSupport.headers(body: body), body: body)
        XCTAssertEqual(reply.status, 202, reply.body)
        let deadline = ContinuousClock.now + .seconds(5)
        while !log.lines.contains(where: { $0.contains("failed after") }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await running.stop()
        let failure = try XCTUnwrap(log.lines.first { $0.hasPrefix("regeneration of acme/shop main at 000000000000 failed after ") })
        XCTAssertTrue(failure.hasSuffix(#": OpaqueError: OpaqueError(message: "cannot find the komply binary")"#), failure)
        XCTAssertFalse(failure.contains("could not be completed"), failure)
    }

    func testTheReasonMasksCredentialsAndControlCharactersAndIsBounded() {
        let fetch = ServeError.syncFailed(
            status: 2, tail: "fatal: https://x-access-token:ghp_s3cr3t@github.com/acme/shop.git: 403\u{1b}[31m | ok")
        let reason = RegenerationWorker.reason(for: fetch)
        XCTAssertEqual(reason, "komply sync exited with status 2: fatal: https://***@github.com/acme/shop.git: 403?[31m | ok")
        XCTAssertEqual(RegenerationWorker.reason(for: ServeError.malformedPayload("x")), "malformed webhook payload: x")
        let long = RegenerationWorker.reason(for: OpaqueError(message: String(repeating: "y", count: 10_000)))
        XCTAssertEqual(long.count, RegenerationWorker.maxReasonLength + 1)
        XCTAssertTrue(long.hasSuffix("…"))
    }
}
