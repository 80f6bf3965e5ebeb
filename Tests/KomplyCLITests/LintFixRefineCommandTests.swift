import Foundation
import KomplyTestSupport
import XCTest

/// `komply lint --fix --llm …` end to end through the binary, against a loopback OpenAI-compatible server:
/// accepted operations are written as line edits into the user's file, everything else is rejected with a
/// reason, and the file's shape (comments, key order, CRLF, a missing final newline) survives.
final class LintFixRefineCommandTests: XCTestCase {
    var folder: URL!

    /// A hand-written Deployment (not komply's output) with comments, one container, probes and resources.
    static let deployment = """
        # The shop's API, written by hand.
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          namespace: shop
        spec:
          replicas: 2 # two for the demo
          selector:
            matchLabels:
              app: api
          template:
            metadata:
              labels:
                app: api
            spec:
              containers:
                - name: api
                  image: registry.example.com/shop/api:1.4.2
                  env:
                    - name: DB_PASSWORD
                      value: Tr0ub4dor-and-3-more
                  ports:
                    - containerPort: 8080
                  readinessProbe:
                    httpGet:
                      path: /health
                      port: 8080
                    periodSeconds: 10
                  resources:
                    requests:
                      cpu: 250m
                      memory: 256Mi
                    limits:
                      cpu: 500m
                      memory: 512Mi
        """

    static let helpful =
        #"{"operations":[{"op":"replace","path":"/containers/api/readinessProbe/failureThreshold","value":4,"reason":"slow start"},{"op":"replace","path":"/containers/api/resources/limits/memory","value":"768Mi","reason":"peaks near 500Mi"}],"rationale":"r"}"#

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-lintfix-refine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func write(_ text: String, _ name: String = "api.yaml") throws -> URL {
        let file = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    func lintFix(_ server: RecordingHTTPServer?, _ extra: [String] = [], file: String = "api.yaml") throws -> CLIHarness.Result {
        let url = server.map { "http://127.0.0.1:\($0.port)/v1" } ?? "http://127.0.0.1:9/v1"
        return try CLIHarness.run(["lint", file, "--fix", "--llm", "openai", "--llm-url", url, "--llm-model", "m"] + extra, in: folder)
    }

    func testHelpfulReplyIsWrittenAsLineEditsAndASecondRunChangesNothing() throws {
        let file = try write(Self.deployment)
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: Self.helpful)
        defer { server.stop() }
        let run = try lintFix(server)
        XCTAssertTrue(
            run.stderr.contains(
                "komply: refine: api.yaml: shop/api: accepted replace /containers/api/readinessProbe/failureThreshold = 4 (slow start)"),
            run.stderr)
        XCTAssertTrue(run.stderr.contains("komply: fixed api.yaml: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("refine shop/api: replace /containers/api/resources/limits/memory = \"768Mi\""), run.stderr)
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains("      failureThreshold: 4\n"), text)
        XCTAssertTrue(text.contains("          memory: 768Mi\n"), text)
        XCTAssertTrue(
            text.contains(
                "komply.dev/refined: openai m changed /containers/api/readinessProbe/failureThreshold, /containers/api/resources/limits/memory"
            ),
            text)
        // The user's comments and key order stay.
        XCTAssertTrue(text.hasPrefix("# The shop's API, written by hand.\napiVersion: apps/v1\nkind: Deployment\n"), text)
        XCTAssertTrue(text.contains("  replicas: 2 # two for the demo\n"), text)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(try cacheFiles().count, 1)
        // The user's manifest holds a plaintext password (lint reports it); the prompt never carries it.
        for request in server.requests {
            XCTAssertFalse(String(decoding: request.body, as: UTF8.self).contains("Tr0ub4dor"), "the prompt holds the password")
        }
        XCTAssertTrue(String(decoding: server.requests[0].body, as: UTF8.self).contains("DB_PASSWORD"))

