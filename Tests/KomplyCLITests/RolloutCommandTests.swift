import Foundation
import XCTest

/// `komply generate` on real apps of the corpus (issue 15, items 2–3): shared secrets are one key, config rolls the
/// pods, autoscaled Deployments carry no count, and every overlay still builds with kubectl kustomize.
final class RolloutCommandTests: XCTestCase {
    static let corpus = CLIHarness.repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/awesome-compose")

    func testCorpusDatabaseAppsShareTheirPasswordKeyAndRollOnConfigChanges() throws {
        let apps = ["wordpress-mysql", "nextcloud-redis-mariadb", "gitea-postgres"]
        guard FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent(apps[0]).path) else {
            throw XCTSkip("no corpus at \(Self.corpus.path)")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("komply-rollout-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: output) }
        let result = try CLIHarness.run(
            ["generate"] + apps.map { Self.corpus.appendingPathComponent($0).path } + ["-o", output.path, "--verbose"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // (app, reader, its variable, the owner's Secret key it reads)
        let expected = [
            ("wordpress-mysql", "wordpress", "WORDPRESS_DB_PASSWORD", "MYSQL_PASSWORD"),
            ("nextcloud-redis-mariadb", "nc", "MYSQL_PASSWORD", "MYSQL_PASSWORD"),
            ("gitea-postgres", "gitea", "DB_PASSWD", "POSTGRES_PASSWORD"),
        ]
        for (app, reader, variable, key) in expected {
            let workload = try String(contentsOf: output.appendingPathComponent("\(app)/base/\(reader).yaml"), encoding: .utf8)
            XCTAssertTrue(
                workload.contains(
                    "- name: \(variable)\n              valueFrom:\n                secretKeyRef:\n                  name: db-secrets\n                  key: \(key)\n"
                ),
                "\(app): \(reader) reads db's key\n\(workload)")
            XCTAssertTrue(workload.contains("komply.dev/config-hash: "), "\(app): \(reader)")
            XCTAssertTrue(
                result.stderr.contains(
                    "service \(reader): \(variable) reads Secret db-secrets key \(key), shared by db (\(key)), \(reader) (\(variable))"),
                result.stderr)
            let secrets = try String(contentsOf: output.appendingPathComponent("\(app)/SECRETS.md"), encoding: .utf8)
            XCTAssertEqual(secrets.components(separatedBy: "| `\(key)` |").count - 1, 1, "\(app): the key is listed once\n\(secrets)")
            XCTAssertTrue(secrets.contains("shared: read by db (\(key)), \(reader) (\(variable))"), secrets)
            XCTAssertFalse(secrets.contains("## Secret `\(reader)-secrets`") && secrets.contains("| `\(variable)` |"), secrets)
        }
        let wordpress = try String(contentsOf: output.appendingPathComponent("wordpress-mysql/base/wordpress.yaml"), encoding: .utf8)
        XCTAssertTrue(wordpress.contains("kind: HorizontalPodAutoscaler"), wordpress)
        XCTAssertFalse(wordpress.contains("\n  replicas: "), "the autoscaler owns the count: \(wordpress)")
        let kubectl = URL(fileURLWithPath: "/usr/bin/kubectl")
        guard FileManager.default.isExecutableFile(atPath: kubectl.path) else { return }
        for app in apps {
            let build = try CLIHarness.run(executable: kubectl, ["kustomize", "\(app)/overlays/default"], in: output)
            XCTAssertEqual(build.status, 0, "\(app): \(build.stderr)")
        }
    }
}
