import Foundation
import XCTest

/// End-to-end tests of `komply rules list|show|test`.
final class RulesCommandTests: XCTestCase {
    func testListShowsEveryRule() throws {
        let text = try CLIHarness.run(["rules", "list"])
        XCTAssertEqual(text.status, 0)
        XCTAssertGreaterThanOrEqual(text.stdout.split(separator: "\n").count, 50)
        let json = try CLIHarness.run(["rules", "list", "--format", "json"])
        let rules = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertTrue(rules.contains { $0["id"] as? String == "missing-default-deny-network-policy" })
    }

    func testShowAndUnknownRule() throws {
        let show = try CLIHarness.run(["rules", "show", "secret-in-env"])
        XCTAssertEqual(show.status, 0)
        XCTAssertTrue(show.stdout.contains("secretKeyRef"), show.stdout)
        let unknown = try CLIHarness.run(["rules", "show", "nope"])
        XCTAssertEqual(unknown.status, 2)
    }

    func testRulesTestRunsCustomRuleFixtures() throws {
        let dir = CLIHarness.repository.appendingPathComponent("fixtures/lint/custom-rules").path
        let result = try CLIHarness.run(["rules", "test", dir])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("2 passed, 0 failed"), result.stdout)
        let lint = try CLIHarness.run([
            "lint", "fixtures/lint/custom-rules/fixtures/approved-registry/violating.docker-hub.yaml", "--rules", dir,
            "--rule", "approved-registry", "--format", "github",
        ])
        XCTAssertEqual(lint.status, 1)
        XCTAssertTrue(lint.stdout.contains("pulls from a registry outside registry.example.com"), lint.stdout)
    }

    func testRulesTestFailsOnAWrongMarker() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-rt-\(UUID().uuidString)")
        let fixtures = dir.appendingPathComponent("fixtures/approved-registry")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = CLIHarness.repository.appendingPathComponent("fixtures/lint/custom-rules")
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("approved-registry.yaml"), to: dir.appendingPathComponent("approved-registry.yaml"))
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("fixtures/approved-registry/compliant.internal.yaml"),
            to: fixtures.appendingPathComponent("compliant.internal.yaml"))
        let violating = try String(
            contentsOf: source.appendingPathComponent("fixtures/approved-registry/violating.docker-hub.yaml"), encoding: .utf8)
        try (violating + "# expect: approved-registry\n").write(
            to: fixtures.appendingPathComponent("violating.docker-hub.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["rules", "test", dir.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("FAIL approved-registry"), result.stdout)
    }

    /// `rules new` in a copy of the repository's pack: the new rule loads and its fixtures pass;
    /// a taken id is refused with exit 2.
    func testNewScaffoldsARuleThatLoadsAndPasses() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = CLIHarness.repository
        try FileManager.default.copyItem(at: repository.appendingPathComponent("rules"), to: root.appendingPathComponent("rules"))
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("fixtures/rules"), to: root.appendingPathComponent("fixtures/rules"))
        let created = try CLIHarness.run(
            [
                "rules", "new", "sidecar-image-untagged", "--category", "images", "--check", "ImageTag", "--description",
                "Sidecars name an image without a tag.", "--remediation", "Tag the sidecar image.",
            ], in: root)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(
            created.stdout,
            """
            created rules/images/sidecar-image-untagged.yaml
            created fixtures/rules/sidecar-image-untagged/compliant.default.yaml
            created fixtures/rules/sidecar-image-untagged/violating.default.yaml

            """)
        let show = try CLIHarness.run(["rules", "show", "sidecar-image-untagged", "--rules", "rules"], in: root)
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("Sidecars name an image without a tag."), show.stdout)
        let test = try CLIHarness.run(["rules", "test", "rules"], in: root)
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("ok   sidecar-image-untagged  "), test.stdout)
        let again = try CLIHarness.run(["rules", "new", "sidecar-image-untagged", "--category", "images", "--check", "ImageTag"], in: root)
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("already exists"), again.stderr)
        let unknown = try CLIHarness.run(["rules", "new", "some-rule", "--category", "images", "--check", "Nope"], in: root)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown check \"Nope\""), unknown.stderr)
    }
}
