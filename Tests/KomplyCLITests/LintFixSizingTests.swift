import Foundation
import XCTest

/// `komply lint --fix` sizes missing requests and limits with komply predict (runtime flags, image
/// family, history), keeps them consistent with what the container already declares, and falls
/// back to the rules' fixed values with `--no-predict`.
final class LintFixSizingTests: XCTestCase {
    static let manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: payments
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: {app: payments}
          template:
            metadata:
              labels: {app: payments}
            spec:
              containers:
                - name: api  # the payment API
                  image: eclipse-temurin:21.0.4_7-jre
                  env:
                    - {name: JAVA_OPTS, value: "-Xmx768m"}
                  resources:
                    limits:
                      memory: 2Gi

        """

    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fix-sizing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.manifest.write(to: folder.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    let rules = ["--rule", "missing-memory-request", "--rule", "missing-cpu-request", "--rule", "missing-cpu-limit"]

    func testFixTakesTheJVMHeapIntoAccountAndStaysWithinTheDeclaredLimit() throws {
        let fix = try CLIHarness.run(["lint", "deploy.yaml", "--fix"] + rules, in: folder)
        XCTAssertEqual(fix.status, 0, fix.stdout + fix.stderr)
        XCTAssertTrue(fix.stderr.contains("(komply predict, confidence "), fix.stderr)
        let fixed = try String(contentsOf: folder.appendingPathComponent("deploy.yaml"), encoding: .utf8)
        let resources = try XCTUnwrap(fixed.range(of: "resources:")).lowerBound
        let block = String(fixed[resources...])
        // -Xmx768m plus non-heap overhead max(256Mi, 25 %) = 1Gi; the 2Gi limit stays.
        XCTAssertTrue(block.contains("memory: 1Gi"), block)
        XCTAssertTrue(block.contains("memory: 2Gi"), block)
        XCTAssertTrue(fixed.contains("- name: api  # the payment API"), "comments elsewhere are kept")
        let relint = try CLIHarness.run(
            ["lint", "deploy.yaml", "--format", "json"] + rules + ["--rule", "requests-exceed-limits"], in: folder)
        XCTAssertEqual(relint.status, 0, "fixed and consistent: \(relint.stdout)")
    }

    func testRequestsNeverExceedADeclaredLimit() throws {
        let tight = Self.manifest.replacingOccurrences(of: "memory: 2Gi", with: "memory: 512Mi")
        try tight.write(to: folder.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        let dry = try CLIHarness.run(["lint", "deploy.yaml", "--fix", "--dry-run"] + rules, in: folder)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(added(dry.stdout).contains("memory: 512Mi"), "the request is capped at the limit:\n" + dry.stdout)
    }

    func testNoPredictUsesTheRulesFixedValues() throws {
        let dry = try CLIHarness.run(["lint", "deploy.yaml", "--fix", "--dry-run", "--no-predict"] + rules, in: folder)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertEqual(added(dry.stdout), ["cpu: 500m", "requests:", "cpu: 100m", "memory: 128Mi"], dry.stdout)
        let plain = try CLIHarness.run(["lint", "deploy.yaml", "--no-predict"] + rules, in: folder)
        XCTAssertEqual(plain.status, 2, "--no-predict only applies with --fix")
    }

    /// The lines a unified diff adds, trimmed.
    func added(_ diff: String) -> [String] {
        diff.split(separator: "\n").filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.map {
            $0.dropFirst().trimmingCharacters(in: .whitespaces)
        }
    }
}
