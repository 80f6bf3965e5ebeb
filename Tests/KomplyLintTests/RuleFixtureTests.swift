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

    /// Each violating fixture that its rule fixes has `fixed.<case>.yaml` beside it: what
    /// `komply lint --fix` makes of it (a file the fix creates follows as `---` documents), byte for
    /// byte, with none of the rule's findings left. `KOMPLY_UPDATE_GOLDEN=1` records them for review.
    func testEveryFixMatchesItsGolden() throws {
        let rules = try RuleLoader.builtin()
        let update = ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1"
        var failures: [String] = []
        var goldens = 0
        for rule in rules {
            let directory = LintTestSupport.path("fixtures/rules/\(rule.id)")
            let violating = RuleTester.fixtures(in: directory).violating
            let expectedGoldens = Set(violating.map { Self.goldenPath(ofViolating: $0) })
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("fixed.") {
                let path = (directory as NSString).appendingPathComponent(name)
                if !expectedGoldens.contains(path) { failures.append("\(path): no violating fixture of that case") }
            }
            for fixture in violating {
                let golden = Self.goldenPath(ofViolating: fixture)
                let fixed = try RuleTester.fixed(rule: rule, allRules: rules, fixture: fixture, today: LintTestSupport.today)
                if update {
                    if let fixed {
                        try fixed.write(toFile: golden, atomically: true, encoding: .utf8)
                    } else {
                        try? FileManager.default.removeItem(atPath: golden)
                    }
                    continue
                }
                let recorded = try? String(contentsOfFile: golden, encoding: .utf8)
                guard fixed == recorded else {
                    failures.append(
                        fixed == nil
                            ? "\(golden): the rule no longer fixes \(fixture)" : "\(golden) differs from what --fix makes of the fixture")
                    continue
                }
                guard let fixed else { continue }
                goldens += 1
                let linter = try Linter(rules: rules, only: [rule.id], today: LintTestSupport.today)
                let left = linter.lint(sources: [ManifestSource(file: fixture, text: fixed)]).findings.filter { $0.ruleID == rule.id }
                if !left.isEmpty { failures.append("\(golden): still has \(rule.id) at \(left.map { "\($0.line):\($0.column)" })") }
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n") + "\nreview and re-record with KOMPLY_UPDATE_GOLDEN=1")
        if !update { XCTAssertGreaterThan(goldens, 10, "the pack's fixes have goldens") }
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
            XCTAssertFalse(
                (rule.description + rule.remediation).contains("TODO"),
                "\(rule.id): write the description and remediation `rules new` left as TODO")
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

    /// `violating.<case>.yaml` → `fixed.<case>.yaml` in the same folder.
    static func goldenPath(ofViolating path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            "fixed." + name.dropFirst("violating.".count))
    }
}
