import Foundation
import KomplyCore
import XCTest

/// End-to-end tests of `komply lint` through the built binary.
final class LintCommandTests: XCTestCase {
    func testCleanManifestsExitZero() throws {
        let result = try CLIHarness.run(["lint", "fixtures/lint/clean"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("no findings"), result.stdout)
    }

    /// The generator's golden outputs must be policy-clean (DESIGN: generation output must be clean).
    /// Lint tells the truth about generated output: the only findings are the risks compose asked for that no
    /// person accepted in `x-komply.accept` (the jobs case's node-agent runs as root; its accepted privileged
    /// mode is suppressed with the person's reason and expiry), probes komply cannot write that no person accepted
    /// going without, and what an environment of komply.yaml asks for (each overlay is rendered and linted).
    func testGeneratorGoldenOutputsReportOnlyUnacceptedComposeRisks() throws {
        let root = CLIHarness.repository.appendingPathComponent("fixtures/generate")
        let cases = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let expected = cases.sorted().map { "fixtures/generate/\($0)/expected" }
            .filter { FileManager.default.fileExists(atPath: CLIHarness.repository.appendingPathComponent($0).path) }
        guard !expected.isEmpty else { throw XCTSkip("no generator goldens yet") }
        let result = try CLIHarness.run(["lint"] + expected + ["--fail-on", "info", "--format", "json"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = (json["findings"] as? [[String: Any]] ?? []).map { finding in
            "\(finding["rule"] ?? "") \(finding["file"] ?? "") \(finding["container"] ?? "")"
        }
        // And what komply.yaml asked of an environment: staging's `replicas: 1` becomes the autoscaler's minReplicas
        // (the Deployment it scales carries no count in git), reported on the overlay's patch (issue 19, issue 15).
        let staging = "fixtures/generate/environments/expected/billing/overlays/staging/kustomization.yaml"
        // And a worker with no healthcheck and no port: komply cannot write a probe that works, and only a person
        // accepts running without one (x-komply.accept), so lint keeps reporting it.
        let worker = "fixtures/generate/dev-mounts/expected/devshop/base/worker.yaml"
        XCTAssertEqual(
            findings,
            [
                "missing-liveness-probe \(worker) worker", "missing-readiness-probe \(worker) worker",
                "hpa-single-min-replica \(staging) <null>",
                "run-as-root fixtures/generate/jobs/expected/batch/base/node-agent.yaml node-agent",
            ])
    }

    func testFindingsExitOneAndFailOnControlsIt() throws {
        let file = "fixtures/rules/missing-cpu-limit/violating.unset.yaml"
        let warning = try CLIHarness.run(["lint", file, "--rule", "missing-cpu-limit"])
        XCTAssertEqual(warning.status, 0, "an info finding is below the default --fail-on warning")
        let info = try CLIHarness.run(["lint", file, "--rule", "missing-cpu-limit", "--fail-on", "info"])
        XCTAssertEqual(info.status, 1)
        XCTAssertTrue(info.stdout.contains("17:11  info     container \"api\" in Deployment \"shop/api\" has no cpu limit"), info.stdout)
        XCTAssertTrue(info.stdout.contains("         ^"), "a caret marks the column")
    }

    func testMalformedFileIsReportedOthersLintedAndExitIsTwo() throws {
        let result = try CLIHarness.run(["lint", "fixtures/lint/shop", "--format", "json"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("fixtures/lint/shop/broken.yaml:6:1: invalid YAML"), result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertGreaterThan((json["findings"] as? [Any])?.count ?? 0, 10, "the other files are still linted")
        XCTAssertEqual((json["problems"] as? [[String: Any]])?.first?["line"] as? Int, 6)
    }

    func testJSONShapeMatchesDesign() throws {
        let result = try CLIHarness.run([
            "lint", "fixtures/rules/run-as-root/violating.explicit-false.yaml", "--rule", "run-as-root", "--format", "json",
        ])
        XCTAssertEqual(result.status, 1)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["version"] as? Int, 1)
        let finding = try XCTUnwrap((json["findings"] as? [[String: Any]])?.first)
        for key in ["rule", "severity", "message", "remediation", "file", "line", "column", "endLine", "endColumn", "object", "container"] {
            XCTAssertNotNil(finding[key], key)
        }
        XCTAssertEqual(finding["line"] as? Int, 20)
        XCTAssertEqual(finding["column"] as? Int, 13)
        XCTAssertEqual(finding["container"] as? String, "api")
        XCTAssertEqual((finding["object"] as? [String: Any])?["namespace"] as? String, "shop")
        XCTAssertNotNil(json["summary"] as? [String: Any])
    }

    func testSeveralFormatsInOneRunAndStdin() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = CLIHarness.repository.appendingPathComponent("fixtures/lint/shop/deployment.yaml").path
        let sarif = dir.appendingPathComponent("out.sarif").path
        let junit = dir.appendingPathComponent("out.xml").path
        let result = try CLIHarness.run([
            "lint", manifest, "--format", "sarif=\(sarif)", "--format", "junit", "-o", junit, "--format", "github",
        ])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("::"), result.stdout)
        XCTAssertTrue(result.stdout.contains("::error file=\(manifest),line=26,col=13,"), result.stdout)
        let sarifJSON = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarif))) as? [String: Any])
        XCTAssertEqual(sarifJSON["version"] as? String, "2.1.0")
        XCTAssertTrue(try String(contentsOfFile: junit, encoding: .utf8).hasPrefix("<?xml"))

        let stdin = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/bin/sh"),
            ["-c", "\"$0\" lint - --rule latest-image-tag --format github < \"$1\"", CLIHarness.komplyBinary.path, manifest],
            in: CLIHarness.repository)
        XCTAssertEqual(stdin.status, 1, stdin.stderr)
        XCTAssertTrue(stdin.stdout.contains("file=<stdin>,line=24,col=11"), stdin.stdout)
    }

    func testFixDryRunPrintsADiffAndFixWritesOnlyNeededLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(
            contentsOf: CLIHarness.repository.appendingPathComponent("fixtures/lint/shop/deployment.yaml"), encoding: .utf8)
        try original.write(to: dir.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        let dry = try CLIHarness.run(["lint", "deploy.yaml", "--fix", "--dry-run", "--rule", "run-as-root"], in: dir)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(
            dry.stdout.contains("-            runAsNonRoot: false   # TODO\n+            runAsNonRoot: true   # TODO"), dry.stdout)
        XCTAssertEqual(
            try String(contentsOf: dir.appendingPathComponent("deploy.yaml"), encoding: .utf8), original, "--dry-run writes nothing")
        let fix = try CLIHarness.run(["lint", "deploy.yaml", "--fix", "--rule", "run-as-root", "--rule", "privileged-container"], in: dir)
        XCTAssertEqual(fix.status, 0, fix.stdout + fix.stderr)
        let fixed = try String(contentsOf: dir.appendingPathComponent("deploy.yaml"), encoding: .utf8)
        XCTAssertEqual(
            fixed.components(separatedBy: "\n").count, original.components(separatedBy: "\n").count + 2, "one line changed, two added")
    }

    func testUsageAndInputErrorsExitTwo() throws {
        let missing = try CLIHarness.run(["lint", "no/such/dir"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no/such/dir: no such file or directory"), missing.stderr)
        XCTAssertEqual(try CLIHarness.run(["lint", "--format", "xml"]).status, 2)
        XCTAssertEqual(try CLIHarness.run(["lint", "--dry-run", "fixtures/lint/clean"]).status, 2)
        let rule = try CLIHarness.run(["lint", "fixtures/lint/clean", "--rule", "no-such-rule"])
        XCTAssertEqual(rule.status, 2)
        XCTAssertTrue(rule.stderr.contains("unknown rule \"no-such-rule\""), rule.stderr)
        // A rule error is reported before an error in the paths (the rules load while paths are read).
        let both = try CLIHarness.run(["lint", "no/such/dir", "--rule", "no-such-rule"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("unknown rule \"no-such-rule\""), both.stderr)
        XCTAssertFalse(both.stderr.contains("no/such/dir"), both.stderr)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "apiVersion: komply.dev/v1\nkind: Config\npolicy:\n  rules:\n    run-as-root: sometimes\n".write(
            to: dir.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let config = try CLIHarness.run(["lint", "."], in: dir)
        XCTAssertEqual(config.status, 2)
        // The whole file is checked against komply.yaml's schema first, as every command does.
        XCTAssertTrue(config.stderr.contains("komply.yaml:5:18: policy.rules.run-as-root must be one of"), config.stderr)
    }

    func testOutputIsByteIdenticalAcrossRuns() throws {
        let a = try CLIHarness.run(["lint", "fixtures/rules", "--format", "sarif"])
        let b = try CLIHarness.run(["lint", "fixtures/rules", "--format", "sarif"])
        XCTAssertEqual(a.status, 1)
        XCTAssertEqual(a.stdout, b.stdout)
    }

    /// `--timings` lists every phase and every active rule (with the objects it ran on and what it
    /// found) on standard error, and changes neither the report nor the exit status.
    func testTimingsListPhasesAndEveryRuleWithoutChangingTheReport() throws {
        let plain = try CLIHarness.run(["lint", "fixtures/rules", "--format", "json"])
        let timed = try CLIHarness.run(["lint", "fixtures/rules", "--format", "json", "--timings"])
        XCTAssertEqual(timed.status, plain.status)
        XCTAssertEqual(timed.stdout, plain.stdout)
        for phase in ["read and parse, rules on each object", "index, rules on the rest", "rules across objects", "sort", "report"] {
            XCTAssertTrue(timed.stderr.contains("\n\(phase) "), "phase \(phase):\n\(timed.stderr)")
            // Wall and CPU milliseconds follow the name.
            let line = try XCTUnwrap(timed.stderr.split(separator: "\n").first { $0.hasPrefix(phase + " ") })
            let figures = line.dropFirst(phase.count).split(separator: " ").compactMap { Double($0) }
            XCTAssertEqual(figures.count, 2, String(line))
            XCTAssertTrue(figures.allSatisfy { $0 >= 0 }, String(line))
        }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let listed = try CLIHarness.run(["rules", "list", "--format", "json"])
        let rules = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let active = rules.filter { ($0["enabled"] as? Bool) ?? true }.compactMap { $0["id"] as? String }
        XCTAssertGreaterThan(active.count, 50)
        let rows = timed.stderr.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for id in active {
            let row = try XCTUnwrap(rows.first { $0.first == id }, "no row for \(id):\n\(timed.stderr)")
            XCTAssertEqual(row.count, 5, row.joined(separator: " "))
            // Suppressed findings count as found, so the report can hold fewer than the row.
            let reported = findings.filter { $0["rule"] as? String == id }.count
            XCTAssertGreaterThanOrEqual(Int(row[3]) ?? -1, reported, id)
            XCTAssertGreaterThan(Int(row[2]) ?? -1, 0, "\(id) ran on some object of fixtures/rules")
        }
        let staged = try CLIHarness.run(["lint", "--staged", "--timings"])
        XCTAssertEqual(staged.status, 2)
        XCTAssertTrue(staged.stderr.contains("--timings times a plain run"), staged.stderr)
    }
}

/// `--new-only --base REF` against a throwaway git repository.
final class LintNewOnlyTests: XCTestCase {
    func testReportsOnlyFindingsTheChangeIntroduces() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func git(_ args: String...) throws {
            let result = try CLIHarness.run(
                executable: URL(fileURLWithPath: "/usr/bin/env"),
                ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"] + args, in: dir)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let original = try String(
            contentsOf: CLIHarness.repository.appendingPathComponent("fixtures/lint/shop/deployment.yaml"), encoding: .utf8)
        try original.write(to: dir.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        try git("init", "--quiet")
        try git("add", "deploy.yaml")
        try git("commit", "--quiet", "-m", "base")
        // Shift every line down and add one new problem.
        let changed =
            "# moved\n"
            + original.replacingOccurrences(
                of: "        - name: sidecar\n", with: "        - name: sidecar\n          securityContext: {privileged: true}\n")
        try changed.write(to: dir.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["lint", "deploy.yaml", "--new-only", "--base", "HEAD", "--format", "json"], in: dir)
        XCTAssertEqual(result.status, 1, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rules = (json["findings"] as? [[String: Any]])?.compactMap { $0["rule"] as? String }
        XCTAssertEqual(rules, ["privileged-container"])
        let bad = try CLIHarness.run(["lint", "deploy.yaml", "--new-only", "--base", "no-such-ref"], in: dir)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("cannot read base ref \"no-such-ref\""), bad.stderr)
    }
}

/// `--new-only` reads the base through libgit2, and `--staged` reads the index (PreCommitTests runs
/// the hooks with the real pre-commit).
extension LintCommandTests {
    /// No `git` on PATH: the base is read through libgit2. A file absent at the base has no old findings.
    func testNewOnlyNeedsNoGitExecutableAndTreatsNewFilesAsNew() throws {
        let dir = try repository()
        let changed =
            try "# moved\n"
            + String(contentsOf: dir.appendingPathComponent("deploy/api.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "          securityContext:\n", with: "          securityContext:\n            privileged: true\n")
        try changed.write(to: dir.appendingPathComponent("deploy/api.yaml"), atomically: true, encoding: .utf8)
        try violating.write(to: dir.appendingPathComponent("deploy/new.yaml"), atomically: true, encoding: .utf8)
        let noGit = ["PATH": "/nonexistent", "HOME": dir.path]
        let deploy = dir.appendingPathComponent("deploy")
        let result = try CLIHarness.run(["lint", ".", "--new-only", "--base", "HEAD", "--format", "json"], in: deploy, environment: noGit)
        XCTAssertEqual(result.status, 1, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = (json["findings"] as? [[String: Any]]) ?? []
        XCTAssertEqual(
            findings.filter { $0["file"] as? String == "api.yaml" }.compactMap { $0["rule"] as? String }, ["privileged-container"])
        XCTAssertTrue(
            findings.contains { $0["file"] as? String == "new.yaml" && $0["rule"] as? String == "run-as-root" },
            "a new file's findings are all new")

        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("komply-nogit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try violating.write(to: outside.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let notRepo = try CLIHarness.run(["lint", "a.yaml", "--new-only", "--base", "HEAD"], in: outside)
        XCTAssertEqual(notRepo.status, 2, notRepo.stderr)
        XCTAssertTrue(notRepo.stderr.contains("cannot read base ref \"HEAD\": not inside a git repository"), notRepo.stderr)
        let staged = try CLIHarness.run(["lint", "--staged", "a.yaml"], in: outside)
        XCTAssertEqual(staged.status, 2, staged.stderr)
        XCTAssertTrue(staged.stderr.contains("--staged reads the git index, but"), staged.stderr)
        XCTAssertTrue(staged.stderr.contains("is not inside a git repository"), staged.stderr)
        let generate = try CLIHarness.run(["generate", "--check", "--staged"], in: outside)
        XCTAssertEqual(generate.status, 2, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("is not inside a git repository"), generate.stderr)
    }

    /// `--staged --new-only --base REF` compares the index with REF, both read with the whole tree as context.
    func testStagedNewOnlyComparesTheIndexWithTheBase() throws {
        let dir = try repository()
        let changed = try String(contentsOf: dir.appendingPathComponent("deploy/api.yaml"), encoding: .utf8)
            .replacingOccurrences(
                of: "        - name: sidecar\n", with: "        - name: sidecar\n          securityContext: {privileged: true}\n")
        try changed.write(to: dir.appendingPathComponent("deploy/api.yaml"), atomically: true, encoding: .utf8)
        try git(dir, "add", "deploy/api.yaml")
        try "# worktree only\n".write(to: dir.appendingPathComponent("deploy/api.yaml"), atomically: true, encoding: .utf8)
        let all = try CLIHarness.run(["lint", "--staged", "deploy/api.yaml", "--format", "json"], in: dir)
        XCTAssertEqual(all.status, 1, all.stderr)
        let new = try CLIHarness.run(["lint", "--staged", "--new-only", "--base", "HEAD", "deploy/api.yaml", "--format", "json"], in: dir)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(new.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["findings"] as? [[String: Any]])?.compactMap { $0["rule"] as? String }, ["privileged-container"])
        XCTAssertEqual(new.status, 1, new.stderr)
        let bad = try CLIHarness.run(["lint", "--staged", "--new-only", "--base", "no-such-ref"], in: dir)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("cannot read base ref \"no-such-ref\""), bad.stderr)
    }

    func testStagedUsageErrorsExitTwo() throws {
        let dir = try repository()
        for arguments in [
            ["lint", "--staged", "-"], ["lint", "--staged", "--fix"], ["generate", "--staged"], ["lint", "--staged", "/etc/hosts"],
        ] {
            let result = try CLIHarness.run(arguments, in: dir)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.isEmpty, "\(arguments)")
        }
        // A named file the index does not hold is skipped; so is one that cannot hold an object.
        try "{\n  // a comment\n  \"strict\": true\n}\n".write(
            to: dir.appendingPathComponent("tsconfig.json"), atomically: true, encoding: .utf8)
        try git(dir, "add", "tsconfig.json")
        let skipped = try CLIHarness.run(["lint", "--staged", "untracked.yaml", "tsconfig.json"], in: dir)
        XCTAssertEqual(skipped.status, 0, skipped.stdout + skipped.stderr)
        XCTAssertEqual(
            try CLIHarness.run(["lint", "tsconfig.json"], in: dir).status, 2, "outside --staged a malformed file is still an error")
    }
}

private extension LintCommandTests {
    /// A manifest with one finding (`run-as-root`), clean otherwise for the rules these tests check.
    var violating: String {
        (try? String(
            contentsOf: CLIHarness.repository.appendingPathComponent("fixtures/rules/run-as-root/violating.explicit-false.yaml"),
            encoding: .utf8)) ?? ""
    }

    /// A repository with `deploy/api.yaml` (a copy of fixtures/lint/shop/deployment.yaml) committed.
    func repository() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("deploy"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(
            at: CLIHarness.repository.appendingPathComponent("fixtures/lint/shop/deployment.yaml"),
            to: dir.appendingPathComponent("deploy/api.yaml"))
        try git(dir, "init", "--quiet")
        try git(dir, "add", "-A")
        try git(dir, "commit", "--quiet", "-m", "base")
        return dir
    }

    func git(_ dir: URL, _ args: String...) throws {
        let result = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"), ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"] + args, in: dir
        )
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
