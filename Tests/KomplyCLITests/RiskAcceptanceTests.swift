import Foundation
import XCTest

/// Lint tells the truth about generated output (issue 14, item 4): risks compose asks for stay visible to
/// `komply lint` unless a person accepts them in `x-komply.accept` with a reason and an expiry date, and
/// `policy.nonSuppressible` wins over any acceptance.
final class RiskAcceptanceTests: XCTestCase {
    func workspace(accept: String = "", config: String? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-risk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("app"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try """
        name: vpn
        services:
          gateway:
            image: example/vpn:latest
            privileged: true
            cap_add: [NET_ADMIN]
            ports: ["1194:1194/udp"]
        \(accept)
        """.write(to: folder.appendingPathComponent("app/compose.yaml"), atomically: true, encoding: .utf8)
        if let config {
            try "apiVersion: komply.dev/v1\nkind: Config\nsources: [app]\n\(config)"
                .write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    func lintedRules(_ folder: URL) throws -> Set<String> {
        let lint = try CLIHarness.run(["lint", "deploy", "--format", "json", "--fail-on", "info"], in: folder)
        XCTAssertNotEqual(lint.status, 2, lint.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])
        return Set((json["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
    }

    func testUnacceptedRisksStayVisibleAndGenerateShowsTheBlockThatAcceptsThem() throws {
        let folder = try workspace()
        let generate = try CLIHarness.run(["generate", "app", "-o", "deploy"], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        XCTAssertTrue(
            generate.stderr.contains(
                "app/compose.yaml:5:17: warning: service gateway: compose sets privileged: true; kept; komply lint reports privileged-container, privilege-escalation-allowed until a person accepts the risk: x-komply: {accept: {privileged-container: {reason: \"<why>\", expires: <YYYY-MM-DD>}, privilege-escalation-allowed: {reason: \"<why>\", expires: <YYYY-MM-DD>}}}"
            ), generate.stderr)
        XCTAssertTrue(
            generate.stderr.contains("app/compose.yaml:4:12: warning: service gateway: compose uses example/vpn:latest"), generate.stderr)
        let workload = try String(contentsOf: folder.appendingPathComponent("deploy/vpn/base/gateway.yaml"), encoding: .utf8)
        let ignore = workload.split(separator: "\n").filter { $0.contains("komply.dev/ignore") }.joined()
        for rule in ["privileged", "capability", "latest-image-tag"] {
            XCTAssertFalse(ignore.contains(rule), "the generator accepted a risk on its own: \(ignore)")
        }
        let rules = try lintedRules(folder)
        for rule in [
            "privileged-container", "privilege-escalation-allowed", "capability-added-beyond-baseline", "dangerous-capability-added",
            "latest-image-tag",
        ] {
            XCTAssertTrue(rules.contains(rule), "\(rule) not reported: \(rules.sorted())")
        }
    }

    func testAPersonsAcceptanceBecomesASuppressionWithItsReasonAndExpiry() throws {
        let folder = try workspace(
            accept: """
                    x-komply:
                      accept:
                        privileged-container: {reason: "tun device for the VPN (SEC-9)", expires: 2099-12-31}
                        latest-image-tag: {reason: "vendor publishes latest only", expires: 2099-01-31}
                        run-as-root: {reason: "not needed", expires: 2099-01-31}
                """)
        let generate = try CLIHarness.run(["generate", "app", "-o", "deploy"], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("x-komply.accept.run-as-root accepts nothing"), generate.stderr)
        let workload = try String(contentsOf: folder.appendingPathComponent("deploy/vpn/base/gateway.yaml"), encoding: .utf8)
        XCTAssertTrue(workload.contains("privileged-container=tun device for the VPN (SEC-9) until 2099-12-31"), workload)
        let rules = try lintedRules(folder)
        XCTAssertFalse(rules.contains("privileged-container"), "\(rules.sorted())")
        XCTAssertFalse(rules.contains("latest-image-tag"), "\(rules.sorted())")
        XCTAssertTrue(rules.contains("privilege-escalation-allowed"), "only what a person accepted is suppressed: \(rules.sorted())")
    }

    func testNonSuppressiblePolicyWinsOverAnAcceptance() throws {
        let folder = try workspace(
            accept: """
                    x-komply:
                      accept:
                        privileged-container: {reason: "tun device", expires: 2099-12-31}
                """, config: "policy:\n  nonSuppressible: [privileged-container]\n")
        let generate = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("policy.nonSuppressible forbids accepting privileged-container"), generate.stderr)
        let workload = try String(contentsOf: folder.appendingPathComponent("deploy/vpn/base/gateway.yaml"), encoding: .utf8)
        XCTAssertFalse(workload.contains("privileged-container="), workload)
        XCTAssertTrue(try lintedRules(folder).contains("privileged-container"))
    }

    func testAnAcceptanceWithoutReasonOrDateIsRefusedWithItsPosition() throws {
        for (entry, expected) in [
            ("privileged-container: {reason: \"tun\"}", "an expires date (YYYY-MM-DD)"),
            ("privileged-container: {reason: \"tun\", expires: 2027-02-30}", "a calendar date YYYY-MM-DD, not \"2027-02-30\""),
            ("privileged-container: {expires: 2027-02-01}", "a reason: why this risk is accepted"),
            ("Privileged: {reason: x, expires: 2027-02-01}", "a rule id such as run-as-root"),
            ("privileged-container: yes", "a mapping {reason: why, expires: YYYY-MM-DD}"),
        ] {
            let folder = try workspace(accept: "    x-komply:\n      accept:\n        \(entry)\n")
            let generate = try CLIHarness.run(["generate", "app", "--dry-run"], in: folder)
            XCTAssertEqual(generate.status, 2, "\(entry): \(generate.stderr)")
            XCTAssertTrue(generate.stderr.contains("app/compose.yaml:"), generate.stderr)
            XCTAssertTrue(generate.stderr.contains(expected), "\(entry): \(generate.stderr)")
        }
    }
}
