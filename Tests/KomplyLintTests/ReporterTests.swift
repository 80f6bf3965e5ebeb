import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// Every report format against a golden file (`KOMPLY_UPDATE_GOLDEN=1` re-records after review),
/// and SARIF against the official 2.1.0 schema.
///
/// The goldens render a fixed, hand-built run (`ReporterFixture`: rules, findings, a suppressed
/// finding and a problem over the files of fixtures/lint/shop), not the built-in pack's output, so
/// adding or rewording a rule never changes them (SARIF embeds every rule it is given).
final class ReporterTests: XCTestCase {
    static func result() throws -> (Linter.Result, [Rule]) {
        let fixture = try ReporterFixture.make()
        return (fixture.result, fixture.rules)
    }

    func testGoldenReports() throws {
        let (result, rules) = try Self.result()
        let context = ReportContext(rules: rules, color: false, toolVersion: "0.0.0-test")
        let update = ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1"
        for (format, name) in [
            (ReportFormat.text, "report.txt"), (.json, "report.json"), (.sarif, "report.sarif"), (.junit, "report.junit.xml"),
            (.github, "report.github.txt"), (.markdown, "report.md"),
        ] {
            let text = format.reporter.render(result, context: context)
            let path = LintTestSupport.path("fixtures/lint/golden/" + name)
            if update { try text.write(toFile: path, atomically: true, encoding: .utf8); continue }
            let golden = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertEqual(text, golden, "\(name) differs from the golden file; review and re-record with KOMPLY_UPDATE_GOLDEN=1")
        }
    }

    func testMarkdownIsCappedAndListsEachShownRulesFixOnce() throws {
        let (result, rules) = try Self.result()
        let text = MarkdownReporter(maximumRows: 3).render(result, context: ReportContext(rules: rules))
        XCTAssertEqual(text.components(separatedBy: "\n| 🔴 error |").count - 1, 3, text)
        XCTAssertTrue(text.contains("… and \(result.findings.count - 3) more"), text)
        XCTAssertEqual(text.components(separatedBy: "- `run-as-root`:").count - 1, 1, text)
        XCTAssertFalse(text.contains("single-replica"), "a rule not shown has no fix listed\n" + text)
    }

    /// Excerpts come from the right line whatever the line endings: CRLF files show their lines
    /// without the carriage return.
    func testTextExcerptsOfCRLFFiles() throws {
        let lines = [
            "apiVersion: v1", "kind: Pod", "metadata: {name: p, namespace: ns}", "spec:", "  containers:",
            "    - name: app", "      image: nginx:latest",
        ]
        let linter = try Linter(only: ["latest-image-tag"], today: LintTestSupport.today)
        for ending in ["\n", "\r\n"] {
            let result = linter.lint(sources: [ManifestSource(file: "pod.yaml", text: lines.joined(separator: ending) + ending)])
            let text = TextReporter().render(result, context: ReportContext(rules: linter.allRules))
            XCTAssertTrue(text.contains("    7 |       image: nginx:latest\n"), "\(ending.debugDescription): \(text)")
            XCTAssertFalse(text.contains("\r"), ending.debugDescription)
        }
    }

    func testColouredTextUsesANSIOnlyWhenAsked() throws {
        let (result, rules) = try Self.result()
        XCTAssertTrue(TextReporter().render(result, context: ReportContext(rules: rules, color: true)).contains("\u{1B}[31m"))
        XCTAssertFalse(TextReporter().render(result, context: ReportContext(rules: rules, color: false)).contains("\u{1B}["))
    }

    func testSARIFIsValidAgainstTheSchema() throws {
        let (result, rules) = try Self.result()
        let sarif = SARIFReporter().render(result, context: ReportContext(rules: rules))
        let schemaPath = LintTestSupport.repository.deletingLastPathComponent().appendingPathComponent(
            "shared/schemas/sarif-schema-2.1.0.json"
        ).path
        let schemaText = try String(contentsOfFile: schemaPath, encoding: .utf8)
        let schema = try JSONSchema(json: schemaText, file: "sarif-schema-2.1.0.json")
        let document = try XCTUnwrap(YAMLLoader.parse(sarif, file: "report.sarif").first)
        XCTAssertEqual(schema.validate(document).map(\.description), [])
        // A broken document must fail, so the check above is meaningful.
        let broken = try XCTUnwrap(
            YAMLLoader.parse(sarif.replacingOccurrences(of: "\"startLine\": ", with: "\"startLine\": -"), file: "bad.sarif").first)
        XCTAssertFalse(schema.validate(broken).isEmpty)
    }

    func testSARIFFingerprintsSurviveLineShifts() throws {
        let text = EngineTests.deployment(annotation: nil)
        let a = try LintTestSupport.lint(text).findings.map(\.fingerprint)
        let b = try LintTestSupport.lint("# moved\n\n" + text).findings.map(\.fingerprint)
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set(a).count, a.count, "fingerprints are distinct")
    }

    func testGitHubAndJUnitEscaping() {
        XCTAssertEqual(GitHubReporter.data("50%\nnext"), "50%25%0Anext")
        XCTAssertEqual(GitHubReporter.property("a:b,c"), "a%3Ab%2Cc")
        XCTAssertEqual(JUnitReporter.escape("<a href=\"x\">&'</a>\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;")
    }
}
