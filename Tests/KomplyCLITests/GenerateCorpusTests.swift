import Foundation
import XCTest

/// Every awesome-compose app and docker-inspect sample generates manifests that kubernetes-validate
/// (1.30 and 1.34, strict), kubectl kustomize, checkov and `komply lint` accept (`scripts/generate-corpus-check.py --lint`).
final class GenerateCorpusTests: XCTestCase {
    func testCorpusManifestsPassIndependentCheckers() throws {
        let environment = ProcessInfo.processInfo.environment
        if environment["KOMPLY_SKIP_CORPUS_CHECK"] == "1" {
            throw XCTSkip("KOMPLY_SKIP_CORPUS_CHECK=1: the generated-corpus check is skipped")
        }
        let tools = CLIHarness.repository.appendingPathComponent(".venv/bin")
        for tool in ["kubectl", "kubernetes-validate", "checkov"]
        where !FileManager.default.isExecutableFile(atPath: tools.appendingPathComponent(tool).path) {
            return XCTFail("\(tool) is not in .venv/bin; run scripts/setup (or set KOMPLY_SKIP_CORPUS_CHECK=1 to skip deliberately)")
        }
        let result = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "scripts/generate-corpus-check.py", "--lint", "--komply", CLIHarness.komplyBinary.path, "--tools", tools.path],
            in: CLIHarness.repository)
        XCTAssertEqual(result.status, 0, "generated manifests fail an independent checker:\n\(result.stdout)\n\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("objects valid for 1.34.0"), result.stdout)
    }
}
