import Foundation
import KomplyCore
import XCTest

/// End-to-end tests of `komply sources` and the root command, through the built binary.
final class SourcesCommandTests: XCTestCase {
    func testVersionAndHelpWithExamples() throws {
        let version = try CLIHarness.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix(KomplyVersion.current + " ("), version.stdout)
        let help = try CLIHarness.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("Examples"), help.stdout)
        XCTAssertTrue(help.stdout.contains("sources"), help.stdout)
        let sourcesHelp = try CLIHarness.run(["sources", "--help"])
        XCTAssertTrue(sourcesHelp.stdout.contains("komply sources app/ --format yaml"), sourcesHelp.stdout)
    }

    func testPrintsTheCanonicalModelAsJSONAndYAML() throws {
        let json = try CLIHarness.run(["sources", "fixtures/compose/full", "--profile", "debug"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, "full")
        let services = try XCTUnwrap(object["services"] as? [String: Any])
        XCTAssertEqual(services.keys.sorted(), ["db", "w2", "web"])
        let web = try XCTUnwrap(services["web"] as? [String: Any])
        XCTAssertNotNil(web["x-komply"])

        let yaml = try CLIHarness.run(["sources", "fixtures/compose/full", "--profile", "debug", "--format", "yaml"])
        XCTAssertEqual(yaml.status, 0, yaml.stderr)
        let fromYAML = try XCTUnwrap(YAMLLoader.parse(yaml.stdout, file: "out.yaml").first)
        let fromJSON = try XCTUnwrap(YAMLLoader.parse(json.stdout, file: "out.json").first)
        XCTAssertEqual(fromYAML.valueTree(), fromJSON.valueTree(), "YAML and JSON carry the same model")
    }

    func testOutputIsByteIdenticalAcrossRuns() throws {
        let first = try CLIHarness.run(["sources", "fixtures/compose/full", "fixtures/inspect/shop-stack.inspect.json"])
        let second = try CLIHarness.run(["sources", "fixtures/compose/full", "fixtures/inspect/shop-stack.inspect.json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, second.stdout)
        XCTAssertEqual(first.stderr, second.stderr)
    }

    func testInspectSnapshotWithSiblingStatsCarriesObservedUsage() throws {
        let result = try CLIHarness.run(["sources", "fixtures/inspect/shop-stack.inspect.json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, "shop")
        let api = try XCTUnwrap((object["services"] as? [String: Any])?["api"] as? [String: Any])
        XCTAssertEqual(api["user"] as? String, "node")
        let komply = try XCTUnwrap(api["x-komply"] as? [String: Any])
        XCTAssertEqual(komply["origin"] as? String, "docker-inspect")
        let observed = try XCTUnwrap(komply["observed"] as? [String: Any])
        XCTAssertEqual(observed["memory_bytes"] as? Int, 198_180_864, "189MiB from the stats file")
        XCTAssertEqual(observed["source"] as? String, "fixtures/inspect/shop-stack.stats.jsonl")
    }

    /// Each bad fixture exits 2 with `file:line:column` and the expected words on standard error.
    func testBadInputsExitTwoWithPositions() throws {
        let bad = CLIHarness.repository.appendingPathComponent("fixtures/compose/bad")
        for name in try FileManager.default.contentsOfDirectory(atPath: bad.path).sorted() {
            let expected = try String(contentsOf: bad.appendingPathComponent("\(name)/expected"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let position = String(expected.prefix { $0 != " " })
            let result = try CLIHarness.run(["sources", "fixtures/compose/bad/\(name)"])
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            XCTAssertTrue(
                result.stderr.hasPrefix("komply: error: fixtures/compose/bad/\(name)/compose.yaml:\(position)"), "\(name): \(result.stderr)"
            )
            XCTAssertEqual(result.stdout, "", "\(name): nothing is printed on failure")
        }
    }

    func testFiftyMegabyteFileIsRefused() throws {
        let directory = CLIHarness.repository.appendingPathComponent(".build/test-tmp/big-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("compose.yaml")
        var text = "services:\n  web:\n    image: nginx\n    environment:\n"
        let line = "      PADDING_" + String(repeating: "X", count: 100) + ": value\n"
        text.reserveCapacity(50 << 20)
        var index = 0
        while text.utf8.count < 50 << 20 {
            text += line.replacingOccurrences(of: "PADDING_", with: "P\(index)_")
            index += 1
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["sources", file.path])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("larger than the 16.0 MiB limit"), result.stderr)
    }

    func testUsageErrorsAndMissingPathsExitTwo() throws {
        let unknownOption = try CLIHarness.run(["sources", "--no-such-option"])
        XCTAssertEqual(unknownOption.status, 2, unknownOption.stderr)
        XCTAssertTrue(unknownOption.stderr.contains("--no-such-option"), unknownOption.stderr)
        let badFormat = try CLIHarness.run(["sources", "--format", "xml", "fixtures/compose/full"])
        XCTAssertEqual(badFormat.status, 2, badFormat.stderr)
        let missing = try CLIHarness.run(["sources", "does/not/exist"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("does/not/exist: no such file or directory"), missing.stderr)
        let emptyFolder = try CLIHarness.run(["sources", "docs"])
        XCTAssertEqual(emptyFolder.status, 2)
        XCTAssertTrue(emptyFolder.stderr.contains("no compose file found"), emptyFolder.stderr)
    }

    func testSeveralFilesMergeAndEnvFileAndWarningsGoToStandardError() throws {
        let result = try CLIHarness.run([
            "sources", "-f", "fixtures/compose/merge/compose.yaml", "-f", "fixtures/compose/merge/compose.prod.yaml",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\"dist/server.js\""), result.stdout)
        let warned = try CLIHarness.run(["sources", "fixtures/compose/extends"])
        XCTAssertEqual(warned.status, 0)
        XCTAssertTrue(warned.stderr.contains("fixtures/compose/extends/common/base.yaml:6:15: note: optional env_file"), warned.stderr)
    }
}
