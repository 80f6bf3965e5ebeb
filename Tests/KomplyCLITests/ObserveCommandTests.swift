import Foundation
import KomplyTestSupport
import XCTest

/// `komply observe` through the binary against two real Prometheus servers (two clusters).
final class ObserveCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard PrometheusServer.isAvailable else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI must install prometheus (scripts/setup)") }
            throw XCTSkip("prometheus and promtool are not installed (apt-get install prometheus)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-observe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KOMPLY_NOW"] = String(PrometheusScenario().end)
        environment["NO_COLOR"] = "1"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    func testTwoClustersAreRecordedOnceAndTheSecondRunFindsNothingNew() throws {
        let one = try PrometheusServer(openMetrics: PrometheusScenario().openMetrics())
        defer { one.stop() }
        let two = try PrometheusServer(openMetrics: PrometheusScenario(namespace: "shop-prod", scale: 2).openMetrics())
        defer { two.stop() }
        try """
        apiVersion: komply.dev/v1
        kind: Config
        environments:
          - {name: prod, namespace: "{app}-prod"}
        observe:
          since: 7h
          clusters:
            - {name: eu, url: "\(one.url)"}
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let arguments = ["observe", "--cluster", "us=\(two.url)", "--history", "h.sqlite"]
        let first = try CLIHarness.run(arguments, in: folder, environment: environment())
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("eu: 2025-12-31T23:00:00.000Z … 2026-01-01T05:59:00.000Z every 60 s"), first.stdout)
        XCTAssertTrue(first.stdout.contains("5 pod(s) mapped to workloads"), first.stdout)
        let counts = first.stdout.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /\+(\d+) sample\(s\)/).map { Int($0.1)! }
        }
        XCTAssertEqual(counts.count, 2)
        XCTAssertTrue(counts.allSatisfy { $0 > 1000 }, first.stdout)
        let second = try CLIHarness.run(arguments, in: folder, environment: environment())
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stdout, "eu: nothing new since the last observation\nus: nothing new since the last observation\n")
        // Both clusters' namespaces map to the app "shop" ("shop-prod" through the {app}-prod template).
        let export = try CLIHarness.run(["history", "export", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(export.status, 0, export.stderr)
        let apps = Set(export.stdout.split(separator: "\n").compactMap { $0.firstMatch(of: /"app":"([^"]*)"/).map { String($0.1) } })
        XCTAssertEqual(apps, ["shop"])
        XCTAssertTrue(export.stdout.contains("prometheus:us/api-7d4b9c6f8d-zz9kq"), "the deleted pod's samples are kept")
        // The recommendation sees the observed api (OOM-killed once): predict reads the same store.
        XCTAssertTrue(export.stdout.contains("\"oom_killed\""))
    }

    func testADownClusterDoesNotStopTheOthersAndExitsTwo() throws {
        let one = try PrometheusServer(openMetrics: PrometheusScenario().openMetrics())
        defer { one.stop() }
        let result = try CLIHarness.run(
            ["observe", "--cluster", "up=\(one.url)", "--cluster", "down=http://127.0.0.1:1", "--since", "7h", "--history", "h.sqlite"],
            in: folder, environment: environment())
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("up: 2025-12-31T23:00:00.000Z"), result.stdout)
        XCTAssertTrue(result.stderr.contains("down"), result.stderr)
        let again = try CLIHarness.run(
            ["observe", "--cluster", "up=\(one.url)", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(again.stdout, "up: nothing new since the last observation\n", "the reachable cluster was recorded")
    }

    func testDockerStatsSnapshotsAreRecordedAtNowAndABadOneIsNamed() throws {
        let stats = CLIHarness.repository.appendingPathComponent("fixtures/inspect/shop-stack.stats.jsonl").path
        let first = try CLIHarness.run(
            ["observe", "--docker-stats", stats, "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("+8 sample(s)"), first.stdout)
        let export = try CLIHarness.run(["history", "export", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertTrue(export.stdout.contains(#""source":"docker-stats""#), export.stdout)
        XCTAssertTrue(export.stdout.contains(#""time":"2026-01-01T05:59:30"#), "the snapshot is dated now (KOMPLY_NOW)")
        let bad = CLIHarness.repository.appendingPathComponent("fixtures/inspect/bad/not-json.stats.jsonl").path
        let failed = try CLIHarness.run(
            ["observe", "--docker-stats", bad, "--docker-stats", stats, "--history", "h.sqlite", "--now", "2026-01-02T00:00:00Z"],
            in: folder,
            environment: environment())
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.stderr.contains("not-json.stats.jsonl:3:1"), failed.stderr)
        XCTAssertTrue(failed.stdout.contains("+8 sample(s)"), "the good snapshot is still recorded: \(failed.stdout)")
    }

    func testAPrivateCAIsTrustedOnlyWhenNamedAndSkippingVerificationIsWarned() throws {
        let certificates = try PrometheusServer.makeCertificates(in: folder)
        let server = try PrometheusServer(
            openMetrics: PrometheusScenario().openMetrics(), tls: (certificates.certificate, certificates.key))
        defer { server.stop() }
        XCTAssertTrue(server.url.hasPrefix("https://"))
        XCTAssertEqual(try CLIHarness.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["git", "init", "-q"], in: folder).status, 0)
        func config(_ extra: String) throws {
            try """
            apiVersion: komply.dev/v1
            kind: Config
            observe:
              since: 7h
              clusters:
                - {name: tls, url: "\(server.url)"\(extra)}
            """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        }
        // Without the CA: refused, named, nothing recorded.
        try config("")
        let refused = try CLIHarness.run(["observe", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(refused.status, 2, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("tls"), refused.stderr)
        // With the CA komply.yaml names (inside the repository): read.
        try config(", caFile: ca.pem")
        let trusted = try CLIHarness.run(["observe", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(trusted.status, 0, trusted.stderr)
        XCTAssertTrue(trusted.stdout.contains("5 pod(s) mapped to workloads"), trusted.stdout)
        // A CA outside the repository is not read because komply.yaml names it.
        try config(", caFile: ../outside.pem")
        let outside = try CLIHarness.run(["observe", "--history", "other.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(outside.status, 2)
        XCTAssertTrue(outside.stderr.contains("komply.yaml:6:"), outside.stderr)
        // Verification off: works, with a warning every run.
        try config(", insecureSkipVerify: true")
        let insecure = try CLIHarness.run(["observe", "--history", "third.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(insecure.status, 0, insecure.stderr)
        XCTAssertTrue(insecure.stderr.contains("insecureSkipVerify"), insecure.stderr)
    }

    func testBadInputIsExitTwoWithItsPosition() throws {
        for (arguments, expected) in [
            (["observe", "--cluster", "prod"], "--cluster"),
            (["observe", "--cluster", "prod=http://u:p@127.0.0.1:9"], "without credentials"),
            (["observe", "--cluster", "prod=http://127.0.0.1:9", "--since", "7y"], "--since"),
            (["observe"], "a cluster to observe"),
        ] {
            let result = try CLIHarness.run(arguments + ["--history", "h.sqlite"], in: folder, environment: environment())
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        try """
        apiVersion: komply.dev/v1
        kind: Config
        observe:
          clusters:
            - {name: prod, url: "http://127.0.0.1:9", tokenEnv: KOMPLY_TEST_UNSET_TOKEN}
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let unset = try CLIHarness.run(["observe", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(unset.status, 2)
        XCTAssertTrue(unset.stderr.contains("KOMPLY_TEST_UNSET_TOKEN"), unset.stderr)
        try """
        apiVersion: komply.dev/v1
        kind: Config
        observe:
          since: 7y
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let typo = try CLIHarness.run(["observe", "--history", "h.sqlite"], in: folder, environment: environment())
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("komply.yaml:4:"), typo.stderr)
    }

    func testTheTokenIsSentAndNeverPrinted() throws {
        let server = try RecordingHTTPServer { _ in (500, #"{"status":"error","error":"boom"}"#) }
        defer { server.stop() }
        try """
        apiVersion: komply.dev/v1
        kind: Config
        observe:
          clusters:
            - {name: prod, url: "http://127.0.0.1:\(server.port)", tokenEnv: KOMPLY_TEST_TOKEN}
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let token = "s3cr3t-token-\(UUID().uuidString)"
        let result = try CLIHarness.run(
            ["observe", "--history", "h.sqlite"], in: folder, environment: environment(["KOMPLY_TEST_TOKEN": token]))
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer \(token)")
        XCTAssertFalse((result.stdout + result.stderr).contains(token))
    }
}
