import Foundation
import KomplyCore
import XCTest

@testable import KomplyRefine

/// Each provider's wire format against a loopback server: request shapes (checked against the providers'
/// own definitions), answers, no-answer stops, retries, timeouts and limits.
final class ProviderWireTests: XCTestCase {
    let prompt = Prompt(system: "You review manifests.", user: "# Service shop/api\n- workload: Deployment\n")
    let answer = RefineFixtures.answer([("/containers/api/resources/limits/memory", "768Mi")])

    func testOpenAIDialectsSendValidRequestsAndReadTheAnswer() async throws {
        for dialect in StructuredOutputDialect.allCases {
            let server = try await ProviderServer.start { [answer] _, _ in .init(status: 200, body: Wire.openAI(answer)) }
            defer { server.stop() }
            let client = LLMClient(settings: RefineFixtures.settings(.openai, url: server.url + "/v1", dialect: dialect))
            let reply = try await client.ask(prompt, seed: 1)
            XCTAssertEqual(reply.text, answer)
            XCTAssertEqual(reply.attempts, 1)
            let request = try XCTUnwrap(server.requests.first)
            XCTAssertEqual(request.path, "/v1/chat/completions")
            XCTAssertEqual(request.headers["authorization"], "Bearer sk-test-key-not-secret")
            let body = try XCTUnwrap(JSONValue.parse(request.body))
            switch dialect {
            case .jsonSchema:
                XCTAssertEqual(body.value(at: "response_format", "type"), .string("json_schema"))
                XCTAssertEqual(body.value(at: "response_format", "json_schema", "strict"), .bool(true))
                // Strict servers get no length keywords (outside the subset they all accept).
                XCTAssertNil(body.value(at: "response_format", "json_schema", "schema", "properties", "operations", "maxItems"))
            case .jsonObject:
                XCTAssertEqual(body.value(at: "response_format", "type"), .string("json_object"))
                // llama-cpp-python turns the schema into a grammar: bounded, a small model cannot loop past max_tokens.
                let operations = try XCTUnwrap(body.value(at: "response_format", "schema", "properties", "operations"))
                XCTAssertEqual(operations["maxItems"], .int(6))
                XCTAssertEqual(operations.value(at: "items", "properties", "reason", "maxLength"), .int(100))
                XCTAssertEqual(operations.value(at: "items", "properties", "path", "maxLength"), .int(96))
                XCTAssertNil(operations.value(at: "items", "properties", "op", "maxLength"), "an enum needs no bound")
                XCTAssertEqual(body.value(at: "response_format", "schema", "properties", "rationale", "maxLength"), .int(240))
            case .none:
                XCTAssertNil(body["response_format"])
            }
            try RequestChecker.assertValid("openai", request.body)
        }
    }

    func testAnthropicForcesTheToolAndReadsItsInput() async throws {
        let server = try await ProviderServer.start { [answer] _, _ in .init(status: 200, body: Wire.anthropic(toolInput: answer)) }
        defer { server.stop() }
        let reply = try await LLMClient(settings: RefineFixtures.settings(.anthropic, url: server.url)).ask(prompt, seed: 1)
        XCTAssertEqual(PatchProposal.parse(reply.text)?.operations.first?.value, .string("768Mi"))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/v1/messages")
        XCTAssertEqual(request.headers["x-api-key"], "sk-test-key-not-secret")
        XCTAssertEqual(request.headers["anthropic-version"], "2023-06-01")
        let body = try XCTUnwrap(JSONValue.parse(request.body))
        XCTAssertEqual(body.value(at: "tool_choice", "name"), .string("propose_patch"))
        XCTAssertNotNil(body["tools"]?.arrayItems?.first?.value(at: "input_schema", "properties", "operations"))
        try RequestChecker.assertValid("anthropic", request.body)
    }

    func testOllamaSendsTheSchemaAsFormatAndTheContextWindow() async throws {
        let server = try await ProviderServer.start { [answer] _, _ in .init(status: 200, body: Wire.ollama(answer)) }
        defer { server.stop() }
        let reply = try await LLMClient(settings: RefineFixtures.settings(.ollama, url: server.url)).ask(prompt, seed: 1)
        XCTAssertEqual(reply.text, answer)
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/api/chat")
        XCTAssertNil(request.headers["authorization"])
        let body = try XCTUnwrap(JSONValue.parse(request.body))
        XCTAssertEqual(body.value(at: "options", "num_ctx"), .int(8_192))
        XCTAssertEqual(body.value(at: "format", "required"), .array([.string("operations"), .string("rationale")]))
        XCTAssertEqual(body["stream"], .bool(false))
        try RequestChecker.assertValid("ollama", request.body)
    }

