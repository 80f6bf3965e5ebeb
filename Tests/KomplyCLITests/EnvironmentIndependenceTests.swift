import Foundation
import XCTest

/// Environments never destroy each other (issue 14, item 3): `--env` regenerates one environment and leaves
/// the others' files as they are, environment replicas scale stateless workloads only, namespace templates
/// are expanded, and every file a run removes is named.
final class EnvironmentIndependenceTests: XCTestCase {
    func workspace(environments: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-envs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let source = CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input")
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("app"))
        try "apiVersion: komply.dev/v1\nkind: Config\nsources: [app]\nenvironments:\n\(environments)"
            .write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    func read(_ folder: URL, _ path: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
    }

    func testRegeneratingOneEnvironmentLeavesTheOtherUntouched() throws {
        let folder = try workspace(
            environments: "  - name: staging\n    replicas: 1\n  - name: production\n    namespace: \"{app}-prod\"\n    replicas: 3\n")
        let first = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(first.status, 0, first.stderr)
        let staging = "deploy/webshop/overlays/staging/kustomization.yaml"
        let stagingBefore = try read(folder, staging)
        XCTAssertTrue(try read(folder, "deploy/webshop/overlays/production/kustomization.yaml").contains("namespace: webshop-prod\n"))

        // staging changes in komply.yaml, but only production is regenerated: staging's files stay as they were.
        try
            "apiVersion: komply.dev/v1\nkind: Config\nsources: [app]\nenvironments:\n  - name: staging\n    replicas: 2\n  - name: production\n    namespace: \"{app}-prod\"\n    replicas: 4\n"
            .write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let onlyProduction = try CLIHarness.run(["generate", "--env", "production"], in: folder)
        XCTAssertEqual(onlyProduction.status, 0, onlyProduction.stderr)
        XCTAssertFalse(onlyProduction.stderr.contains("removed"), onlyProduction.stderr)
        XCTAssertEqual(try read(folder, staging), stagingBefore, "--env production rewrote staging's overlay")
        XCTAssertTrue(
            try read(folder, "deploy/webshop/overlays/production/kustomization.yaml").contains(#"/spec/minReplicas\",\"value\":4"#))
        let secrets = try read(folder, "deploy/webshop/SECRETS.md")
        XCTAssertTrue(secrets.contains("webshop-staging"), "SECRETS.md still lists every environment: \(secrets)")
        let check = try CLIHarness.run(["generate", "--env", "production", "--check"], in: folder)
        XCTAssertEqual(check.status, 0, "staging's stale overlay is not production's drift: \(check.stdout)")

        // Dropping staging from komply.yaml and regenerating everything removes its files and says so.
        try "apiVersion: komply.dev/v1\nkind: Config\nsources: [app]\nenvironments:\n  - name: production\n"
            .write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let all = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stderr.contains("komply: removed deploy/\(staging.dropFirst("deploy/".count)) (no longer generated)"), all.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(staging).path))
    }

    func testEnvironmentReplicasScaleStatelessWorkloadsOnly() throws {
        let folder = try workspace(environments: "  - name: production\n    replicas: 3\n")
        let compose = folder.appendingPathComponent("app/compose.yaml")
        // compose's deploy.replicas on a database would start split copies of its data.
        try String(contentsOf: compose, encoding: .utf8)
            .replacingOccurrences(
                of: "  db:\n    image: postgres:16.4\n", with: "  db:\n    image: postgres:16.4\n    deploy:\n      replicas: 3\n"
            )
            .write(to: compose, atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stderr.contains("service db: deploy.replicas: 3 would start 3 independent copies of"), result.stderr)
        let database = try read(folder, "deploy/webshop/base/db.yaml")
        XCTAssertTrue(database.contains("kind: StatefulSet"))
        XCTAssertTrue(database.contains("  replicas: 1\n"), database)
        let overlay = try read(folder, "deploy/webshop/overlays/production/kustomization.yaml")
        // api and proxy are autoscaled: the environment's count is their autoscalers' minimum, not a replicas entry.
        XCTAssertFalse(overlay.contains("count:"), overlay)
        for name in ["api", "proxy"] {
            let patch = overlay.components(separatedBy: "kind: HorizontalPodAutoscaler\n      name: \(name)\n    patch: ").dropFirst().first
            XCTAssertTrue(patch?.prefix { $0 != "\n" }.contains(#"/spec/minReplicas\",\"value\":3"#) == true, overlay)
        }
        XCTAssertFalse(overlay.contains("name: db\n"), "a StatefulSet is never scaled by an environment: \(overlay)")
        XCTAssertFalse(overlay.contains("name: cache\n"), "a workload with a ReadWriteOnce claim is not scaled: \(overlay)")
    }

    func testXKomplyReplicasScaleAStatefulSetWithAWarning() throws {
        let folder = try workspace(environments: "  - name: production\n")
        let compose = folder.appendingPathComponent("app/compose.yaml")
        try String(contentsOf: compose, encoding: .utf8)
            .replacingOccurrences(
                of: "  db:\n    image: postgres:16.4\n", with: "  db:\n    image: postgres:16.4\n    x-komply:\n      replicas: 3\n"
            )
            .write(to: compose, atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("the image must replicate its data itself"), result.stderr)
        XCTAssertTrue(try read(folder, "deploy/webshop/base/db.yaml").contains("  replicas: 3\n"))
    }
}
