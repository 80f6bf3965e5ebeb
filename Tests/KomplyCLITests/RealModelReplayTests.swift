import Foundation
import KomplyTestSupport
import XCTest

/// What a real small model answered, replayed in CI. `scripts/llm-eval --record fixtures/llm/smollm2` kept
/// SmolLM2-135M-Instruct's answers (llama-cpp-python, `json_object` dialect) for the example app; a loopback
/// server gives them back for the same services, so the guards meet real model output on every run without
/// the 15-minute server build. The answers are nonsense a small model writes (paths that are prose,
/// `remove-all`, a reply without an operations list): nothing may be accepted, and the output must be the
/// deterministic one byte for byte.
final class RealModelReplayTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-real-answers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testSmolLM2AnswersChangeNothingAndAreRejectedWithReasons() throws {
        let recorded = CLIHarness.repository.appendingPathComponent("fixtures/llm/smollm2/webshop")
        var answers: [String: (text: String, finish: String)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: recorded.path) where name.hasSuffix(".json") {
            let entry = try XCTUnwrap(
                try JSONSerialization.jsonObject(with: Data(contentsOf: recorded.appendingPathComponent(name))) as? [String: Any])
            answers[String(name.dropLast(5))] = (
                try XCTUnwrap(entry["answer"] as? String), try XCTUnwrap(entry["finish_reason"] as? String)
            )
        }
        XCTAssertEqual(answers.keys.sorted(), ["api", "cache", "db", "proxy"])
        let recordedAnswers = answers
        let server = try RecordingHTTPServer { request in
            let text = String(decoding: request.body, as: UTF8.self)
            let service = recordedAnswers.keys.first { text.contains("# Service webshop/\($0)") }
            let answer = service.flatMap { recordedAnswers[$0] } ?? (#"{"operations":[],"rationale":"unknown service"}"#, "stop")
            let reply: [String: Any] = [
                "choices": [["index": 0, "message": ["role": "assistant", "content": answer.text], "finish_reason": answer.finish]]
            ]
            return (200, String(decoding: try! JSONSerialization.data(withJSONObject: reply), as: UTF8.self))
        }
        defer { server.stop() }
        let plain = try CLIHarness.run(["generate", "compose.yaml", "-o", "plain"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let llm = [
            "--llm", "openai", "--llm-url", "http://127.0.0.1:\(server.port)/v1", "--llm-dialect", "json_object", "--llm-model",
            "smollm2-135m-instruct",
        ]
        let refined = try CLIHarness.run(["generate", "compose.yaml", "-o", "refined", "--format", "json"] + llm, in: folder)
        XCTAssertEqual(refined.status, 0, refined.stderr)
        XCTAssertEqual(server.requests.count, 4, "one call per workload")

        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(refined.stdout.utf8)) as? [String: Any])
        let services = try XCTUnwrap((document["refinement"] as? [String: Any])?["services"] as? [[String: Any]])
        XCTAssertEqual(services.compactMap { $0["service"] as? String }, ["api", "cache", "db", "proxy"])
        XCTAssertEqual(services.reduce(0) { $0 + (($1["accepted"] as? [Any])?.count ?? 0) }, 0, "nothing of it is accepted")
        let rejected = services.flatMap { ($0["rejected"] as? [[String: String]]) ?? [] }
        XCTAssertEqual(rejected.count, 9)
        XCTAssertTrue(rejected.allSatisfy { !($0["reason"] ?? "").isEmpty }, "\(rejected)")
        XCTAssertTrue(rejected.contains { $0["reason"] == "the path must start with /" }, "\(rejected)")
        XCTAssertTrue(rejected.contains { ($0["reason"] ?? "").contains("is not on the allow-list") }, "\(rejected)")
        let proxy = try XCTUnwrap(services.first { $0["service"] as? String == "proxy" })
        XCTAssertEqual(proxy["problem"] as? String, "the answer holds no JSON object with an operations list")

        // Never less compliant: the refined tree is the deterministic one, and lint finds nothing in it.
        for file in try files(under: "plain") {
            let expected = try Data(contentsOf: folder.appendingPathComponent("plain/" + file))
            let actual = try Data(contentsOf: folder.appendingPathComponent("refined/" + file))
            XCTAssertEqual(actual, expected, file)
        }
        XCTAssertEqual(try files(under: "refined"), try files(under: "plain"))
        let lint = try CLIHarness.run(["lint", "refined", "--format", "json"], in: folder)
        XCTAssertEqual(lint.status, 0, lint.stdout)

        // And CI replays it from the cache without the server, byte for byte.
        server.stop()
        let replay = try CLIHarness.run(["generate", "compose.yaml", "-o", "refined", "--check", "--llm-offline"] + llm, in: folder)
        XCTAssertEqual(replay.status, 0, replay.stdout + replay.stderr)
    }

    private func files(under name: String) throws -> [String] {
        let root = folder.appendingPathComponent(name)
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
        return enumerator.compactMap { $0 as? String }.filter { path in
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &directory)
                && !directory.boolValue
        }.sorted()
    }
}
