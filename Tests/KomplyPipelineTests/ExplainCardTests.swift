import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyPipeline

/// `komply explain`'s card from the web-db example app, against golden files in fixtures/explain
/// (`KOMPLY_UPDATE_GOLDEN=1` re-records after review): one renderer per format.
final class ExplainCardTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func webDB() throws -> GeneratePipeline {
        let input = Self.repository.appendingPathComponent("fixtures/generate/web-db/input").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("komply-explain-\(UUID().uuidString.prefix(8))").path
        return try GeneratePipeline.run(GenerateRequest(sources: SourceRequest(paths: [input]), output: output))
    }

    func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = Self.repository.appendingPathComponent("fixtures/explain/web-db/" + name)
        if ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1" {
            try text.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(
            text, golden, "\(name) differs from its golden file; re-record with KOMPLY_UPDATE_GOLDEN=1 after review", file: file, line: line
        )
    }

    func testWebDBCardGoldens() throws {
        let card = try ExplainCard.make(try webDB())
        XCTAssertEqual(card.services.map(\.service), ["api", "cache", "db", "proxy"])
        let api = try XCTUnwrap(card.services.first { $0.service == "api" })
        XCTAssertEqual(api.kind.value, "Deployment")
        XCTAssertEqual(api.runtime?.value, "node")
        XCTAssertEqual(api.availability.minReplicas, 2)
        XCTAssertEqual(api.security.podSecurityLevel, "restricted")
        XCTAssertEqual(api.resources.map(\.source), ["deterministic"])
        XCTAssertTrue(api.inbound.contains { $0.hasPrefix("proxy → api on 3000/tcp") }, "\(api.inbound)")
        XCTAssertEqual(api.health.first?.origin, "compose healthcheck")
        try assertGolden(ExplainMarkdownRenderer().render(card), "card.md")
        let json = ExplainJSONRenderer().render(card)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(json.utf8)))
        try assertGolden(json, "card.json")
    }

    func testRefinedResourcesAndAcceptedRisksAreShown() throws {
        var pipeline = try webDB()
        let index = try XCTUnwrap(pipeline.result.files.firstIndex { $0.path == "webshop/base/api.yaml" })
        pipeline.result.files[index].contents = pipeline.result.files[index].contents.replacingOccurrences(
            of: "    komply.dev/classification:",
            with: """
                    komply.dev/refined: openai m changed /containers/api/resources/limits/memory
                    komply.dev/ignore: "run-as-root=legacy image until 2027-01-31"
                    komply.dev/classification:
                """)
        let api = try XCTUnwrap(ExplainCard.make(pipeline).services.first { $0.service == "api" })
        XCTAssertEqual(api.resources.map(\.source), ["llm-adjusted"])
        XCTAssertEqual(
            api.security.acceptedRisks,
            [ExplainCard.AcceptedRisk(rule: "run-as-root", container: nil, reason: "legacy image", expires: "2027-01-31")])
        let markdown = ExplainMarkdownRenderer().render(ExplainCard(environment: "default", sizingProfile: "balanced", services: [api]))
        XCTAssertTrue(markdown.contains("| llm-adjusted |"), markdown)
        XCTAssertTrue(markdown.contains("accepted risk `run-as-root`: legacy image, expires 2027-01-31"), markdown)
    }
}