    func testTheRequestCheckerRejectsWhatTheDefinitionsDoNotAllow() throws {
        let cases: [(String, String, String)] = [
            (
                "openai", #"{"model":"m","messages":[{"role":"bogus","content":"x"}],"max_tokens":"many"}"#,
                "max_tokens: 'many' is not of type 'integer'"
            ),
            ("openai", #"{"model":"m","messages":[],"temperture":0}"#, "unknown member temperture"),
            ("ollama", #"{"model":"m","messages":"hello"}"#, "messages: 'hello' is not of type 'array'"),
            (
                "anthropic", #"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"x"}],"temprature":0}"#,
                "unknown member temprature"
            ),
        ]
        for (provider, body, expected) in cases {
            let (status, text) = try RequestChecker.check(provider, Data(body.utf8))
            XCTAssertEqual(status, 1, "\(provider): \(text)")
            XCTAssertTrue(text.contains(expected), "\(provider): \(text)")
        }
    }

    func testTruncatedFilteredAndRefusedRepliesAreNoAnswer() async throws {
        let cases: [(LLMProvider, String, String)] = [
            (.openai, Wire.openAI("{\"operations\": [", finish: "length"), "cut off (finish_reason length"),
            (.openai, Wire.openAI("", finish: "content_filter"), "filtered"),
            (.openai, Wire.openAI("", refusal: "I can't help with that"), "refused"),
            (.anthropic, Wire.anthropic(toolInput: answer, stop: "max_tokens"), "stop_reason max_tokens"),
            (.anthropic, Wire.anthropic(toolInput: answer, stop: "refusal"), "stop_reason refusal"),
            (.ollama, Wire.ollama("{\"oper", doneReason: "length"), "done_reason length"),
        ]
        for (provider, reply, expected) in cases {
            let server = try await ProviderServer.start { _, _ in .init(status: 200, body: reply) }
            defer { server.stop() }
            do {
                _ = try await LLMClient(settings: RefineFixtures.settings(provider, url: server.url)).ask(prompt, seed: 1)
                XCTFail("\(provider): expected no answer for \(expected)")
            } catch {
                guard case .noAnswer = error else { return XCTFail("\(provider): \(error)") }
                XCTAssertTrue(error.localizedDescription.contains(expected), error.localizedDescription)
            }
            XCTAssertEqual(server.requests.count, 1, "no retry for \(expected)")
        }
    }

    func testRetryAfterIsHonouredOn429AndBackoffOn500() async throws {
        let server = try await ProviderServer.start { [answer] _, index in
            switch index {
            case 0:
                return .init(status: 429, headers: ["Retry-After": "7"], body: Wire.openAIError("slow down", code: "rate_limit_exceeded"))
            case 1: return .init(status: 503, body: Wire.openAIError("overloaded"))
            default: return .init(status: 200, body: Wire.openAI(answer))
            }
        }
        defer { server.stop() }
        let sleeps = SleepLog()
        let client = LLMClient(settings: RefineFixtures.settings(.openai, url: server.url), sleep: sleeps.sleep)
        let reply = try await client.ask(prompt, seed: 42)
        XCTAssertEqual(reply.attempts, 3)
        XCTAssertEqual(sleeps.seconds.first, 7)
        // Backoff for the second retry: 2 s with jitter down to half, the same for the same seed.
        let jittered = try XCTUnwrap(sleeps.seconds.last)
        XCTAssertTrue((1...2).contains(jittered), "\(jittered)")
        let again = SleepLog()
        let server2 = try await ProviderServer.start { [answer] _, index in
            index < 2
                ? .init(status: index == 0 ? 429 : 503, headers: index == 0 ? ["Retry-After": "7"] : [:], body: "{}")
                : .init(status: 200, body: Wire.openAI(answer))
        }
        defer { server2.stop() }
        _ = try await LLMClient(settings: RefineFixtures.settings(.openai, url: server2.url), sleep: again.sleep).ask(prompt, seed: 42)
        XCTAssertEqual(again.seconds, sleeps.seconds)
    }

    func testRetriesAreBoundedAndQuotaErrorsAreNotRetried() async throws {
        let failing = try await ProviderServer.start { _, _ in .init(status: 500, body: Wire.openAIError("boom")) }
        defer { failing.stop() }
        do {
            _ = try await LLMClient(settings: RefineFixtures.settings(.openai, url: failing.url, retries: 2), sleep: SleepLog().sleep).ask(
                prompt, seed: 1)
            XCTFail("expected an HTTP error")
        } catch {
            XCTAssertEqual(error, .httpStatus(url: failing.url, status: 500, detail: "boom"))
        }
        XCTAssertEqual(failing.requests.count, 3)

        let quota = try await ProviderServer.start { _, _ in
            .init(
                status: 429, headers: ["Retry-After": "1"],
                body: Wire.openAIError("You exceeded your current quota", code: "insufficient_quota", type: "insufficient_quota"))
        }
        defer { quota.stop() }
        do {
            _ = try await LLMClient(settings: RefineFixtures.settings(.openai, url: quota.url), sleep: SleepLog().sleep).ask(
                prompt, seed: 1)
            XCTFail("expected a quota error")
        } catch {
            guard case .quotaExhausted = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(quota.requests.count, 1)

        // A Retry-After longer than a minute is not waited for.
        let patient = try await ProviderServer.start { _, _ in .init(status: 429, headers: ["Retry-After": "3600"], body: "{}") }
        defer { patient.stop() }
        let sleeps = SleepLog()
        _ = try? await LLMClient(settings: RefineFixtures.settings(.openai, url: patient.url), sleep: sleeps.sleep).ask(prompt, seed: 1)
        XCTAssertEqual(patient.requests.count, 1)
        XCTAssertEqual(sleeps.seconds, [])
    }

    func testTimeoutsAndOversizedRepliesAndUnreachableServers() async throws {
        let slow = try await ProviderServer.start { _, _ in .init(status: 200, body: Wire.openAI("{}"), delay: 3) }
        defer { slow.stop() }
        let started = Date()
        do {
            _ = try await LLMClient(settings: RefineFixtures.settings(.openai, url: slow.url, retries: 0, timeout: 1)).ask(prompt, seed: 1)
            XCTFail("expected a timeout")
        } catch {
            XCTAssertEqual(error, .unreachable(url: slow.url, reason: "no answer within 1 s"))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.9)

        let huge = try await ProviderServer.start { _, _ in .init(status: 200, body: Wire.openAI(String(repeating: "x", count: 100_000))) }
        defer { huge.stop() }
        do {
            _ = try await LLMClient(settings: RefineFixtures.settings(.openai, url: huge.url)).ask(prompt, seed: 1)
            XCTFail("expected a size error")
        } catch {
            XCTAssertEqual(error, .responseTooLarge(url: huge.url, limit: 65_536))
        }

        var settings = RefineFixtures.settings(.openai, url: "http://127.0.0.1:9", retries: 1)
        let sleeps = SleepLog()
        do {
            _ = try await LLMClient(settings: settings, sleep: sleeps.sleep).ask(prompt, seed: 1)
            XCTFail("expected unreachable")
        } catch {
            guard case .unreachable = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(sleeps.seconds.count, 1)

        settings.config.maxRequestBytes = 4_096
        let big = Prompt(system: "s", user: String(repeating: "y", count: 5_000))
        do {
            _ = try await LLMClient(settings: settings).ask(big, seed: 1)
            XCTFail("expected a request size error")
        } catch {
            guard case .requestTooLarge = error else { return XCTFail("\(error)") }
        }
    }
}

/// Runs scripts/llm-request-check.py on a captured body: the providers' own request definitions.
enum RequestChecker {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func assertValid(_ provider: String, _ body: Data, file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, text) = try check(provider, body)
        XCTAssertEqual(status, 0, "\(provider) request is not valid: \(text)", file: file, line: line)
    }

    /// The checker's exit status (0 valid, 1 invalid, 2 checker missing) and what it printed.
    static func check(_ provider: String, _ body: Data) throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "komply-llm-request-\(UUID().uuidString).json"
        try body.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        let python = ProcessInfo.processInfo.environment["KOMPLY_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/llm-request-check.py").path, provider, path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
