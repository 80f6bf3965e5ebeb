import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint
import KomplyPipeline
import KomplySources
import XCTest

@testable import KomplyRefine

/// Opt-in: a real model server named by KOMPLY_LLM_URL (an OpenAI-compatible base URL such as
/// `http://127.0.0.1:8080/v1`; KOMPLY_LLM_DIALECT and KOMPLY_LLM_MODEL optional). Whatever the model
/// answers, the refined output has no lint finding the draft lacks, and a rerun from the cache is identical.
final class RealServerTests: XCTestCase {
    func testARealModelNeverMakesTheOutputLessCompliant() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["KOMPLY_LLM_URL"] else { throw XCTSkip("set KOMPLY_LLM_URL to run against a real model server") }
        let folder = NSTemporaryDirectory() + "komply-real-llm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "apiVersion: komply.dev/v1\nkind: Config\nrefine:\n  provider: openai\n  timeoutSeconds: 600\n  cache: llm-cache\n"
            .write(toFile: folder + "/komply.yaml", atomically: true, encoding: .utf8)
        let request = GenerateRequest(sources: SourceRequest(paths: [RefinePipelineTests.compose]), config: folder + "/komply.yaml")
        let draft = try GeneratePipeline.run(request)
        let options = LLMOptions(
            url: url, model: environment["KOMPLY_LLM_MODEL"] ?? "local",
            dialect: environment["KOMPLY_LLM_DIALECT"].flatMap(StructuredOutputDialect.init))
        let refined = try await draft.refined(options)
        for line in refined.refinement?.lines ?? [] { print(line) }
        func keys(_ files: [GeneratedFile]) throws -> Set<String> {
            let result = try Linter().lint(
                sources: files.filter { $0.path.hasSuffix(".yaml") }.map { ManifestSource(file: $0.path, text: $0.contents) })
            XCTAssertEqual(result.problems.count, 0)
            return Set(result.findings.map { "\($0.ruleID) \($0.location.file) \($0.object.name) \($0.container ?? "")" })
        }
        XCTAssertTrue(try keys(refined.result.files).isSubset(of: keys(draft.result.files)))
        var offline = options
        offline.offline = true
        let replayed = try await GeneratePipeline.run(request).refined(offline)
        XCTAssertEqual(replayed.result.files, refined.result.files)
    }
}
