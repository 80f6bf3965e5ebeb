import KomplyCore
import XCTest

@testable import KomplyRefine

/// The `refine` section and how options, the section and the provider's defaults combine.
final class RefineConfigTests: XCTestCase {
    func config(_ section: String) throws -> ConfigFile {
        try ConfigFile.parse("apiVersion: komply.dev/v1\nkind: Config\nrefine:\n" + section)
    }

    func testEveryBadValueNamesItsPosition() throws {
        let cases = [
            ("  provider: gemini\n", "komply.yaml:4:13: expected refine.provider to be one of openai, anthropic, ollama, not gemini"),
            ("  timeoutSeconds: 0\n", "komply.yaml:4:19: expected refine.timeoutSeconds to be a whole number from 1 to 600"),
            (
                "  url: ftp://example.com\n",
                "komply.yaml:4:8: expected refine.url to be an http:// or https:// URL with a host and no query, not ftp://example.com"
            ),
            (
                "  apiKeyEnv: sk-live-123\n",
                "komply.yaml:4:14: expected refine.apiKeyEnv to name an environment variable (not the key itself)"
            ),
            ("  resourceFactor: .nan\n", "komply.yaml:4:19: expected refine.resourceFactor to be a number from 1 to 10"),
            (
                "  temperature: 0\n",
                "komply.yaml:4:3: expected a refine key (provider, url, model, dialect, apiKeyEnv, timeoutSeconds, maxRetries, maxTokens, contextTokens, maxRequestBytes, maxResponseBytes, resourceFactor, cache), not temperature"
            ),
        ]
        for (section, message) in cases {
            XCTAssertThrowsError(try RefineConfig.read(config(section)), section) { error in
                XCTAssertEqual(error.localizedDescription, message)
            }
        }
    }

    func testOptionsWinOverTheSectionWhichWinsOverDefaults() throws {
        let file = try config(
            "  provider: openai\n  url: http://127.0.0.1:8080/v1\n  model: smollm2\n  dialect: json_object\n  apiKeyEnv: LOCAL_KEY\n")
        let section = try RefineConfig.read(file)
        XCTAssertNil(try RefineSettings.resolve(LLMOptions(), config: RefineConfig()), "no provider: no refinement")
        XCTAssertNil(try RefineSettings.resolve(LLMOptions(disabled: true), config: section))
        let configured = try XCTUnwrap(
            RefineSettings.resolve(LLMOptions(), config: section, configDirectory: "repo", environment: ["LOCAL_KEY": "k"]))
        XCTAssertEqual(configured.summary, "openai smollm2 at http://127.0.0.1:8080/v1 (json_object)")
        XCTAssertEqual(configured.apiKey, "k")
        XCTAssertEqual(configured.cacheDirectory, "repo/.komply/llm-cache")
        let overridden = try XCTUnwrap(
            RefineSettings.resolve(
                LLMOptions(model: "other", dialect: StructuredOutputDialect.none), config: section, environment: ["LOCAL_KEY": "k"]))
        XCTAssertEqual(overridden.summary, "openai other at http://127.0.0.1:8080/v1 (none)")
        // Another provider starts from its own defaults, not the section's url and model.
        let ollama = try XCTUnwrap(RefineSettings.resolve(LLMOptions(provider: .ollama), config: section, environment: [:]))
        XCTAssertEqual(ollama.summary, "ollama qwen2.5:3b at http://127.0.0.1:11434")
        XCTAssertNil(ollama.missingKeyVariable)
        let anthropic = try XCTUnwrap(
            RefineSettings.resolve(LLMOptions(provider: .anthropic), config: section, environment: ["ANTHROPIC_API_KEY": "a"]))
        XCTAssertEqual(anthropic.apiKey, "a")
        // A named key variable that is unset: the server is not asked (the cache may still answer).
        let keyless = try XCTUnwrap(RefineSettings.resolve(LLMOptions(), config: section, environment: [:]))
        XCTAssertEqual(keyless.missingKeyVariable, "LOCAL_KEY")
        XCTAssertThrowsError(try RefineSettings.resolve(LLMOptions(provider: .openai, url: "file:///etc/passwd"), config: section))
    }
}