        // A refined workload carries komply.dev/refined and is not asked about again: nothing changes, offline too.
        let again = try lintFix(nil, ["--llm-offline"])
        XCTAssertFalse(again.stderr.contains("komply: fixed"), again.stderr)
        XCTAssertTrue(again.stderr.contains("already refined (komply.dev/refined)"), again.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), text)
        XCTAssertEqual(server.requests.count, 1)

        // The same file again, offline: the replay cache answers and the bytes are the same.
        let copy = try write(Self.deployment, "copy.yaml")
        let replay = try lintFix(nil, ["--llm-offline"], file: "copy.yaml")
        XCTAssertTrue(replay.stderr.contains("replayed from the cache"), replay.stderr)
        XCTAssertEqual(try String(contentsOf: copy, encoding: .utf8), text)
        XCTAssertEqual(server.requests.count, 1)
    }

    func testForbiddenPathsAndAbsurdValuesAreRejectedAndLeaveTheFileUntouchedForThem() throws {
        let file = try write(Self.deployment)
        let answer = RecordingHTTPServer.answer([
            ("/containers/api/securityContext/privileged", "true"), ("/hostNetwork", "true"),
            ("/containers/api/image", "evil.example.com/miner:latest"), ("/containers/api/resources/limits/memory", "512Gi"),
            ("/replicas", 1000), ("/containers/api/readinessProbe/periodSeconds", 15),
        ])
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: answer)
        defer { server.stop() }
        let run = try lintFix(server)
        for expected in [
            "rejected replace /containers/api/securityContext/privileged = \"true\": securityContext is not on the allow-list",
            "rejected replace /hostNetwork = \"true\": /hostNetwork is not on the allow-list",
            "rejected replace /containers/api/image = \"evil.example.com/miner:latest\": the image is never changed by refinement",
            "rejected replace /containers/api/resources/limits/memory = \"512Gi\": memory limits 512Gi is outside",
            "rejected replace /replicas = 1000: replicas 1000 is outside",
            "accepted replace /containers/api/readinessProbe/periodSeconds = 15",
        ] {
            XCTAssertTrue(run.stderr.contains("komply: refine: api.yaml: shop/api: " + expected), expected + "\n" + run.stderr)
        }
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains("      periodSeconds: 15\n"), text)
        for absent in ["privileged", "hostNetwork", "evil.example.com", "512Gi", "1000"] { XCTAssertFalse(text.contains(absent), absent) }
        XCTAssertTrue(text.contains("image: registry.example.com/shop/api:1.4.2\n"), text)
        XCTAssertTrue(text.contains("  replicas: 2 # two for the demo\n"), text)
    }

    func testMalformedReplyGivesTheDeterministicResultAndANotice() throws {
        let plainFile = try write(Self.deployment, "plain.yaml")
        let plain = try CLIHarness.run(["lint", "plain.yaml", "--fix"], in: folder)
        XCTAssertNotEqual(plain.status, 2, plain.stderr)
        let file = try write(Self.deployment)
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: "I would rather not say.")
        defer { server.stop() }
        let run = try lintFix(server)
        XCTAssertEqual(run.status, plain.status, run.stderr)
        XCTAssertTrue(
            run.stderr.contains(
                "komply: refine: api.yaml: shop/api: no refinement (the answer holds no JSON object with an operations list)"),
            run.stderr)
        XCTAssertEqual(try Data(contentsOf: file), try Data(contentsOf: plainFile))
    }

    func testOfflineMissFailsAsGenerateDoesAndWritesNothing() throws {
        let file = try write(Self.deployment)
        let original = try Data(contentsOf: file)
        let run = try lintFix(nil, ["--llm-offline"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("--llm-offline: no replay-cache entry "), run.stderr)
        XCTAssertEqual(try Data(contentsOf: file), original)
    }

    func testWithoutLLMNothingChangesAndTheFlagsNeedFix() throws {
        let usage = try CLIHarness.run(["lint", "api.yaml", "--llm", "openai"], in: folder)
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("only apply with --fix"), usage.stderr)
    }

    func testCRLFAndNoFinalNewlineFilesKeepTheirShape() throws {
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: Self.helpful)
        defer { server.stop() }
        let crlf = try write(Self.deployment.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n", "crlf.yaml")
        let bare = try write(Self.deployment, "bare.yaml")
        for (file, name) in [(crlf, "crlf.yaml"), (bare, "bare.yaml")] {
            let before = try String(contentsOf: file, encoding: .utf8)
            let run = try lintFix(server, ["--rule", "latest-image-tag"], file: name)
            XCTAssertTrue(run.stderr.contains("komply: fixed \(name): refine shop/api: "), run.stderr)
            let after = try String(contentsOf: file, encoding: .utf8)
            if name == "crlf.yaml" {
                XCTAssertFalse(after.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "a bare LF in \(name)")
                XCTAssertTrue(after.hasSuffix("\r\n"))
                XCTAssertTrue(after.contains("      failureThreshold: 4\r\n"), after)
            } else {
                // As every file --fix edits: the last line gets its line end.
                XCTAssertTrue(after.hasSuffix("          memory: 768Mi\n"), after)
                XCTAssertTrue(after.contains("      failureThreshold: 4\n"), after)
            }
            let lines = { (text: String) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n") }
            // Only the edited lines differ: three added (failureThreshold, annotations and the mark), one changed (memory).
            let removed = Set(lines(before)).subtracting(lines(after))
            XCTAssertEqual(removed, ["              memory: 512Mi"], name)
            XCTAssertEqual(lines(after).count, lines(before).count + 3, after)
        }
    }

    func testAnAnswerEchoingACredentialIsNeitherCachedNorPrintedNorApplied() throws {
        let key = "AKIAQWERTYUIOPASDFGH"
        let password = "hunter2-Correct-Horse-9"
        let answer =
            #"{"operations":[{"op":"replace","path":"/containers/api/readinessProbe/failureThreshold","value":4,"reason":"the key \#(key) was in the logs"}],"rationale":"DB_PASSWORD=\#(password)"}"#
        let server = try RecordingHTTPServer.chatCompletions(answering: "shop/api", with: answer)
        defer { server.stop() }
        let plainFile = try write(Self.deployment, "plain.yaml")
        _ = try CLIHarness.run(["lint", "plain.yaml", "--fix"], in: folder)
        var outputs: [String] = []
        var texts: [Data] = []
        for _ in 0..<2 {
            _ = try write(Self.deployment)
            let run = try lintFix(server)
            XCTAssertTrue(
                run.stderr.contains(
                    "komply: refine: api.yaml: shop/api: no refinement (the answer was discarded and not cached: /operations/0/reason looks like a credential (its value is an AWS access key id))"
                ), run.stderr)
            for secret in [key, password] {
                XCTAssertFalse(run.stdout.contains(secret) || run.stderr.contains(secret), secret)
            }
            outputs.append(run.stdout + run.stderr)
            texts.append(try Data(contentsOf: folder.appendingPathComponent("api.yaml")))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(texts[0], texts[1])
        XCTAssertEqual(texts[0], try Data(contentsOf: plainFile), "the deterministic fixes alone")
        XCTAssertEqual(try cacheFiles(), [])
        XCTAssertEqual(server.requests.count, 2)
    }

    func cacheFiles() throws -> [String] {
        let cache = folder.appendingPathComponent(".komply/llm-cache")
        return ((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).sorted()
    }
}

extension RecordingHTTPServer {
    /// The answer JSON replacing each (path, value).
    static func answer(_ operations: [(String, Any)]) -> String {
        let items = operations.map { ["op": "replace", "path": $0.0, "value": $0.1, "reason": "because"] as [String: Any] }
        let object: [String: Any] = ["operations": items, "rationale": "r"]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
