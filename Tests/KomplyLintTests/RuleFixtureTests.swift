import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// Every built-in rule's fixtures, and the pack's completeness (STYLE.md).
final class RuleFixtureTests: XCTestCase {
    func testEveryRuleFixtureProducesExactlyTheMarkedFindings() throws {
        let rules = try RuleLoader.builtin()
        let fixtures = LintTestSupport.path("fixtures/rules")
        var failures: [String] = []
        for rule in rules {
            let directory = (fixtures as NSString).appendingPathComponent(rule.id)
            for outcome in try RuleTester.run(rule: rule, allRules: rules, directory: directory, today: LintTestSupport.today)
            where !outcome.passed {
                failures.append("\(outcome.fixture): " + outcome.failures.joined(separator: "; "))
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    func testPackIsComplete() throws {
        let rules = try RuleLoader.builtin()
        XCTAssertGreaterThanOrEqual(rules.count, 50)
        let required = [
            "missing-liveness-probe", "missing-readiness-probe", "missing-cpu-request", "missing-memory-request",
            "missing-cpu-limit", "missing-memory-limit", "run-as-root", "privileged-container", "privilege-escalation-allowed",
            "writable-root-filesystem", "capabilities-not-dropped", "host-network", "host-pid", "host-ipc", "host-path-volume",
            "latest-image-tag", "missing-seccomp-profile", "secret-in-env", "missing-default-deny-network-policy",
            "pod-not-selected-by-network-policy",
        ]
        let ids = Set(rules.map(\.id))
        for id in required { XCTAssertTrue(ids.contains(id), "missing required rule \(id)") }
        for rule in rules {
            XCTAssertNotNil(rule.id.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression), rule.id)
            XCTAssertFalse(rule.id.hasPrefix("no-") || rule.id.hasPrefix("disallow-"), "\(rule.id): name the condition")
            XCTAssertTrue(CheckRegistry.builtin.contains(rule.check), "\(rule.id) names unregistered check \(rule.check)")
            XCTAssertNoThrow(try CheckRegistry.builtin.instantiate(rule, params: rule.params), rule.id)
            XCTAssertTrue(
                rule.remediation.first?.isUppercase == true && rule.remediation.hasSuffix("."), "\(rule.id): remediation must be a sentence"
            )
            XCTAssertTrue(rule.description.hasSuffix("."), "\(rule.id): description must be a sentence")
            XCTAssertEqual(rule.source.file, "rules/\(rule.category)/\(rule.id).yaml", "file name matches id and category")
            let directory = LintTestSupport.path("fixtures/rules/\(rule.id)")
            let (compliant, violating) = RuleTester.fixtures(in: directory)
            XCTAssertFalse(compliant.isEmpty, "\(rule.id) has no compliant fixture")
            XCTAssertFalse(violating.isEmpty, "\(rule.id) has no violating fixture")
        }
        let fixtureFolders = try FileManager.default.contentsOfDirectory(atPath: LintTestSupport.path("fixtures/rules"))
        for folder in fixtureFolders where !folder.hasPrefix(".") {
            XCTAssertTrue(ids.contains(folder), "fixtures/rules/\(folder) has no rule")
        }
    }
}
