import Foundation
import KomplyCore
import XCTest

@testable import KomplyPipeline

/// The JSON documents `generate`, `images`, `sync` and `bench generate` print with `--format json`, against
/// golden files in fixtures/output (`KOMPLY_UPDATE_GOLDEN=1` re-records after review). Like the lint reporters'
/// goldens they render fixed, hand-built values, so a reworded generator warning never changes them.
final class OutputJSONTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/output")

    static func at(_ file: String, _ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(
            file: file, range: SourceRange(start: .init(line: line, column: column), end: .init(line: line, column: column + 1)))
    }

    static let registryWarning = Diagnostic(
        .warning, "service api has only build: and komply.yaml sets no registry", at: at("app/compose.yaml", 13, 12))

    func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1" {
            try text.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(
            text, golden, "\(name) differs from the golden file; review and re-record with KOMPLY_UPDATE_GOLDEN=1", file: file, line: line)
        if name.hasSuffix(".json") { XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(text.utf8)), file: file, line: line) }
    }

    func testGenerateSummary() throws {
        let summary = GenerateSummary(
            mode: .check, output: "deploy",
            apps: [
                .init(
                    name: "webshop", written: ["deploy/webshop/base/api.yaml"], removed: ["deploy/webshop/base/old.yaml"],
                    warnings: [Self.registryWarning, Diagnostic(.info, "service web_frontend is named web-frontend", at: nil)])
            ],
            failures: [.init(app: "broken", message: "broken/compose.yaml:5:12: expected ']'")],
            warnings: [Diagnostic(.warning, "a warning of no single app", at: Self.at("komply.yaml", 3, 1))])
        try assertGolden(summary.json, "generate.json")
    }

    func testImageListing() throws {
        let image = "registry.example.com/billing/webshop/api:src-1a2b3c4d5e6f"
        let listing = ImageListing(
            images: [
                .init(
                    app: "webshop", service: "api", context: "app/api", dockerfile: "app/api/Dockerfile", target: nil, image: image,
                    environments: [("staging", image), ("production", "registry.example.com/billing/webshop/api:3.2.0")],
                    location: Self.at("app/compose.yaml", 13, 12)),
                .init(
                    app: "webshop", service: "worker", context: "app/worker", dockerfile: "(inline)", target: "runtime",
                    image: "registry.example.com/billing/webshop/worker:src-missing",
                    environments: [("default", "registry.example.com/billing/webshop/worker:src-missing")], location: nil),
            ], registry: "registry.example.com/billing",
            warnings: [Diagnostic(.warning, "webshop/worker: build context ./worker is not a folder inside the repository", at: nil)],
            failures: [])
        try assertGolden(listing.json, "images.json")
        try assertGolden(listing.text, "images.txt")
    }

    func testSyncReport() throws {
        let report = SyncReport(
            notices: [Self.registryWarning],
            branches: [
                .init(
                    name: "komply/webshop", apps: ["webshop"], commit: "9c1d0e5b7f6a4c3e2d1b0a9f8e7d6c5b4a392817",
                    removed: ["deploy/webshop/base/old.yaml"], pushed: true, remote: "origin",
                    pullRequest: "https://github.com/acme/shop/pull/12", pullRequestCreated: true),
                .init(name: "komply/billing", apps: ["billing"]),
            ])
        try assertGolden(report.json, "sync.json")
    }

    func testBench() throws {
        let measurements = [
            GenerateBenchmark.Measurement(path: "apps/webshop", fastest: .milliseconds(12), files: 9),
            GenerateBenchmark.Measurement(path: "apps/billing", fastest: .microseconds(3500), files: 7),
        ]
        try assertGolden(GenerateBenchmark.json(measurements, wall: .milliseconds(60), repetitions: 3), "bench.json")
    }
}
