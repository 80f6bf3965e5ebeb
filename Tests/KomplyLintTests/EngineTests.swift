import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// The engine: inputs, cross-object checks, config, suppressions, custom rules.
final class EngineTests: XCTestCase {
    func testCleanAppHasNoFindings() throws {
        let linter = try Linter(today: LintTestSupport.today)
        let result = try linter.lint(paths: [LintTestSupport.path("fixtures/lint/clean")])
        XCTAssertEqual(result.objectCount, 7)
        XCTAssertEqual(result.findings.map { "\($0.ruleID) \($0.line):\($0.column)" }, [])
        XCTAssertTrue(result.problems.isEmpty)
    }

    func testMalformedFileIsReportedAndOthersAreLinted() throws {
        let linter = try Linter(today: LintTestSupport.today)
        let result = try linter.lint(paths: [LintTestSupport.path("fixtures/lint/shop")])
        XCTAssertEqual(result.problems.count, 1)
        let message = result.problems[0].localizedDescription
        XCTAssertTrue(message.contains("broken.yaml:6:1") || message.contains("broken.yaml:5:"), message)
        XCTAssertFalse(result.findings.isEmpty, "the other files are still linted")
        XCTAssertTrue(
            result.findings.contains { $0.ruleID == "secret-in-configmap" && $0.object.kind == "ConfigMap" }, "List items are expanded")
        XCTAssertFalse(result.findings.contains { $0.object.kind == "Widget" }, "unknown kinds are not errors")
    }

    func testFindingsPointAtTheOffendingField() throws {
        let result = try LintTestSupport.lint(
            try String(contentsOfFile: LintTestSupport.path("fixtures/lint/shop/deployment.yaml"), encoding: .utf8),
            file: "deployment.yaml")
        func at(_ rule: String, _ container: String? = nil) -> [String] {
            result.findings.filter { $0.ruleID == rule && $0.container == container }.map {
                "\($0.line):\($0.column)-\($0.endLine):\($0.endColumn)"
            }
        }
        XCTAssertEqual(at("run-as-root", "api"), ["26:13-26:32"])
        XCTAssertEqual(at("latest-image-tag", "api"), ["24:11-24:54"])
        XCTAssertEqual(at("secret-in-env", "api"), ["29:15-29:29"])
        XCTAssertEqual(at("single-replica"), ["13:3-13:14"])
        let runAsRoot = try XCTUnwrap(result.findings.first { $0.ruleID == "run-as-root" })
        XCTAssertEqual(
            runAsRoot.message,
            "container \"api\" in Deployment \"shop/api\" may run as root (neither runAsNonRoot: true nor a non-zero runAsUser applies)")
    }

    func testAnnotationSuppressionIsPerContainerAndKeepsTheReason() throws {
        let text = try String(contentsOfFile: LintTestSupport.path("fixtures/lint/shop/deployment.yaml"), encoding: .utf8)
        let result = try LintTestSupport.lint(text)
        XCTAssertFalse(result.findings.contains { $0.ruleID == "missing-liveness-probe" && $0.container == "api" })
        XCTAssertTrue(
            result.findings.contains { $0.ruleID == "missing-liveness-probe" && $0.container == "sidecar" }, "only api is suppressed")
        XCTAssertFalse(result.findings.contains { $0.ruleID == "latest-image-tag" && $0.container == "sidecar" })
        XCTAssertTrue(result.findings.contains { $0.ruleID == "latest-image-tag" && $0.container == "api" })
        XCTAssertEqual(result.suppressed.first { $0.finding.ruleID == "missing-liveness-probe" }?.reason, "startup probe covers it")
    }

    func testExpiredSuppressionStopsWorkingAndIsReported() throws {
        let text = Self.deployment(annotation: "run-as-root=legacy until 2026-05-31")
        let result = try LintTestSupport.lint(text, only: ["run-as-root", "expired-suppression"])
        XCTAssertEqual(Set(result.findings.map(\.ruleID)), ["run-as-root", "expired-suppression"])
        let live = try LintTestSupport.lint(
            Self.deployment(annotation: "run-as-root=legacy until 2026-06-01"), only: ["run-as-root", "expired-suppression"])
        XCTAssertEqual(live.findings.map(\.ruleID), [], "the expiry day itself still counts")
    }

