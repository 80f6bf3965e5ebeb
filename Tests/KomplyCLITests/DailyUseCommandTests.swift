import Foundation
import XCTest

/// Issue 19 ("Daily use") end to end through the binary: monorepos (one bad app does not stop the others,
/// komply.yaml found, used and validated the same way by every command) and lint's edges (no files, unreadable
/// files, the default-deny fix only on request).
final class DailyUseCommandTests: XCTestCase {
    /// A scratch folder outside the repository holding the web-db app as `app/`.
    func workspace(git: Bool = false) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-daily-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let source = CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input")
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("app"))
        if git {
            let result = try CLIHarness.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["git", "init", "-q"], in: folder)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        return folder
    }

    func write(_ text: String, _ path: String, in folder: URL) throws {
        let file = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    // MARK: komply.yaml

    func testEveryCommandRejectsATypoInKomplyYAMLWithItsPosition() throws {
        let folder = try workspace()
        try write("apiVersion: komply.dev/v1\nkind: Config\npolcy:\n  failOn: error\n", "komply.yaml", in: folder)
        let commands = [
            ["lint", "app"], ["predict", "app"], ["sources", "app"], ["backtest"], ["rules", "list"], ["rules", "show", "run-as-root"],
            ["generate", "app", "--dry-run"], ["history", "export"],
        ]
        for arguments in commands {
            let result = try CLIHarness.run(arguments, in: folder)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("komply.yaml:3:1"), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("polcy"), "\(arguments): \(result.stderr)")
        }
    }

    func testUnknownRuleIDsAreNamedAtTheirLineAndColumn() throws {
        let folder = try workspace()
        try write(
            """
            apiVersion: komply.dev/v1
            kind: Config
            policy:
              rules:
                run-as-root: error
                latest-tag-image: warning
            """, "komply.yaml", in: folder)
        for arguments in [["lint", "app"], ["predict", "app"], ["sources", "app"], ["rules", "list"]] {
            let result = try CLIHarness.run(arguments, in: folder)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("komply.yaml:6:5: unknown rule \"latest-tag-image\""), "\(arguments): \(result.stderr)")
        }
        try write(
            "apiVersion: komply.dev/v1\nkind: Config\npolicy:\n  nonSuppressible: [run-as-root, run-as-rot]\n", "komply.yaml", in: folder)
        let generate = try CLIHarness.run(["generate", "app", "--dry-run"], in: folder)
        XCTAssertEqual(generate.status, 2, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("komply.yaml:4:34: unknown rule \"run-as-rot\""), generate.stderr)
    }

    func testKomplyYAMLIsFoundFromASubfolderUpToTheRepositoryRoot() throws {
        let folder = try workspace(git: true)
        try write("apiVersion: komply.dev/v1\nkind: Config\nsources: [\"app\"]\nunknownKey: 1\n", "komply.yaml", in: folder)
        let inside = folder.appendingPathComponent("app")
        for arguments in [["lint", "."], ["sources", "compose.yaml"], ["predict", "compose.yaml"]] {
            let result = try CLIHarness.run(arguments, in: inside)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("komply.yaml:4:1"), "\(arguments): \(result.stderr)")
        }
    }

    func testPredictAndSourcesUseKomplyYAMLSourcesWithoutAPath() throws {
        let folder = try workspace()
        try write("apiVersion: komply.dev/v1\nkind: Config\nsources: [\"app*\"]\n", "komply.yaml", in: folder)
        let sources = try CLIHarness.run(["sources"], in: folder)
        XCTAssertEqual(sources.status, 0, sources.stderr)
        XCTAssertTrue(sources.stdout.contains("\"webshop\""), sources.stdout)
        let predict = try CLIHarness.run(["predict", "--format", "json"], in: folder)
        XCTAssertEqual(predict.status, 0, predict.stderr)
        XCTAssertTrue(predict.stdout.contains("\"api\""), predict.stdout)
    }

    // MARK: one bad app

    /// Two apps from komply.yaml's sources, one of them broken, with output from an earlier run.
    func monorepo() throws -> URL {
        let folder = try workspace()
        try write("name: broken\nservices:\n  web:\n    image: nginx:1.27\n    ports: [\"80\"\n", "broken/compose.yaml", in: folder)
        try write("# Generated by komply 0.0.1 from broken.\nkind: ConfigMap\n", "deploy/broken/base/web.yaml", in: folder)
        try write("apiVersion: komply.dev/v1\nkind: Config\nsources: [\"app\", \"broken\"]\noutput: deploy\n", "komply.yaml", in: folder)
        return folder
    }

    func testOneBadAppIsReportedAndTheOthersAreWritten() throws {
        let folder = try monorepo()
        let result = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("komply: error: broken/compose.yaml:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("1 app(s) failed"), result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("deploy/webshop/base/api.yaml").path))
        let kept = try String(contentsOf: folder.appendingPathComponent("deploy/broken/base/web.yaml"), encoding: .utf8)
        XCTAssertTrue(kept.hasPrefix("# Generated by komply 0.0.1 from broken."), "the failed app's output is left as it was")

        // The same with PATHs, and --check still reports the failure as bad input.
        let paths = try CLIHarness.run(["generate", "broken", "app", "-o", "deploy"], in: folder)
        XCTAssertEqual(paths.status, 2, paths.stderr)
        XCTAssertTrue(paths.stderr.contains("wrote 0 of 9 file(s) under deploy"), paths.stderr)
        let check = try CLIHarness.run(["generate", "--check"], in: folder)
        XCTAssertEqual(check.status, 2, check.stderr)
        XCTAssertTrue(check.stderr.contains("deploy is up to date"), check.stderr)
    }

    func testEveryAppFailingWritesNothing() throws {
        let folder = try monorepo()
        try write("apiVersion: komply.dev/v1\nkind: Config\nsources: [\"broken\"]\noutput: deploy\n", "komply.yaml", in: folder)
        let result = try CLIHarness.run(["generate", "broken", "broken/compose.yaml", "-o", "deploy"], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("broken/compose.yaml:"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("deploy/webshop").path))
    }

    // MARK: lint edges

    func testLintingNoFilesIsAnErrorUnlessAllowed() throws {
        let folder = try workspace()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let empty = try CLIHarness.run(["lint", "empty"], in: folder)
        XCTAssertEqual(empty.status, 2, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("empty: no manifest files found"), empty.stderr)
        XCTAssertFalse(empty.stdout.contains("✓"), empty.stdout)
        let allowed = try CLIHarness.run(["lint", "empty", "--allow-empty"], in: folder)
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        // A folder of compose files is not a folder of manifests either.
        let compose = try CLIHarness.run(["lint", "app"], in: folder)
        XCTAssertEqual(compose.status, 2, compose.stderr)
        XCTAssertTrue(compose.stderr.contains("app: no Kubernetes object in"), compose.stderr)
        XCTAssertFalse(compose.stdout.contains("✓"), compose.stdout)
    }

    func testNoCheckMarkWhenAFileCouldNotBeRead() throws {
        let folder = try workspace()
        try write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n", "manifests/bad.yaml", in: folder)
        let result = try CLIHarness.run(["lint", "manifests", "--color", "never"], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertFalse(result.stdout.contains("✓"), result.stdout)
        XCTAssertTrue(result.stdout.contains("1 unreadable"), result.stdout)
    }

    func testFixWritesADefaultDenyPolicyOnlyWhenAsked() throws {
        let folder = try workspace()
        try write(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              namespace: shop
            spec:
              selector:
                matchLabels: {app: api}
              template:
                metadata:
                  labels: {app: api}
                spec:
                  containers:
                    - name: api
                      image: nginx:1.27
            """, "manifests/api.yaml", in: folder)
        let policy = folder.appendingPathComponent("manifests/default-deny.networkpolicy.yaml")
        let plain = try CLIHarness.run(["lint", "manifests", "--fix", "--no-predict"], in: folder)
        XCTAssertNotEqual(plain.status, 2, plain.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: policy.path), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("--fix-network-policy"), plain.stderr)
        let asked = try CLIHarness.run(["lint", "manifests", "--fix", "--no-predict", "--fix-network-policy"], in: folder)
        XCTAssertNotEqual(asked.status, 2, asked.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: policy.path), asked.stderr)
        let misuse = try CLIHarness.run(["lint", "manifests", "--fix-network-policy"], in: folder)
        XCTAssertEqual(misuse.status, 2, misuse.stderr)
    }

    func testLintCoversWhatEachOverlayRenders() throws {
        let folder = try workspace()
        try write(
            """
            apiVersion: komply.dev/v1
            kind: Config
            environments:
              - name: staging
                replicas: 1
                imageTag: latest
              - name: production
            """, "komply.yaml", in: folder)
        let generate = try CLIHarness.run(["generate", "app", "-o", "deploy"], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let lint = try CLIHarness.run(["lint", "deploy", "--format", "json"], in: folder)
        XCTAssertEqual(lint.status, 1, lint.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        let located = Set(findings.map { "\($0["rule"]!) \($0["file"]!):\($0["line"]!):\($0["column"]!)" })
        let overlay = "deploy/webshop/overlays/staging/kustomization.yaml"
        // api's autoscaler patch (line 18: staging's count is its minReplicas) and the image entry of webshop/api (line 15).
        XCTAssertTrue(located.contains("hpa-single-min-replica \(overlay):18:5"), "\(located)")
        XCTAssertFalse(located.contains { $0.hasPrefix("single-replica ") }, "an autoscaled Deployment's count is the HPA's: \(located)")
        XCTAssertTrue(located.contains("latest-image-tag \(overlay):15:5"), "\(located)")
        XCTAssertFalse(located.contains { $0.contains("overlays/production") }, "\(located)")
        // An overlay folder alone: its base is read from disk (inside the repository, else the current folder).
        let alone = try CLIHarness.run(["lint", "deploy/webshop/overlays/staging", "--format", "json"], in: folder)
        XCTAssertEqual(alone.status, 1, alone.stderr)
        XCTAssertTrue(alone.stdout.contains("\"rule\": \"hpa-single-min-replica\""), alone.stdout)
        let message = findings.first { ($0["rule"] as? String) == "hpa-single-min-replica" }?["message"] as? String
        XCTAssertEqual(
            message,
            "HorizontalPodAutoscaler \"webshop-staging/api\" may scale down to a single replica (as overlay \"staging\" renders it)")
    }

    func testStagedLintCoversTheOverlaysToo() throws {
        let folder = try workspace(git: true)
        try write(
            "apiVersion: komply.dev/v1\nkind: Config\nenvironments:\n  - name: staging\n    replicas: 1\n", "komply.yaml", in: folder)
        XCTAssertEqual(try CLIHarness.run(["generate", "app", "-o", "deploy"], in: folder).status, 0)
        let add = try CLIHarness.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["git", "add", "-A"], in: folder)
        XCTAssertEqual(add.status, 0, add.stderr)
        let overlay = "deploy/webshop/overlays/staging/kustomization.yaml"
        let staged = try CLIHarness.run(["lint", "--staged", overlay, "--color", "never"], in: folder)
        XCTAssertEqual(staged.status, 1, staged.stdout + staged.stderr)
        XCTAssertTrue(staged.stdout.contains("may scale down to a single replica (as overlay \"staging\" renders it)"), staged.stdout)
    }
}
