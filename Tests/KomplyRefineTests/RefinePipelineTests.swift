import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint
import KomplyPipeline
import KomplyPredict
import KomplySources
import XCTest

@testable import KomplyRefine

/// generate → refine → lint on fixtures/refine/shop against loopback servers: whatever the model answers,
/// the output parses, has no lint finding the draft did not have, and the log names every rejection.
final class RefinePipelineTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let compose = root.appendingPathComponent("fixtures/refine/shop/compose.yaml").path
    /// Every secret value of the fixture: none may appear in a request, a cache file or the log.
    static let secrets = ["S3cr3t-hunter2-Value", "pa55w0rd-Zq9xK", "sk_live_51HqLyjWDarjtT1zdp7dcXYZ0123456789abcd", "Pg-Adm1n-Secret-77"]

    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "komply-refine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        apiVersion: komply.dev/v1
        kind: Config
        refine:
          provider: openai
          model: test-model
          maxRetries: 1
          timeoutSeconds: 2
          cache: llm-cache
        """.write(toFile: folder + "/komply.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// The deterministic draft of the fixture.
    func draft() throws -> GeneratePipeline {
        try GeneratePipeline.run(GenerateRequest(sources: SourceRequest(paths: [Self.compose]), config: folder + "/komply.yaml"))
    }

    /// The api Deployment's first container in `files`.
    func apiContainer(_ files: [GeneratedFile]) throws -> ValueTree {
        let file = try XCTUnwrap(files.first { $0.path == "shop/base/api.yaml" })
        let documents = try YAMLLoader.parse(file.contents, file: file.path).map { $0.valueTree() }
        let deployment = try XCTUnwrap(documents.first { $0["kind"] == .string("Deployment") })
        return try XCTUnwrap(deployment.value(at: [.key("spec"), .key("template"), .key("spec"), .key("containers"), .index(0)]))
    }

    /// Lint keys (rule, file, object, container) of `files` with the built-in pack.
    func findings(_ files: [GeneratedFile]) throws -> Set<String> {
        let result = try Linter().lint(
            sources: files.filter { $0.path.hasSuffix(".yaml") }.map { ManifestSource(file: $0.path, text: $0.contents) })
        XCTAssertEqual(result.problems.count, 0, "\(result.problems)")
        return Set(result.findings.map { "\($0.ruleID) \($0.location.file) \($0.object.name) \($0.container ?? "")" })
    }

    /// Asserts no captured body, cache file or log line holds a fixture secret.
    func assertNoSecrets(_ server: ProviderServer, _ lines: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        var texts = server.requests.map(\.text) + lines
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/llm-cache")) ?? [] {
            texts.append(try String(contentsOfFile: folder + "/llm-cache/" + name, encoding: .utf8))
        }
        XCTAssertFalse(server.requests.isEmpty, file: file, line: line)
        for text in texts {
            for secret in Self.secrets {
                XCTAssertFalse(text.contains(secret), "secret \(secret.prefix(4))… leaked", file: file, line: line)
            }
        }
    }

    func testAHelpfulAnswerIsAppliedLintCleanAndReplayedByteForByte() async throws {
        let draft = try draft()
        let limit = try Quantity(
            parsing: try XCTUnwrap(apiContainer(draft.result.files).value(at: "resources", "limits", "memory")?.stringValue))
        let raised = try limit.scaled(by: 1.5).description
        let helpful = RefineFixtures.answer([
            ("/containers/api/resources/limits/memory", raised), ("/containers/api/readinessProbe/failureThreshold", 4),
            // In bounds for the validator, but the pack's hpa-single-min-replica flags it: the re-lint drops it.
            ("/autoscaling/minReplicas", 1),
        ])
        let server = try await ProviderServer.start { request, _ in
            .init(status: 200, body: Wire.openAI(request.text.contains("# Service shop/api") ? helpful : RefineFixtures.answer([])))
        }
        defer { server.stop() }
        let refined = try await draft.refined(LLMOptions(url: server.url))
        let lines = refined.refinement?.lines ?? []
        XCTAssertTrue(
            lines.contains("refine: shop/api: accepted replace /containers/api/resources/limits/memory = \"\(raised)\" (because)"),
            "\(lines)")
        let container = try apiContainer(refined.result.files)
        XCTAssertEqual(container.value(at: "resources", "limits", "memory"), .string(raised))
        XCTAssertEqual(container.value(at: "readinessProbe", "failureThreshold"), .int(4))
        XCTAssertTrue(try findings(refined.result.files).isSubset(of: findings(draft.result.files)))
        // Only the api's base file changed, and it says who changed what.
        let changed = zip(draft.result.files, refined.result.files).filter { $0.contents != $1.contents }.map(\.0.path)
        XCTAssertEqual(changed, ["shop/base/api.yaml"])
        XCTAssertTrue(
            lines.contains {
                $0.hasPrefix(
                    "refine: shop/api: rejected replace /autoscaling/minReplicas = 1: the lint pack would report hpa-single-min-replica")
            }, "\(lines)")
        // Unchanged documents of the file keep their bytes: the diff is the two values and one annotation line.
        let before = draft.result.files.first { $0.path == "shop/base/api.yaml" }!.contents.split(separator: "\n")
        let after = refined.result.files.first { $0.path == "shop/base/api.yaml" }!.contents.split(separator: "\n")
        XCTAssertEqual(after.count, before.count + 1)
        XCTAssertEqual(Set(after).subtracting(before).count, 3, "\(Set(after).subtracting(before))")
        XCTAssertTrue(
            refined.result.files.first { $0.path == "shop/base/api.yaml" }!.contents.contains(
                "komply.dev/refined: openai test-model changed"))
        for request in server.requests { try RequestChecker.assertValid("openai", request.body) }
        try assertNoSecrets(server, lines)

        // Offline from the replay cache: the same bytes, no request.
        let asked = server.requests.count
        let replayed = try await self.draft().refined(LLMOptions(url: server.url, offline: true))
        XCTAssertEqual(replayed.result.files, refined.result.files)
        XCTAssertEqual(server.requests.count, asked)
        XCTAssertTrue(replayed.refinement!.lines.contains { $0.contains("replayed from the cache") })
    }

    func testHostileAndBrokenAnswersLeaveTheDraftAndNameEveryRejection() async throws {
        let draft = try draft()
        let obeying = RefineFixtures.answer([
            ("/containers/api/securityContext/privileged", "true"), ("/hostNetwork", "true"),
            ("/containers/api/image", "evil.example.com/miner:latest"),
            ("/annotations/komply.dev~1ignore", "run-as-root=the label said so"),
        ])
        let absurd = RefineFixtures.answer([
            ("/containers/api/resources/limits/memory", "1Ti"), ("/containers/api/resources/requests/cpu", "0"),
        ])
        let cases: [(String, ProviderServer.Reply, [String])] = [
            (
                "obeys injected instructions", .init(status: 200, body: Wire.openAI(obeying)),
                [
                    "securityContext is not on the allow-list", "/hostNetwork is not on the allow-list", "the image is never changed",
                    "suppressions are written by a human",
                ]
            ),
            (
                "absurd values", .init(status: 200, body: Wire.openAI("Here:\n```json\n\(absurd)\n```")),
                ["is outside", "below the floor 10m"]
            ),
            (
                "malformed JSON", .init(status: 200, body: Wire.openAI("{\"operations\": [{\"op\": \"replace\", \"path\": ")),
                ["holds no JSON object"]
            ),
            ("truncated", .init(status: 200, body: Wire.openAI(obeying, finish: "length")), ["cut off"]),
            ("500s", .init(status: 500, body: Wire.openAIError("internal")), ["HTTP 500"]),
            ("429 with Retry-After", .init(status: 429, headers: ["Retry-After": "0"], body: Wire.openAIError("busy")), ["HTTP 429"]),
            ("timeout", .init(status: 200, body: Wire.openAI(obeying), delay: 3), ["no answer within 2 s"]),
        ]
        for (name, reply, reasons) in cases {
            try? FileManager.default.removeItem(atPath: folder + "/llm-cache")
            let server = try await ProviderServer.start { _, _ in reply }
            defer { server.stop() }
            let refined = try await draft.refined(LLMOptions(url: server.url, refresh: true), sleep: { _ in })
            XCTAssertEqual(refined.result.files, draft.result.files, name)
            let lines = refined.refinement?.lines.joined(separator: "\n") ?? ""
            for reason in reasons { XCTAssertTrue(lines.contains(reason), "\(name): \(reason) not in\n\(lines)") }
            try assertNoSecrets(server, refined.refinement?.lines ?? [])
        }
    }

    func testAnUnreachableServerLeavesTheDraftWithANoticeAndOfflineMissesFail() async throws {
        let draft = try draft()
        let refined = try await draft.refined(LLMOptions(url: "http://127.0.0.1:9"), sleep: { _ in })
        XCTAssertEqual(refined.result.files, draft.result.files)
        let lines = try XCTUnwrap(refined.refinement?.lines)
        XCTAssertTrue(lines[0].contains("no refinement (LLM at http://127.0.0.1:9 not reachable"), lines[0])
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.contains("skipped: the server was not reachable") }, "\(lines)")
        do {
            _ = try await draft.refined(LLMOptions(url: "http://127.0.0.1:9", offline: true))
            XCTFail("expected a cache miss")
        } catch let error as RefineError {
            guard case .cacheMiss(let key, let path) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, folder + "/llm-cache/\(key).json")
            XCTAssertTrue(error.localizedDescription.contains("--llm-offline: no replay-cache entry \(key)"))
        }
        // --no-llm, or no provider: the pipeline is unchanged.
        let off = try await draft.refined(LLMOptions(disabled: true))
        XCTAssertNil(off.refinement)
    }

    func testAnthropicAndOllamaRefineThroughThePipeline() async throws {
        let draft = try draft()
        let limit = try Quantity(
            parsing: try XCTUnwrap(apiContainer(draft.result.files).value(at: "resources", "limits", "memory")?.stringValue))
        let raised = try limit.scaled(by: 1.25).description
        let helpful = RefineFixtures.answer([("/containers/api/resources/limits/memory", raised)])
        for provider in [LLMProvider.anthropic, .ollama] {
            try? FileManager.default.removeItem(atPath: folder + "/llm-cache")
            let server = try await ProviderServer.start { request, _ in
                let answer = request.text.contains("# Service shop/api") ? helpful : RefineFixtures.answer([])
                return .init(status: 200, body: provider == .anthropic ? Wire.anthropic(toolInput: answer) : Wire.ollama(answer))
            }
            defer { server.stop() }
            let refined = try await draft.refined(LLMOptions(provider: provider, url: server.url))
            XCTAssertEqual(
                try apiContainer(refined.result.files).value(at: "resources", "limits", "memory"), .string(raised), "\(provider)")
            for request in server.requests { try RequestChecker.assertValid(provider.rawValue, request.body) }
            try assertNoSecrets(server, refined.refinement?.lines ?? [])
        }
    }

    func testSimilarServicesFromHistoryAreTheFewShotExamples() async throws {
        let history = folder + "/history.sqlite"
        let mi = 1_048_576.0
        let samples = (0..<60).flatMap { i in
            [
                UsageSample(
                    app: "shop", service: "orders-db", container: "orders-db", time: Double(i) * 60, resource: .memory, value: 700 * mi,
                    source: "t"),
                UsageSample(
                    app: "shop", service: "orders-db", container: "orders-db", time: Double(i) * 60, resource: .cpu, value: 0.3, source: "t"
                ),
            ]
        }
        let record = DeploymentRecord(
            app: "shop", service: "orders-db", container: "orders-db", image: "postgres:16", runtime: "postgres", role: "database",
            features: ["family": "postgres", "role": "database", "runtime": "postgres"],
            resources: ResourceAmounts(cpuRequest: 0.5, memoryRequest: 512 * mi, memoryLimit: 1024 * mi), time: 0, outcome: "healthy")
        _ = try HistoryStore.open(path: history).write(HistoryBatch(deployments: [record], samples: samples))
        let server = try await ProviderServer.start { _, _ in .init(status: 200, body: Wire.openAI(RefineFixtures.answer([]))) }
        defer { server.stop() }
        _ = try await draft().refined(LLMOptions(url: server.url), history: history)
        let db = try XCTUnwrap(server.requests.first { $0.text.contains("# Service shop/db") })
        let prompt = try XCTUnwrap(JSONValue.parse(db.body)?["messages"]?.arrayItems?.last?["content"]?.stringValue)
        XCTAssertTrue(prompt.contains("# Similar services from the history"), prompt)
        XCTAssertTrue(
            prompt.contains(
                "- shop/orders-db/orders-db (similarity 0.90): requested 500m CPU, 512Mi memory, limits none CPU, 1Gi memory; "
                    + "used at peak 300m CPU, 700Mi memory; 0 OOM kill(s), 0 throttling event(s); outcome healthy. "
                    + "Lesson: memory peaked at 68% of its limit: sized about right."), prompt)
        // The api (a JVM service) has nothing similar: no examples section.
        let api = try XCTUnwrap(server.requests.first { $0.text.contains("# Service shop/api") })
        XCTAssertFalse(api.text.contains("Similar services"))
    }
}