    func testConfigOverridesExemptionsAndNonSuppressibleRules() throws {
        let config = try PolicyConfig.parse(
            try XCTUnwrap(
                YAMLLoader.parse(
                    """
                    apiVersion: komply.dev/v1
                    kind: Config
                    sources: [compose.yaml]   # other sections belong to other commands
                    policy:
                      kubernetesVersion: "1.24"
                      nonSuppressible: [run-as-root]
                      rules:
                        missing-cpu-request: error
                        missing-liveness-probe: off
                        single-replica:
                          params:
                            assert: [{path: spec.replicas, op: ge, value: 3, default: 1}]
                      exemptions:
                        - rules: [secret-in-env]
                          namespaces: ["sh*"]
                          containers: [api]
                          reason: rotated weekly by the vault agent
                    """, file: "komply.yaml"
                ).first))
        let linter = try Linter(config: config, today: LintTestSupport.today)
        let text = Self.deployment(annotation: "run-as-root=we know")
        let result = linter.lint(sources: [ManifestSource(file: "d.yaml", text: text)])
        let ids = result.findings.map(\.ruleID)
        XCTAssertTrue(ids.contains("run-as-root"), "non-suppressible rules ignore annotations")
        XCTAssertTrue(ids.contains("invalid-suppression"), "and the annotation is reported")
        XCTAssertFalse(ids.contains("missing-liveness-probe"))
        XCTAssertFalse(ids.contains("secret-in-env"))
        XCTAssertEqual(result.suppressed.first { $0.finding.ruleID == "secret-in-env" }?.reason, "rotated weekly by the vault agent")
        XCTAssertEqual(result.findings.first { $0.ruleID == "missing-cpu-request" }?.severity, .error)
        XCTAssertTrue(ids.contains("single-replica"), "params override: 2 replicas < 3")
    }

    func testBadConfigNamesThePosition() throws {
        let nodes = try YAMLLoader.parse(
            "apiVersion: komply.dev/v1\nkind: Config\npolicy:\n  rules:\n    latest-image-tag: loud\n", file: "komply.yaml")
        XCTAssertThrowsError(try PolicyConfig.parse(nodes[0])) { error in
            XCTAssertEqual(
                (error as? LintError)?.localizedDescription,
                "komply.yaml:5:23: invalid config: policy.rules.latest-image-tag: expected off, on, error, warning, info or a mapping")
        }
        var config = PolicyConfig()
        config.rules["no-such-rule"] = .init(enabled: false)
        XCTAssertThrowsError(try Linter(config: config)) {
            XCTAssertTrue("\($0.localizedDescription)".contains("unknown rule \"no-such-rule\""))
        }
    }

