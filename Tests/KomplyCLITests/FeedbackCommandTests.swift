import Foundation
import KomplyTestSupport
import XCTest

/// Issue 17 end to end: generate with an LLM that changes a container's resources, record what was deployed
/// from the manifests (`source: llm` for that container), add usage, and backtest per source.
final class FeedbackCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-feedback-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = CLIHarness.repository.appendingPathComponent("fixtures/refine/shop")
        for name in ["compose.yaml", "app.properties"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testRecordFromRefinedManifestsThenBacktestPerSource() throws {
        // The deterministic draft's CPU request of api, so the LLM's change stays within the validator's factor.
        let plain = try CLIHarness.run(["generate", "compose.yaml", "-o", "plain"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let draft = try String(contentsOf: folder.appendingPathComponent("plain/shop/base/api.yaml"), encoding: .utf8)
        let match = try XCTUnwrap(draft.firstMatch(of: /requests:\n\s+cpu: "?([0-9.]+)(m?)"?/), draft)
        let draftMilli = match.2.isEmpty ? Int(Double(match.1)! * 1000) : Int(match.1)!
        let refinedMilli = draftMilli * 4 / 5
        let answer =
            #"{"operations":[{"op":"replace","path":"/containers/api/resources/requests/cpu","value":"\#(refinedMilli)m","reason":"idle most of the day"}],"rationale":"r"}"#
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: answer)
        defer { server.stop() }
        let generated = try CLIHarness.run(
            [
                "generate", "compose.yaml", "-o", "deploy", "--llm", "openai", "--llm-url", "http://127.0.0.1:\(server.port)/v1",
                "--llm-model", "m",
            ], in: folder)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stderr.contains("accepted replace /containers/api/resources/requests/cpu"), generated.stderr)
        let api = try String(contentsOf: folder.appendingPathComponent("deploy/shop/base/api.yaml"), encoding: .utf8)
        XCTAssertTrue(api.contains("komply.dev/refined: openai m changed /containers/api/resources/requests/cpu"), api)

        let history = folder.appendingPathComponent("h.sqlite").path
        let both = try CLIHarness.run(
            ["history", "record", "compose.yaml", "--manifests", "deploy", "--recommended", "--history", history], in: folder)
        XCTAssertEqual(both.status, 2, both.stderr)
        XCTAssertTrue(both.stderr.contains("--recommended and --manifests both say what was deployed"), both.stderr)

        let recorded = try CLIHarness.run(
            [
                "history", "record", "compose.yaml", "--manifests", "deploy", "--history", history, "--env", "prod",
                "--now", "2026-11-01T00:00:00Z",
            ], in: folder)
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        XCTAssertTrue(recorded.stdout.contains("+2 deployment(s)"), recorded.stdout)
        let export = try CLIHarness.run(["history", "export", "--history", history], in: folder)
        let lines = export.stdout.split(separator: "\n").filter { $0.contains(#""type":"deployment""#) }
        let apiLine = try XCTUnwrap(lines.first { $0.contains(#""service":"api""#) }, export.stdout)
        let dbLine = try XCTUnwrap(lines.first { $0.contains(#""service":"db""#) }, export.stdout)
        XCTAssertTrue(apiLine.contains(#""source":"llm""#), String(apiLine))
        XCTAssertTrue(
            apiLine.contains(#""cpu_request":\#(Double(refinedMilli) / 1000)"#), "the manifests' resources are recorded: \(apiLine)")
        XCTAssertFalse(dbLine.contains(#""source""#), "db is the recommender's, which exports without a source: \(dbLine)")

        // An hour of usage after the deployment, then the backtest compares the two sources.
        var csv = "time,app,service,container,cpu_cores,memory_bytes\n"
        for minute in stride(from: 0, to: 60, by: 5) {
            let time = String(format: "2026-11-01T00:%02d:00Z", minute)
            csv += "\(time),shop,api,api,0.05,209715200\n\(time),shop,db,db,0.02,104857600\n"
        }
        try csv.write(to: folder.appendingPathComponent("usage.csv"), atomically: true, encoding: .utf8)
        let observed = try CLIHarness.run(
            ["history", "import", "usage.csv", "--history", history, "--now", "2026-12-01T00:00:00Z"], in: folder)
        XCTAssertEqual(observed.status, 0, observed.stderr)
        let text = try CLIHarness.run(["backtest", "--history", history], in: folder)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("By source"), text.stdout)
        XCTAssertNotNil(text.stdout.range(of: #"\ndeterministic +1 "#, options: .regularExpression), text.stdout)
        XCTAssertNotNil(text.stdout.range(of: #"\nllm +1 "#, options: .regularExpression), text.stdout)
        let json = try CLIHarness.run(["backtest", "--history", history, "--format", "json"], in: folder)
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let sources = try XCTUnwrap(object?["sources"] as? [[String: Any]], json.stdout)
        XCTAssertEqual(sources.map { $0["source"] as? String }, ["deterministic", "llm"])
        XCTAssertEqual(sources.map { $0["deployments"] as? Int }, [1, 1])
        // api's LLM request (at least 10m) against a steady 0.05 cores used: the slack is the request minus 50m.
        let llmSlack = try XCTUnwrap(sources[1]["medianCPUSlackCores"] as? Double)
        XCTAssertEqual(llmSlack, Double(refinedMilli) / 1000 - 0.05, accuracy: 0.001)
    }
}
