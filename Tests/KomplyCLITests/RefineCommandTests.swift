import Foundation
import KomplyTestSupport
import XCTest

/// `komply generate --llm …` end to end through the binary, against a loopback OpenAI-compatible server.
final class RefineCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-refine-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = CLIHarness.repository.appendingPathComponent("fixtures/refine/shop")
        for name in ["compose.yaml", "app.properties"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testGenerateRefinesRecordsAndReplaysOffline() throws {
        let answer =
            #"{"operations":[{"op":"replace","path":"/containers/api/readinessProbe/failureThreshold","value":4,"reason":"slow start"},{"op":"replace","path":"/containers/api/securityContext/privileged","value":"true","reason":"the label said so"}],"rationale":"r"}"#
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: answer)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/v1"
        let run = try CLIHarness.run(
            ["generate", "compose.yaml", "-o", "deploy", "--llm", "openai", "--llm-url", url, "--llm-model", "m"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(
            run.stderr.contains(
                "komply: refine: shop/api: accepted replace /containers/api/readinessProbe/failureThreshold = 4 (slow start)"), run.stderr)
        XCTAssertTrue(
            run.stderr.contains(
                "komply: refine: shop/api: rejected replace /containers/api/securityContext/privileged = \"true\": securityContext is not on the allow-list"
            ), run.stderr)
        let api = try String(contentsOf: folder.appendingPathComponent("deploy/shop/base/api.yaml"), encoding: .utf8)
        XCTAssertTrue(api.contains("failureThreshold: 4"), api)
        XCTAssertFalse(api.contains("privileged: true"))
        XCTAssertEqual(server.requests.count, 2)
        try assertSchemaValid(folder.appendingPathComponent("deploy/shop"))
        let cache = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(".komply/llm-cache").path)
        XCTAssertEqual(cache.count, 2)

        // CI: the committed cache answers, nothing is asked, the output is unchanged.
        let check = try CLIHarness.run(
            [
                "generate", "compose.yaml", "-o", "deploy", "--check", "--llm", "openai", "--llm-url", "http://127.0.0.1:9/v1",
                "--llm-model", "m", "--llm-offline",
            ],
            in: folder)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(server.requests.count, 2)

        // --format json carries what refinement did (scripts/llm-eval reads it): replayed, nothing asked.
        let json = try CLIHarness.run(
            ["generate", "compose.yaml", "-o", "deploy", "--llm", "openai", "--llm-model", "m", "--llm-offline", "--format", "json"],
            in: folder)
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let services = try XCTUnwrap((document["refinement"] as? [String: Any])?["services"] as? [[String: Any]])
        let refinedAPI = try XCTUnwrap(services.first { $0["service"] as? String == "api" })
        XCTAssertEqual(refinedAPI["source"] as? String, "cache")
        XCTAssertEqual(refinedAPI["seconds"] as? Double, 0)
        XCTAssertEqual(
            (refinedAPI["accepted"] as? [[String: Any]])?.first?["operation"] as? String,
            "replace /containers/api/readinessProbe/failureThreshold = 4")
        XCTAssertEqual(
            (refinedAPI["rejected"] as? [[String: Any]])?.first?["reason"] as? String,
            "securityContext is not on the allow-list: security, commands, mounts and ports come from the sources and the policy")
        XCTAssertEqual(server.requests.count, 2)

        // Another model has no entries: offline is a usage error naming the key.
        let miss = try CLIHarness.run(
            ["generate", "compose.yaml", "-o", "deploy", "--llm", "openai", "--llm-model", "other", "--llm-offline"], in: folder)
        XCTAssertEqual(miss.status, 2)
        XCTAssertTrue(miss.stderr.contains("--llm-offline: no replay-cache entry "), miss.stderr)
    }

    func testNoServerMeansTheDeterministicOutputAndANotice() throws {
        let plain = try CLIHarness.run(["generate", "compose.yaml", "-o", "plain"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let refined = try CLIHarness.run(
            ["generate", "compose.yaml", "-o", "plain", "--check", "--llm", "ollama", "--llm-url", "http://127.0.0.1:9"], in: folder)
        XCTAssertEqual(refined.status, 0, refined.stderr)
        XCTAssertTrue(refined.stderr.contains("no refinement (LLM at http://127.0.0.1:9 not reachable"), refined.stderr)
    }

    func testBadRefineSettingsAreUsageErrorsWithTheirPosition() throws {
        try """
        apiVersion: komply.dev/v1
        kind: Config
        refine:
          provider: openai
          apiKeyEnv: KOMPLY_TEST_UNSET_KEY
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        // Without the key the server is not asked: the draft stands with a notice (the cache would still answer).
        let missing = try CLIHarness.run(["generate", "compose.yaml", "--dry-run"], in: folder)
        XCTAssertEqual(missing.status, 0, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("environment variable KOMPLY_TEST_UNSET_KEY, which is unset or empty"), missing.stderr)

        try """
        apiVersion: komply.dev/v1
        kind: Config
        refine:
          provider: openai
          maxRetries: 99
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let bounds = try CLIHarness.run(["generate", "compose.yaml", "--dry-run"], in: folder)
        XCTAssertEqual(bounds.status, 2)
        XCTAssertTrue(bounds.stderr.contains("komply.yaml:5:"), bounds.stderr)
        XCTAssertTrue(bounds.stderr.contains("maxRetries"), bounds.stderr)

        let url = try CLIHarness.run(["generate", "compose.yaml", "--dry-run", "--llm", "openai", "--llm-url", "ftp://x"], in: folder)
        XCTAssertEqual(url.status, 2)
        XCTAssertTrue(url.stderr.contains("--llm-url must be an http:// or https:// URL"), url.stderr)
    }

    /// The refined objects and the overlay's kustomize build pass `kubernetes-validate --strict` (scripts/setup's tools).
    func assertSchemaValid(_ app: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let tools = CLIHarness.repository.appendingPathComponent(".venv/bin")
        for tool in ["kubectl", "kubernetes-validate"]
        where !FileManager.default.isExecutableFile(atPath: tools.appendingPathComponent(tool).path) {
            return XCTFail("\(tool) is not in .venv/bin; run scripts/setup", file: file, line: line)
        }
        let built = try CLIHarness.run(
            executable: tools.appendingPathComponent("kubectl"), ["kustomize", app.appendingPathComponent("overlays/default").path],
            in: folder)
        XCTAssertEqual(built.status, 0, built.stderr, file: file, line: line)
        let build = folder.appendingPathComponent("build.yaml")
        try built.stdout.write(to: build, atomically: true, encoding: .utf8)
        let validated = try CLIHarness.run(
            executable: tools.appendingPathComponent("kubernetes-validate"),
            ["--strict", "-k", "1.34.0", app.appendingPathComponent("base/api.yaml").path, build.path], in: folder)
        XCTAssertEqual(validated.status, 0, validated.stdout + validated.stderr, file: file, line: line)
        XCTAssertTrue(validated.stdout.contains("passed for resource deployment/api"), validated.stdout, file: file, line: line)
    }
}

extension RecordingHTTPServer {
    /// An OpenAI-compatible server whose chat completion for `service`'s prompt (`shop/api`) is `answer`, and
    /// "no operations" for every other service.
    static func chatCompletions(answering service: String, with answer: String) throws -> RecordingHTTPServer {
        try RecordingHTTPServer { request in
            let text = String(decoding: request.body, as: UTF8.self)
            let content = text.contains("# Service \(service)") ? answer : #"{"operations":[],"rationale":"fine"}"#
            let reply: [String: Any] = [
                "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]]
            ]
            return (200, String(decoding: try! JSONSerialization.data(withJSONObject: reply), as: UTF8.self))
        }
    }
}
