import Foundation
import XCTest

/// Every generated file and generated doc is up to date: one test per artifact of `scripts/generate`,
/// each running `scripts/generate --check <artifact>` with the komply binary under test (so a stale
/// file fails the test that names it). Regenerate with `scripts/generate`.
final class GeneratedFilesTests: XCTestCase {
    /// The artifacts this class tests, as `scripts/generate --list` names them.
    static let artifacts = [
        "compose-schema", "config-schema", "templates", "prompt-templates", "rules", "checks", "check-reference", "rule-reference",
    ]

    func testComposeSchemaIsUpToDate() throws { try assertUpToDate("compose-schema") }

    func testConfigSchemaIsUpToDate() throws { try assertUpToDate("config-schema") }

    func testTemplatesAreUpToDate() throws { try assertUpToDate("templates") }

    func testPromptTemplatesAreUpToDate() throws { try assertUpToDate("prompt-templates") }

    func testRulePackIsUpToDate() throws { try assertUpToDate("rules") }

    func testCheckRegistryIsUpToDate() throws { try assertUpToDate("checks") }

    func testCheckReferenceIsUpToDate() throws { try assertUpToDate("check-reference") }

    func testRuleReferenceIsUpToDate() throws { try assertUpToDate("rule-reference") }

    /// A new artifact in `scripts/generate` needs its own test above.
    func testEveryArtifactHasATest() throws {
        let list = try Self.generate(["--list"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let names = list.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        XCTAssertEqual(names, Self.artifacts, "scripts/generate --list and GeneratedFilesTests differ: add a test per artifact")
    }

    private func assertUpToDate(_ artifact: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try Self.generate(["--check", "--komply", CLIHarness.komplyBinary.path, artifact])
        XCTAssertEqual(result.status, 0, "\(artifact): \(result.stderr)run scripts/generate and commit the result", file: file, line: line)
    }

    private static func generate(_ arguments: [String]) throws -> CLIHarness.Result {
        try CLIHarness.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "scripts/generate"] + arguments, in: CLIHarness.repository)
    }
}
