import Foundation
import XCTest

/// Through the binary: a namespace enforces the least Pod Security level its pods need, each lowering warned at the
/// compose line that caused it; development mounts are left out with a warning at theirs (issue 15).
final class PodSecurityCommandTests: XCTestCase {
    func testLoweringAndDevelopmentMountsAreWarnedAtTheirLines() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-pss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try """
        name: vpn
        services:
          tunnel:
            image: example/tunnel:1.4
            cap_add: [NET_ADMIN]
          api:
            build: .
            user: root
            volumes:
              - .:/app
              - /app/node_modules
        """.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        try "FROM node:22.11\n".write(to: folder.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["generate", ".", "--dry-run"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        for mode in ["enforce", "audit", "warn"] {
            XCTAssertTrue(result.stdout.contains("pod-security.kubernetes.io/\(mode): privileged"), "\(mode): \(result.stdout)")
        }
        let lines = result.stderr.split(separator: "\n")
        let capability = try XCTUnwrap(lines.first { $0.contains("service tunnel: its pod needs Pod Security privileged") })
        XCTAssertTrue(capability.contains("compose.yaml:5:"), String(capability))
        XCTAssertTrue(capability.contains("capabilities NET_ADMIN beyond the baseline set"), String(capability))
        let root = try XCTUnwrap(lines.first { $0.contains("service api: its pod needs Pod Security baseline") })
        XCTAssertTrue(root.contains("compose.yaml:8:"), String(root))
        XCTAssertTrue(lines.contains { $0.contains("compose.yaml:10:") && $0.contains("bind mount .:/app is a development pattern") })
        XCTAssertTrue(
            lines.contains { $0.contains("compose.yaml:11:") && $0.contains("anonymous volume /app/node_modules is a development pattern") }
        )
        // The classification may name the Dockerfile it read; no volume or ConfigMap carries the sources.
        XCTAssertFalse(result.stdout.contains("node-modules") || result.stdout.contains("api-files"), "no emptyDir, no source ConfigMap")
    }
}
