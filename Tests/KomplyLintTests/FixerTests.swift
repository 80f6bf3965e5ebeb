import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// `--fix`: only the needed lines change, and the result matches Polaris's own fixes where both fix.
final class FixerTests: XCTestCase {
    func testFixEditsOnlyTheNeededLinesAndKeepsComments() throws {
        let original = try String(contentsOfFile: LintTestSupport.path("fixtures/lint/shop/deployment.yaml"), encoding: .utf8)
        let linter = try Linter(today: LintTestSupport.today)
        let result = linter.lint(sources: [ManifestSource(file: "deployment.yaml", text: original)])
        let changes = Fixer.fix(result, with: linter)
        let change = try XCTUnwrap(changes.first { $0.file == "deployment.yaml" })
        let before = original.split(separator: "\n", omittingEmptySubsequences: false)
        let after = change.after.split(separator: "\n", omittingEmptySubsequences: false)
        // Every original line survives in order (lines are only inserted) except the replaced values.
        let removed = before.filter { !after.contains($0) }
        XCTAssertEqual(removed, ["  replicas: 1   # scaled by hand", "            runAsNonRoot: false   # TODO"])
        XCTAssertTrue(change.after.contains("  replicas: 2   # scaled by hand"))
        XCTAssertTrue(change.after.contains("            runAsNonRoot: true   # TODO"))
        XCTAssertTrue(change.after.contains("    # Accepted until the image is rebuilt."))
        let fixed = linter.lint(sources: [ManifestSource(file: "deployment.yaml", text: change.after)])
        let remaining = Set(fixed.findings.map(\.ruleID))
        for id in [
            "run-as-root", "privilege-escalation-allowed", "writable-root-filesystem", "capabilities-not-dropped",
            "missing-seccomp-profile",
            "missing-cpu-request", "missing-memory-limit", "single-replica", "automounted-service-account-token",
        ] {
            XCTAssertFalse(remaining.contains(id), "\(id) should be fixed:\n\(change.after)")
        }
        XCTAssertTrue(remaining.contains("secret-in-env"), "secrets are never auto-fixed")
        XCTAssertTrue(
            changes.contains { $0.file == "default-deny.networkpolicy.yaml" && $0.before.isEmpty }, "a default-deny policy file is created")
        XCTAssertEqual(try YAMLLoader.parse(change.after, file: "x").count, 1)
    }

    func testFixAppendsToFlowAndBlockLists() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: shop}
            spec:
              containers:
                - name: a
                  image: a:1
                  securityContext:
                    capabilities:
                      drop: [NET_RAW]
                - name: b
                  image: b:1
                  securityContext:
                    capabilities:
                      drop:
                        - NET_RAW
            """
        let linter = try Linter(only: ["capabilities-not-dropped"], today: LintTestSupport.today)
        let changes = Fixer.fix(linter.lint(sources: [ManifestSource(file: "p.yaml", text: text)]), with: linter)
        XCTAssertEqual(
            changes.first?.after,
            text.replacingOccurrences(of: "[NET_RAW]", with: "[NET_RAW, ALL]")
                .replacingOccurrences(of: "            - NET_RAW", with: "            - NET_RAW\n            - ALL") + "\n")
    }

    /// Polaris's `mutated.*` files are its fixes for the matching `failure.*`; komply's fixes give the same
    /// objects where both tools fix, with parameters set to Polaris's placeholder values.
    func testFixesMatchPolarisMutatedFiles() throws {
        let corpus = LintTestSupport.repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/polaris-checks").path
        guard FileManager.default.fileExists(atPath: corpus) else { throw XCTSkip("../shared/corpus is not beside the checkout") }
        let config = try PolicyConfig.parse(
            try XCTUnwrap(
                YAMLLoader.parse(
                    """
                    apiVersion: komply.dev/v1
                    kind: Config
                    policy:
                      rules:
                        missing-cpu-request: {params: {fix: [{path: resources.requests.cpu, value: 100m}]}}
                        missing-cpu-limit: {params: {fix: [{path: resources.limits.cpu, value: 100m}]}}
                        missing-memory-request: {params: {fix: [{path: resources.requests.memory, value: 512Mi}]}}
                        missing-memory-limit: {params: {fix: [{path: resources.limits.memory, value: 512Mi}]}}
                        single-replica: {params: {fix: [{path: spec.replicas, value: 3}]}}
                    """, file: "komply.yaml"
                ).first))
        // Polaris check → komply rule, where both tools fix (Polaris removes dangerous capabilities and writes
        // placeholder probes; komply leaves the first to a human and writes probes only where the port is known).
        let mapped = [
            "cpuRequestsMissing": "missing-cpu-request", "cpuLimitsMissing": "missing-cpu-limit",
            "memoryRequestsMissing": "missing-memory-request", "memoryLimitsMissing": "missing-memory-limit",
            "runAsRootAllowed": "run-as-root", "hostIPCSet": "host-ipc", "hostPIDSet": "host-pid", "hostNetworkSet": "host-network",
            "pullPolicyNotAlways": "image-pull-policy-not-always", "insecureCapabilities": "capabilities-not-dropped",
            "deploymentMissingReplicas": "single-replica",
        ]
        var compared = 0
        var refused = 0
        for (check, rule) in mapped.sorted(by: { $0.key < $1.key }) {
            let linter = try Linter(config: config, only: [rule], today: LintTestSupport.today)
            let folder = (corpus as NSString).appendingPathComponent(check)
            for mutated in try FileManager.default.contentsOfDirectory(atPath: folder).filter({ $0.hasPrefix("mutated.") }).sorted() {
                let failure = (folder as NSString).appendingPathComponent(mutated.replacingOccurrences(of: "mutated.", with: "failure."))
                // Deliberate difference: komply never deletes added capabilities (dangerous-capability-added
                // reports them for a human to decide).
                if "\(check)/\(mutated)" == "insecureCapabilities/mutated.add.yaml" { continue }
                let text = try String(contentsOfFile: failure, encoding: .utf8)
                // komply refuses YAML with duplicate keys (as the API server does); two Polaris failure files have them.
                guard (try? YAMLLoader.parse(text, file: failure)) != nil else { refused += 1; continue }
                let result = linter.lint(sources: [ManifestSource(file: failure, text: text)])
                let fixed = Fixer.fix(result, with: linter).first { $0.file == failure }?.after ?? text
                let expected = try YAMLLoader.load(path: (folder as NSString).appendingPathComponent(mutated)).map {
                    Self.normalized($0.valueTree(schema: .yaml11))
                }
                let actual = try YAMLLoader.parse(fixed, file: failure).map { Self.normalized($0.valueTree(schema: .yaml11)) }
                XCTAssertEqual(actual, expected, "\(check)/\(mutated): komply's fix differs from Polaris's\n\(fixed)")
                compared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 11)
        XCTAssertLessThanOrEqual(refused, 2)
    }

    /// Sorts object members and reduces a capability drop list holding ALL to [ALL] (the same effect).
    static func normalized(_ value: ValueTree) -> ValueTree {
        switch value {
        case .object(let members):
            return .object(
                members.map { member in
                    if member.key == "drop", case .array(let items) = member.value, items.contains(.string("ALL")) {
                        return .init(key: "drop", value: .array([.string("ALL")]))
                    }
                    return .init(key: member.key, value: normalized(member.value))
                }.sorted { $0.key < $1.key })
        case .array(let items): return .array(items.map(normalized))
        default: return value
        }
    }
}
