import Foundation
import XCTest

/// `komply explain` end to end through the binary: the same card the pipeline's golden tests record.
final class ExplainCommandTests: XCTestCase {
    func testExplainPrintsTheGoldenCardsAndWritesNothing() throws {
        let golden = CLIHarness.repository.appendingPathComponent("fixtures/explain/web-db")
        for (format, file) in [("markdown", "card.md"), ("json", "card.json")] {
            let run = try CLIHarness.run(["explain", "fixtures/generate/web-db/input", "--format", format])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, try String(contentsOf: golden.appendingPathComponent(file), encoding: .utf8), format)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLIHarness.repository.appendingPathComponent("deploy").path))
    }

    func testExplainReadsOneEnvironment() throws {
        let run = try CLIHarness.run(["explain", "fixtures/generate/web-db/input", "--env", "a", "--env", "b"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("komply explain reads one environment; pass one --env"), run.stderr)
    }
}