    func testCustomRuleFromADirectoryWithQuantityComparison() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        id: memory-limit-above-4gi
        severity: warning
        description: Containers may use more than 4Gi of memory.
        remediation: Lower the memory limit to 4Gi or less, or split the workload.
        message: has a memory limit above 4Gi
        check: Assert
        params:
          on: container
          assert:
            - {path: resources.limits.memory, op: le, value: 4Gi, missing: pass}
            - {path: image, op: matches, value: "registry\\\\.example\\\\.com/.*", message: pulls from an unapproved registry}
        """.write(toFile: dir + "/memory-limit-above-4gi.yaml", atomically: true, encoding: .utf8)
        let rules = try RuleLoader.load(directory: dir)
        XCTAssertEqual(rules.map(\.category), [(dir as NSString).lastPathComponent])
        let linter = try Linter(extraRules: rules, only: ["memory-limit-above-4gi"], today: LintTestSupport.today)
        let text = Self.deployment(annotation: nil).replacingOccurrences(
            of: "image: registry.example.com/a:1", with: "image: docker.io/a:1\n          resources: {limits: {memory: 4097Mi}}")
        let result = linter.lint(sources: [ManifestSource(file: "d.yaml", text: text)])
        XCTAssertEqual(
            result.findings.map(\.message),
            [
                "container \"api\" in Deployment \"shop/api\" pulls from an unapproved registry",
                "container \"api\" in Deployment \"shop/api\" has a memory limit above 4Gi",
            ].sorted { _, _ in false })
    }

    func testBrokenRuleIsRefusedWithPosition() {
        XCTAssertThrowsError(try RuleLoader.decode(text: "id: Bad_Id\nseverity: error\n", file: "rules/x/bad.yaml", builtin: false)) {
            XCTAssertEqual(
                $0.localizedDescription, "rules/x/bad.yaml:1:5: invalid rule: id \"Bad_Id\" must be kebab-case (^[a-z0-9]+(-[a-z0-9]+)*$)")
        }
        let params =
            "id: x\nseverity: error\ndescription: D.\nremediation: R.\ncheck: Assert\nparams:\n  assert: [{path: a, op: matches, value: \"(\"}]\n"
        let rule = try! RuleLoader.decode(text: params, file: "x.yaml", builtin: false)
        XCTAssertThrowsError(try Linter(rules: [rule])) {
            XCTAssertTrue($0.localizedDescription.hasPrefix("x.yaml:1:5: invalid params for rule \"x\""), $0.localizedDescription)
        }
    }

    func testOutputIsDeterministic() throws {
        let linter = try Linter(today: LintTestSupport.today)
        let a = try linter.lint(paths: [LintTestSupport.path("fixtures/rules")])
        let b = try linter.lint(paths: [LintTestSupport.path("fixtures/rules")])
        XCTAssertEqual(a.findings, b.findings)
        XCTAssertGreaterThan(a.findings.count, 500)
    }

    func testNewOnlyKeepsFindingsThatMovedLines() throws {
        let base = try LintTestSupport.lint(Self.deployment(annotation: nil))
        let shifted = try LintTestSupport.lint(
            "# a comment\n"
                + Self.deployment(annotation: nil).replacingOccurrences(of: "replicas: 2", with: "replicas: 2\n  paused: false")
                .replacingOccurrences(of: "- name: api", with: "- name: api\n          securityContext: {privileged: true}"))
        XCTAssertEqual(shifted.onlyNew(comparedWith: base).findings.map(\.ruleID), ["privileged-container"])
    }

    static func deployment(annotation: String?) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          namespace: shop
        \(annotation.map { "  annotations:\n    komply.dev/ignore: \"\($0)\"" } ?? "  labels: {}")
        spec:
          replicas: 2
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: api}
            spec:
              containers:
                - name: api
                  image: registry.example.com/a:1
                  env:
                    - {name: API_TOKEN, value: abc123}

        """
    }

    /// The rules build on a thread of their own, so they load even when every Dispatch thread is
    /// busy waiting. `komply lint`'s workers wait for the rules while holding Dispatch's threads;
    /// with the build queued on Dispatch, a run on one CPU stalled about a second, until Dispatch
    /// noticed and added a thread. Here every Dispatch thread is held first, on any number of CPUs.
    func testRulesBuildWhileEveryDispatchThreadIsHeld() throws {
        let linter = try Linter(rules: [])
        let gate = DispatchSemaphore(value: 0)
        let held = DispatchGroup()
        let holders = 4 * ProcessInfo.processInfo.activeProcessorCount
        for _ in 0..<holders { DispatchQueue.global().async(group: held) { gate.wait() } }
        let start = DispatchTime.now().uptimeNanoseconds
        let engine = Linter.Engine(timed: false) { linter }
        let built = (try? engine.get()) != nil
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for _ in 0..<holders { gate.signal() }
        held.wait()
        XCTAssertTrue(built)
        XCTAssertLessThan(seconds, 0.5, "the rules waited \(seconds) s for a Dispatch thread")
    }

    /// A rule error reaches every waiting worker as the error, not as a stall or a crash.
    func testABrokenRuleBuildIsReportedToTheWaitingWorkers() {
        let engine = Linter.Engine(timed: false) { () throws(LintError) -> Linter in throw .unknownRule("nope", location: nil) }
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            XCTAssertNil(try? engine.get())
        }
    }
}
