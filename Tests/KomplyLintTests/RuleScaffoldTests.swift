import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// `RuleScaffold` (`komply rules new`) against a temporary copy of the pack.
final class RuleScaffoldTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-scaffold-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/fixtures", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: LintTestSupport.path("rules"), toPath: root + "/rules")
        try FileManager.default.copyItem(atPath: LintTestSupport.path("fixtures/rules"), toPath: root + "/fixtures/rules")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func testScaffoldStartsFromARuleOfTheSameCheckAndPassesItsFixtures() throws {
        let written = try RuleScaffold(id: "init-container-privileged", category: "security", check: "Assert").write(into: root)
        XCTAssertEqual(
            written,
            [
                "rules/security/init-container-privileged.yaml", "fixtures/rules/init-container-privileged/compliant.default.yaml",
                "fixtures/rules/init-container-privileged/violating.default.yaml",
            ])
        let rules = try RuleLoader.load(directory: root + "/rules")
        let rule = try XCTUnwrap(rules.first { $0.id == "init-container-privileged" })
        XCTAssertEqual(rule.check, "Assert")
        XCTAssertEqual(rule.category, "security")
        XCTAssertTrue(rule.description.hasPrefix("TODO"), "the pack's well-formedness test rejects it until written")
        XCTAssertNoThrow(try CheckRegistry.builtin.instantiate(rule, params: rule.params))
        let violating = try String(contentsOfFile: root + "/" + written[2], encoding: .utf8)
        XCTAssertFalse(RuleTester.expectations(in: violating, ruleID: rule.id).isEmpty, violating)
        let outcomes = try RuleTester.run(
            rule: rule, allRules: rules, directory: root + "/fixtures/rules/init-container-privileged", today: LintTestSupport.today)
        XCTAssertEqual(outcomes.count, 2)
        XCTAssertTrue(outcomes.allSatisfy(\.passed), "\(outcomes)")
    }

    func testGivenTextsAndSeverityAreWritten() throws {
        let scaffold = RuleScaffold(
            id: "probe-missing-timeout", category: "probes", check: "Probe", severity: .info,
            description: "Probes rely on the default one-second timeout.", remediation: "Set timeoutSeconds on every probe.")
        let text = try XCTUnwrap(try scaffold.files(in: root).first).text
        let rule = try RuleLoader.decode(text: text, file: "rules/probes/probe-missing-timeout.yaml", builtin: false)
        XCTAssertEqual(rule.severity, .info)
        XCTAssertEqual(rule.description, "Probes rely on the default one-second timeout.")
        XCTAssertEqual(rule.remediation, "Set timeoutSeconds on every probe.")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/rules/probes/probe-missing-timeout.yaml"), "files() writes nothing")
    }

    /// A check no rule uses yet gets a bare rule and a Deployment to edit.
    func testCheckWithoutAnExampleGetsABareRule() throws {
        var registry = CheckRegistry.builtin
        registry.register(UnusedCheck.self)
        let files = try RuleScaffold(id: "unused-thing", category: "metadata", check: "Unused").files(in: root, registry: registry)
        let rule = try RuleLoader.decode(text: files[0].text, file: files[0].path, builtin: false)
        XCTAssertEqual(rule.check, "Unused")
        XCTAssertEqual(rule.params, .object([]))
        XCTAssertEqual(RuleTester.expectations(in: files[2].text, ruleID: "unused-thing").count, 1, files[2].text)
        XCTAssertTrue(files[1].text.hasPrefix("# TODO"), files[1].text)
    }

    func testRefusesWhatItCannotCreate() throws {
        let cases: [(RuleScaffold, String)] = [
            (RuleScaffold(id: "run-as-root", category: "security", check: "RunAsRoot"), "already exists"),
            (RuleScaffold(id: "Bad_ID", category: "security", check: "Assert"), "kebab-case"),
            (RuleScaffold(id: "no-root", category: "security", check: "Assert"), "without a no-/disallow- prefix"),
            (RuleScaffold(id: "new-thing", category: "nonsense", check: "Assert"), "unknown category \"nonsense\""),
            (RuleScaffold(id: "new-thing", category: "security", check: "Nope"), "unknown check \"Nope\""),
            (RuleScaffold(id: "new-thing", category: "security", check: "Assert", description: "no period"), "--description"),
            (RuleScaffold(id: "new-thing", category: "security", check: "Assert", remediation: "lower case."), "--remediation"),
        ]
        for (scaffold, expected) in cases {
            XCTAssertThrowsError(try scaffold.write(into: root), scaffold.id) { error in
                XCTAssertTrue(error.localizedDescription.contains(expected), error.localizedDescription)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/fixtures/rules/new-thing"), "a refusal writes nothing")
    }

    func testMarkersOfTheExampleAreRenamed() {
        let text = "a: 1  # expect: old-rule, other@3\nb: 2 # expect: old-rule@7\n"
        XCTAssertEqual(
            RuleScaffold.renameMarkers(in: text, from: "old-rule", to: "new-rule"),
            "a: 1  # expect: new-rule, other@3\nb: 2 # expect: new-rule@7\n")
    }
}

/// A check template no built-in rule uses.
private struct UnusedCheck: Check {
    struct Parameters: Decodable, Sendable {}
    static let name = "Unused"
    init(parameters: Parameters) {}
    func check(_ object: KubeObject, in context: CheckContext) -> [Violation] { [] }
}
