import XCTest

@testable import KomplyCore

/// The `komply.dev/ignore` codec: what the generator writes, the linter reads back unchanged.
final class SuppressionTests: XCTestCase {
    func testWrittenEntriesReadBack() {
        let entries = [
            Suppression(ruleID: "run-as-root", reason: "the image needs uid 0 to bind port 80"),
            Suppression(ruleID: "missing-liveness-probe", container: "worker", reason: "batch worker", expires: "2027-01-31"),
        ]
        let value = Suppression.annotationValue(entries)
        XCTAssertEqual(
            value, "run-as-root=the image needs uid 0 to bind port 80; missing-liveness-probe/worker=batch worker until 2027-01-31")
        let (read, problems) = Suppression.parse(value)
        XCTAssertEqual(read, entries)
        XCTAssertEqual(problems, [])
    }

    func testASemicolonInAReasonDoesNotSplitTheEntry() {
        let value = Suppression.annotationValue([Suppression(ruleID: "run-as-root", reason: "legacy; see ticket 12")])
        XCTAssertEqual(Suppression.parse(value).suppressions.map(\.reason), ["legacy, see ticket 12"])
    }

    func testMalformedEntriesAreProblems() {
        let (read, problems) = Suppression.parse("Run_As_Root=x; latest-image-tag; single-replica=ok until 2027-02-30")
        XCTAssertEqual(read, [])
        XCTAssertEqual(problems.count, 3)
        XCTAssertTrue(problems[2].problem.contains("not a calendar date"), "\(problems[2])")
    }

    func testRuleIDs() {
        XCTAssertTrue(Suppression.isValidRuleID("run-as-root"))
        for bad in ["", "-a", "a-", "a--b", "Run", "a_b", "ä"] { XCTAssertFalse(Suppression.isValidRuleID(bad), bad) }
    }

    func testDiagnosticsPrintInfoAsANote() {
        let location = SourceLocation(file: "compose.yaml")
        XCTAssertEqual(Diagnostic(.info, "skipped", at: location).description, "compose.yaml: note: skipped")
        XCTAssertEqual(Diagnostic(.warning, "odd", at: nil).description, "warning: odd")
        XCTAssertTrue(Severity.info < .warning && Severity.warning < .error)
    }
}
