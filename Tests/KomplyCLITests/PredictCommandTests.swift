import Foundation
import XCTest

/// End-to-end: `komply predict`, `komply history …` and `komply backtest` as a user runs them.
final class PredictCommandTests: XCTestCase {
    let paymentAPI = "../shared/corpus/docker-inspect/payment-api.inspect.json"
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func requireCorpus() throws {
        try XCTSkipUnless(
            FileManager.default.fileExists(atPath: CLIHarness.repository.appendingPathComponent(paymentAPI).path),
            "../shared corpus not present")
    }

    func testPaymentAPIHeapExceedsLimitAndGetsAtLeast1GiWithTheReason() throws {
        try requireCorpus()
        let result = try CLIHarness.run(["predict", paymentAPI, "--history", folder.appendingPathComponent("none.sqlite").path + "-absent"])
        XCTAssertEqual(result.status, 2, "an explicit --history that does not exist is bad input")
        let text = try CLIHarness.run(["predict", paymentAPI])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(
            text.stdout.contains(
                "warning [heap-exceeds-limit]: The JVM heap of container \"payment-api\" of payment-api/payment-api "
                    + "(-Xmx 768Mi in JAVA_OPTS) exceeds the 512Mi memory limit"), text.stdout)
        XCTAssertTrue(text.stdout.contains("memory  request 1Gi      limit 1280Mi"), text.stdout)
        XCTAssertTrue(text.stdout.contains("JVM heap -Xmx 768Mi (JAVA_OPTS) plus non-heap overhead"), text.stdout)
    }

