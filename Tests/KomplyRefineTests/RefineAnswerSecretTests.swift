import Foundation
import KomplyCore
import XCTest

@testable import KomplyRefine

/// Answers are secret-scanned before they are cached, applied or printed: a model that echoes a credential
/// (in an operation, its reason or the rationale) gets its whole answer discarded, with the JSON path named
/// and never the value, for every provider's wire format.
final class RefineAnswerSecretTests: XCTestCase {
    static let awsKey = "AKIAQWERTYUIOPASDFGH"
    static let password = "hunter2-Correct-Horse-9"

    func testTheScanNamesThePathNeverTheValue() throws {
        let cases: [(String, String)] = [
            (
                RefineFixtures.answer([("/replicas", 3)]).replacingOccurrences(of: "because", with: "key \(Self.awsKey)"),
                "/operations/0/reason"
            ),
            (RefineFixtures.answer([("/replicas", 3)], rationale: "DB_PASSWORD=\(Self.password)"), "/rationale"),
            (RefineFixtures.answer([("/containers/api/env/DB_PASSWORD", Self.password)]), "/operations/0/value"),
            ("Sure! The admin URL is https://admin:\(Self.password)@db.internal:5432/shop", "the answer's text"),
        ]
        for (answer, place) in cases {
            let leak = try XCTUnwrap(AnswerSecrets.leak(in: answer), answer)
            XCTAssertEqual(leak.place, place, answer)
            XCTAssertFalse(leak.description.contains(Self.awsKey) || leak.description.contains(Self.password), leak.description)
        }
        // What a helpful answer holds is not a credential.
        for clean in [
            RefineFixtures.answer([
                ("/containers/api/resources/limits/memory", "768Mi"),
                ("/containers/api/env/JAVA_TOOL_OPTIONS", "-Xmx512m -XX:MaxRAMPercentage=75"),
                ("/containers/api2/livenessProbe/initialDelaySeconds", 30),
                ("/annotations/komply.dev~1review-note", "peaks at 480Mi on Mondays"),
            ]),
            #"{"operations":[],"rationale":"The service looks right-sized; readiness periodSeconds 10 is fine."}"#,
        ] {
            XCTAssertNil(AnswerSecrets.leak(in: clean), clean)
        }
    }

    func testALeakingAnswerIsNotCachedAppliedOrPrintedForEveryProvider() async throws {
        let answer = RefineFixtures.answer(
            [("/containers/api/resources/limits/memory", "768Mi")], rationale: "copied from the env: AWS_KEY=\(Self.awsKey)")
        for provider in LLMProvider.allCases {
            let body: String
            switch provider {
            case .openai: body = Wire.openAI(answer)
            case .anthropic: body = Wire.anthropic(toolInput: answer)
            case .ollama: body = Wire.ollama(answer)
            }
            let server = try await ProviderServer.start { _, _ in .init(status: 200, body: body) }
            defer { server.stop() }
            let cache = FileManager.default.temporaryDirectory.appendingPathComponent("komply-secret-cache-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: cache) }
            let url = provider == .openai ? server.url + "/v1" : server.url
            let settings = RefineFixtures.settings(provider, url: url, cache: cache.path)
            let refiner = Refiner(
                settings: settings, client: LLMClient(settings: settings), prompts: PromptBuilder(rules: [], schemaInPrompt: false))
            let outcome = try await refiner.refine(try RefineFixtures.draft(), service: nil)
            XCTAssertEqual(outcome.source, .server, "\(provider)")
            XCTAssertTrue(outcome.review.accepted.isEmpty, "\(provider)")
            XCTAssertEqual(outcome.rationale, "")
            let problem = try XCTUnwrap(outcome.problem)
            XCTAssertTrue(problem.hasPrefix("the answer was discarded and not cached: /rationale looks like a credential"), problem)
            XCTAssertFalse(problem.contains(Self.awsKey), problem)
            XCTAssertFalse(FileManager.default.fileExists(atPath: cache.path), "\(provider): nothing is cached")
            XCTAssertEqual(server.requests.count, 1)
        }
    }

    func testACachedEntryHoldingACredentialIsDiscardedNotReplayed() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("komply-secret-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var settings = RefineFixtures.settings(.openai, url: "http://127.0.0.1:9/v1", cache: cache.path)
        settings.offline = true
        let prompts = PromptBuilder(rules: [], schemaInPrompt: false)
        let draft = try RefineFixtures.draft()
        let key = ReplayCache.key(prompts.prompt(for: draft, service: nil), settings: settings)
        try ReplayCache(directory: cache.path).record(
            RefineFixtures.answer([("/replicas", 3)], rationale: "token ghp_\(String(repeating: "a1B2", count: 9))"), for: key,
            settings: settings)
        let outcome = try await Refiner(settings: settings, client: LLMClient(settings: settings), prompts: prompts).refine(
            draft, service: nil)
        XCTAssertEqual(outcome.source, .cache)
        XCTAssertTrue(outcome.review.accepted.isEmpty)
        let problem = try XCTUnwrap(outcome.problem)
        XCTAssertTrue(
            problem.contains("was discarded: /rationale looks like a credential (its value is a GitHub token); delete the file"), problem)
        XCTAssertFalse(problem.contains("ghp_"), problem)
    }

    func testServerErrorDetailsAndRefusalsWithACredentialAreWithheld() {
        XCTAssertEqual(AnswerSecrets.printable("rate limited"), "rate limited")
        let withheld = AnswerSecrets.printable("bad key \(Self.awsKey)")
        XCTAssertEqual(withheld, "(withheld: line 1 holds an AWS access key id)")
    }
}
