import Foundation
import XCTest

/// Compose keys komply does not translate are warned about at their line, never dropped silently (issue 15).
final class UntranslatedKeysCommandTests: XCTestCase {
    func testEachUntranslatedKeyIsAWarningAtItsLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-untranslated-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try """
        services:
          agent:
            image: example/agent:1.2
            pid: host
            network_mode: host
            devices: ["/dev/kmsg:/dev/kmsg"]
            sysctls: {net.core.somaxconn: 1024}
            ulimits: {nofile: 65536}
            stop_signal: SIGQUIT
            extra_hosts: ["db.internal:10.0.0.5"]
            container_name: agent
        """.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["generate", ".", "--dry-run"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        for (line, key) in [
            (4, "pid"), (5, "network_mode"), (6, "devices"), (7, "sysctls"), (8, "ulimits"), (9, "stop_signal"), (10, "extra_hosts"),
        ] {
            XCTAssertTrue(
                result.stderr.contains("compose.yaml:\(line):"), "no warning at line \(line) for \(key): \(result.stderr)")
            XCTAssertTrue(
                result.stderr.contains("service agent: compose key \(key) is left out of the generated workload: "),
                "\(key) not warned: \(result.stderr)")
        }
        XCTAssertFalse(result.stderr.contains("compose key container_name"), "container_name is used (a host alias)")
        XCTAssertFalse(result.stdout.contains("hostPID") || result.stdout.contains("hostNetwork"), result.stdout)
    }
}
