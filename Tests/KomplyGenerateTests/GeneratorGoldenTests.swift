import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Golden tests: each `fixtures/generate/<case>/input` generates exactly `fixtures/generate/<case>/expected`.
/// `KOMPLY_UPDATE_GOLDEN=1 swift test --filter GeneratorGoldenTests` re-records after review.
final class GeneratorGoldenTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    override func setUp() {
        FileManager.default.changeCurrentDirectoryPath(Self.repository)
    }

    /// Every folder under `fixtures/generate` is a case; one without `input` or `expected` fails.
    func testEveryCaseMatchesItsGolden() throws {
        let root = "\(Self.repository)/fixtures/generate"
        let cases = try FileManager.default.contentsOfDirectory(atPath: root).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
        XCTAssertFalse(cases.isEmpty, "no golden cases under \(root)")
        let updating = ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1"
        for name in cases {
            let hasInput = FileManager.default.fileExists(atPath: "\(root)/\(name)/input")
            let hasExpected = FileManager.default.fileExists(atPath: "\(root)/\(name)/expected")
            guard hasInput, hasExpected || updating else {
                XCTFail("fixtures/generate/\(name) needs both input/ and expected/ (record expected/ with KOMPLY_UPDATE_GOLDEN=1)")
                continue
            }
            do { try assertGolden(name) } catch { XCTFail("fixtures/generate/\(name): \(error)") }
        }
    }

    func testTemplateOverrideAddsPullSecretsAndTolerations() throws {
        let result = try generate("template-override")
        let deployment = try XCTUnwrap(result.files.first { $0.path == "billing/base/api.yaml" }).contents
        XCTAssertTrue(deployment.contains("imagePullSecrets:\n        - name: registry-credentials\n"), deployment)
        XCTAssertTrue(deployment.contains("key: example.com/dedicated"), deployment)
        // The override adds to komply's object; what komply decided is still there.
        XCTAssertTrue(deployment.contains("readOnlyRootFilesystem: true"), deployment)
        XCTAssertTrue(deployment.contains("example.com/team: billing"), deployment)
        let builtIn = try generate("template-override", templates: .builtIn)
        let plain = try XCTUnwrap(builtIn.files.first { $0.path == "billing/base/api.yaml" }).contents
        XCTAssertFalse(plain.contains("imagePullSecrets"), plain)
        XCTAssertEqual(
            result.files.filter { $0.path != "billing/base/api.yaml" }, builtIn.files.filter { $0.path != "billing/base/api.yaml" },
            "only the Deployment template is overridden")
    }

    func testJVMHeapRaisesTheMemoryLimit() throws {
        let result = try assertGolden("jvm-heap")
        XCTAssertTrue(
            result.notices.contains {
                $0.message.contains("JVM heap -Xmx 768Mi plus overhead needs 1216Mi; memory limit raised from 512Mi")
            },
            result.notices.map(\.message).joined(separator: "\n"))
        let deployment = try XCTUnwrap(result.files.first { $0.path == "payment-api/base/payment-api.yaml" })
        XCTAssertTrue(deployment.contents.contains("memory: 1216Mi"), deployment.contents)
    }

    func testOutputIsByteStable() throws {
        let first = try generate("web-db")
        let second = try generate("web-db")
        XCTAssertEqual(first.files, second.files)
    }

    func testNoSecretValueIsEverWritten() throws {
        let result = try generate("web-db")
        let everything = result.files.map(\.contents).joined() + result.notices.map(\.description).joined()
        for secret in ["example-only", "not-a-real-secret"] {
            XCTAssertFalse(everything.contains(secret), "secret value \(secret) leaked")
        }
        XCTAssertTrue(everything.contains("secretKeyRef"))
        let environments = try generate("environments")
        XCTAssertFalse((environments.files.map(\.contents).joined()).contains("sk_test_exampleonly"))
    }

    @discardableResult
    func assertGolden(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> GenerationResult {
        let result = try generate(name)
        let expected = "\(Self.repository)/fixtures/generate/\(name)/expected"
        if ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: expected)
            for generated in result.files {
                let path = "\(expected)/\(generated.path)"
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try generated.contents.write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
        let onDisk = (FileManager.default.enumerator(atPath: expected)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(expected)/\(path)", isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
        XCTAssertEqual(onDisk, result.files.map(\.path), "the set of generated files differs from \(expected)", file: file, line: line)
        for generated in result.files {
            let golden = try? String(contentsOfFile: "\(expected)/\(generated.path)", encoding: .utf8)
            XCTAssertEqual(
                generated.contents, golden,
                "\(name)/\(generated.path) differs from its golden file; rerun with KOMPLY_UPDATE_GOLDEN=1 after review", file: file,
                line: line)
        }
        return result
    }

    /// Generates a case: its `templates/` folder (when there is one) over the built-in templates.
    func generate(_ name: String, templates: TemplateSet? = nil) throws -> GenerationResult {
        let input = "fixtures/generate/\(name)/input"
        let folder = "fixtures/generate/\(name)/templates"
        let configPath = "\(input)/komply.yaml"
        var settings = GeneratorSettings()
        if FileManager.default.fileExists(atPath: configPath) {
            settings = GeneratorSettings(config: try GenerateConfigLoader.load(path: configPath))
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: input)
        let path = entries.first { $0.hasSuffix(".inspect.json") }.map { "\(input)/\($0)" } ?? input
        let projects = try SourceLoader.load(SourceRequest(paths: [path], environment: [:]))
        for (key, tag) in BuildContextDigest.tags(for: projects) {
            settings.buildTags["\(Naming.dnsLabel(String(key.split(separator: "/")[0])))/\(key.split(separator: "/")[1])"] = tag
        }
        let templateSet =
            try templates ?? (FileManager.default.fileExists(atPath: folder) ? TemplateSet.overriding(with: folder) : .builtIn)
        return try Generator(settings: settings, templates: templateSet).generate(projects)
    }
}