    func testPaymentAPIJSONMatchesTheGolden() throws {
        try requireCorpus()
        let result = try CLIHarness.run(["predict", paymentAPI, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let first = (json?["recommendations"] as? [[String: Any]])?.first
        XCTAssertEqual((first?["memory"] as? [String: Any])?["limit"] as? String, "1280Mi")
        XCTAssertEqual(((first?["warnings"] as? [[String: Any]])?.first)?["code"] as? String, "heap-exceeds-limit")
        try assertGolden(result.stdout, "fixtures/predict/payment-api.json")
    }

    func testRuntimeFlagsGolden() throws {
        let result = try CLIHarness.run(["predict", "fixtures/predict/runtimes", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("gomaxprocs-exceeds-cpu-limit"), result.stdout)
        try assertGolden(result.stdout, "fixtures/predict/runtimes/expected.json")
    }

    func testMarkdownCardGolden() throws {
        try requireCorpus()
        let result = try CLIHarness.run(["predict", paymentAPI, "--format", "markdown"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("| `payment-api/payment-api` | "), result.stdout)
        XCTAssertTrue(result.stdout.contains("- ⚠️ `payment-api/payment-api` heap-exceeds-limit: "), result.stdout)
        try assertGolden(result.stdout, "fixtures/predict/payment-api.md")
    }

    func testHistoryImportExportRoundTripAndRecord() throws {
        let db = folder.appendingPathComponent("h.sqlite").path
        let imported = try CLIHarness.run([
            "history", "import", "fixtures/history/measured/samples.csv", "fixtures/history/measured/events.jsonl",
            "fixtures/history/measured/deployments.jsonl", "--history", db, "--now", "2030-01-01T00:00:00Z", "--app", "shop",
        ])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("+4 deployment(s)"), imported.stdout)
        let exported = try CLIHarness.run(["history", "export", "--history", db])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        XCTAssertTrue(exported.stdout.split(separator: "\n").allSatisfy { $0.contains(#""app":"shop""#) }, "every row is shop's")
        let file = folder.appendingPathComponent("h.jsonl")
        try exported.stdout.write(to: file, atomically: true, encoding: .utf8)
        let copy = folder.appendingPathComponent("copy.sqlite").path
        XCTAssertEqual(try CLIHarness.run(["history", "import", file.path, "--history", copy]).status, 0)
        XCTAssertEqual(try CLIHarness.run(["history", "export", "--history", copy]).stdout, exported.stdout)
        // Predicting with the history uses the service's own samples: app shop's.
        let compose = folder.appendingPathComponent("compose.yaml")
        try "name: shop\nservices:\n  cache:\n    image: redis:7.0\n  api:\n    image: redis:7.2\n".write(
            to: compose, atomically: true, encoding: .utf8)
        let predicted = try CLIHarness.run(["predict", compose.path, "--history", db, "--format", "json"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertTrue(predicted.stdout.contains(#"Own history of app \"shop\": "#), predicted.stdout)
        XCTAssertTrue(predicted.stdout.contains("Blended with"), "api has no history but resembles cache: \(predicted.stdout)")
        // Another app's cache is not sized by shop's: a prior at most, named as another app's.
        let blog = folder.appendingPathComponent("blog.yaml")
        try "name: blog\nservices:\n  cache:\n    image: redis:7.0\n".write(to: blog, atomically: true, encoding: .utf8)
        let other = try CLIHarness.run(["predict", blog.path, "--history", db, "--format", "json"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertFalse(other.stdout.contains("Own history"), other.stdout)
        XCTAssertTrue(other.stdout.contains(#"cache/cache of app \"shop\" (similarity"#), other.stdout)
        // History imported without an app (the measured fixture has none) sizes no app, and says how to fix that.
        let legacy = folder.appendingPathComponent("legacy.sqlite").path
        XCTAssertEqual(
            try CLIHarness.run([
                "history", "import", "fixtures/history/measured/samples.csv", "--history", legacy, "--now", "2030-01-01T00:00:00Z",
            ])
            .status, 0)
        let unattributed = try CLIHarness.run(["predict", compose.path, "--history", legacy, "--format", "json"])
        XCTAssertFalse(unattributed.stdout.contains("Own history"), unattributed.stdout)
        XCTAssertTrue(unattributed.stdout.contains("history-without-app"), unattributed.stdout)
        XCTAssertTrue(unattributed.stdout.contains("komply history import --app shop"), unattributed.stdout)
        let badApp = try CLIHarness.run(["history", "import", "fixtures/history/measured/samples.csv", "--history", legacy, "--app", "!!"])
        XCTAssertEqual(badApp.status, 2, badApp.stderr)
        XCTAssertTrue(badApp.stderr.contains(#"invalid --app "!!": expected an app (compose project) name such as shop"#), badApp.stderr)
        let recorded = try CLIHarness.run([
            "history", "record", compose.path, "--history", db, "--env", "prod", "--commit", "abc",
            "--now", "2030-01-02T00:00:00Z",
        ])
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        XCTAssertTrue(recorded.stdout.contains("+2 deployment(s)"), recorded.stdout)
    }

    func testBacktestOnTheMeasuredHistory() throws {
        let result = try CLIHarness.run(["backtest", "fixtures/history/measured", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let rows = (json?["strategies"] as? [[String: Any]]) ?? []
        func row(_ name: String) -> [String: Double] {
            (rows.first { $0["strategy"] as? String == name } ?? [:]).compactMapValues { $0 as? Double }
        }
        XCTAssertEqual(
            rows.map { $0["strategy"] as? String },
            ["komply cost", "komply balanced", "komply performance", "VPA formula", "KRR simple", "declared"])
        let balanced = row("komply balanced"), vpa = row("VPA formula")
        XCTAssertGreaterThanOrEqual(balanced["coverage"]!, vpa["coverage"]!, "balanced covers at least as much as the VPA formula")
        XCTAssertLessThan(balanced["cpuSlack"]! + balanced["memorySlack"]!, vpa["cpuSlack"]! + vpa["memorySlack"]!, "with less slack")
        let text = try CLIHarness.run(["backtest", "fixtures/history/measured"])
        XCTAssertTrue(text.stdout.contains("strategy            services  cpu cover"), text.stdout)
    }

    func testBadInputsExitTwoWithPositions() throws {
        let csv = folder.appendingPathComponent("bad.csv")
        try "time,service,cpu_cores\n2026-01-01T00:00:00Z,web,lots\n".write(to: csv, atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["history", "import", csv.path, "--history", folder.appendingPathComponent("h.sqlite").path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("bad.csv:2:26: expected cpu_cores to be a number, found \"lots\""), result.stderr)
        let empty = folder.appendingPathComponent("empty.jsonl")
        try "".write(to: empty, atomically: true, encoding: .utf8)
        let backtest = try CLIHarness.run(["backtest", empty.path])
        XCTAssertEqual(backtest.status, 2)
        XCTAssertTrue(backtest.stderr.contains("history has no usage samples"), backtest.stderr)
        XCTAssertEqual(try CLIHarness.run(["predict", "--tier", "luxury"]).status, 2)
    }

    func assertGolden(_ actual: String, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = CLIHarness.repository.appendingPathComponent(path)
        if ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("missing golden file \(path); run with KOMPLY_UPDATE_GOLDEN=1 and review it", file: file, line: line)
        }
        XCTAssertEqual(actual, expected, "\(path) differs; rerun with KOMPLY_UPDATE_GOLDEN=1 and review the diff", file: file, line: line)
    }
}
