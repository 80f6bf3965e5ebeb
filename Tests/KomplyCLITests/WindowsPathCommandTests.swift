import Foundation
import XCTest

/// Windows-style volume paths are read as docker compose reads them and are host paths: never read, left out
/// without `x-komply.hostPath` consent (with a hint the user can paste), mounted with it (issue 15, item 4).
final class WindowsPathCommandTests: XCTestCase {
    func testWindowsHostPathsFollowTheHostPathRules() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-windows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try #"""
        services:
          app:
            image: nginx:1.27
            volumes:
              - C:\data:/data
              - C:/logs:/logs:ro
              - \\server\share:/share
            x-komply:
              hostPath:
                'C:\data': {reason: "Windows node cache", expires: 2099-01-31}
        """#.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["generate", ".", "--dry-run"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains(#"path: C:\data"#), result.stdout)
        XCTAssertFalse(result.stdout.contains("C:/logs") || result.stdout.contains("server"), "no consent, no mount")
        XCTAssertTrue(result.stderr.contains("compose.yaml:6:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bind mount C:/logs:/logs is a host path"), result.stderr)
        XCTAssertTrue(result.stderr.contains(#"x-komply.hostPath: {'\\server\share': {reason"#), result.stderr)
        XCTAssertTrue(result.stdout.contains("pod-security.kubernetes.io/enforce: privileged"), "the consented hostPath needs privileged")
        let sources = try CLIHarness.run(["sources", ".", "--format", "json"], in: folder)
        XCTAssertEqual(sources.status, 0, sources.stderr)
        XCTAssertTrue(sources.stdout.contains(#""source": "C:\\data""#), sources.stdout)
    }
}
