import Foundation
import KomplyCore
import XCTest

/// komply's pre-commit hooks with the real `pre-commit` (from `.venv`, installed by scripts/setup)
/// against throwaway repositories: a compose app with its generated output committed, a hand-written
/// Deployment, and the NetworkPolicies that cover it in another file. Also `komply lint --staged`
/// and `komply generate --check --staged` run directly, since pre-commit stashes unstaged changes and
/// would hide whether komply reads the index or the worktree.
final class PreCommitTests: XCTestCase {
    /// `.pre-commit-hooks.yaml` publishes both hooks with `language: swift`, and the documented
    /// `repo: local` variant (the block the other tests install) runs the same commands the same way.
    func testHooksManifestAndTheDocumentedLocalVariantAgree() throws {
        let manifest = try YAMLLoader.load(path: CLIHarness.repository.path + "/.pre-commit-hooks.yaml")
        let published = try XCTUnwrap(manifest.first?.sequence, "a list of hooks")
        let local = try XCTUnwrap(try YAMLLoader.parse(Self.localHooksConfig(), file: "docs/pre-commit.md").first)
        let localHooks = try XCTUnwrap(local["repos"]?.sequence?.first?["hooks"]?.sequence)
        XCTAssertEqual(local["repos"]?.sequence?.first?["repo"]?.scalar, "local")
        XCTAssertEqual(published.compactMap { $0["id"]?.scalar }, ["komply-lint", "komply-generate-check"])
        XCTAssertEqual(localHooks.compactMap { $0["id"]?.scalar }, ["komply-lint", "komply-generate-check"])
        for (hook, documented) in zip(published, localHooks) {
            let id = hook["id"]?.scalar ?? "?"
            XCTAssertEqual(hook["language"]?.scalar, "swift", id)
            XCTAssertEqual(documented["language"]?.scalar, "system", id)
            XCTAssertTrue(hook["entry"]?.scalar?.contains("--staged") == true, id)
            for key in ["entry", "pass_filenames", "always_run", "require_serial"] {
                XCTAssertEqual(hook[key]?.scalar, documented[key]?.scalar, "\(id).\(key)")
            }
            XCTAssertEqual(hook["types_or"]?.valueTree(), documented["types_or"]?.valueTree(), id)
            XCTAssertFalse((hook["description"]?.scalar ?? "").isEmpty, id)
        }
        XCTAssertEqual(published.first?["types_or"]?.valueTree(), .array([.string("yaml"), .string("json")]))
        XCTAssertEqual(published.last?["pass_filenames"]?.scalar, "false")
        XCTAssertEqual(published.last?["always_run"]?.scalar, "true")
        let tool = try preCommit()
        let valid = try CLIHarness.run(
            executable: tool, ["validate-manifest", CLIHarness.repository.path + "/.pre-commit-hooks.yaml"], in: CLIHarness.repository)
        XCTAssertEqual(valid.status, 0, valid.stdout + valid.stderr)
    }

    /// A clean change passes; so does every file of the repository, including YAML and JSON files
    /// that are not Kubernetes objects (compose, komply.yaml, the pre-commit config, JSON with comments).
    func testCleanStagedChangesPass() throws {
        let sample = try Sample.make(test: self)
        try sample.write("manual/api.yaml", sample.read("manual/api.yaml").replacingOccurrences(of: "replicas: 2", with: "replicas: 3"))
        try sample.write("web/tsconfig.json", "{\n  // comments are fine in tsconfig\n  \"compilerOptions\": {}\n}\n")
        try sample.write("compose.dev.yml", "services:\n  web:\n    image: nginx:1.27\n")
        try sample.git("add", "-A")
        let run = try sample.preCommit("run")
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("komply lint"), run.stdout)
        XCTAssertFalse(run.stdout.contains("Failed"), run.stdout)
        let all = try sample.preCommit("run", "--all-files")
        XCTAssertEqual(all.status, 0, all.stdout + all.stderr)
    }

    /// A staged manifest running as root fails the hook, naming the rule, the file and the position.
    func testStagedViolationFailsNamingRuleFileAndLine() throws {
        let sample = try Sample.make(test: self)
        let (text, line) = try sample.runAsRootManifest()
        try sample.write("manual/api.yaml", text)
        try sample.git("add", "manual/api.yaml")
        let run = try sample.preCommit("run")
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("komply lint"), run.stdout)
        XCTAssertTrue(run.stdout.contains("manual/api.yaml"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\(line):13  error    container \"api\" in Deployment \"shop/api\" runs as user 0"), run.stdout)
        XCTAssertTrue(run.stdout.contains("[run-as-root]"), run.stdout)
    }

    /// The staged copy is what counts, in both directions: with pre-commit (which stashes the
    /// worktree's unstaged changes) and with `komply lint --staged` run directly (which must read the
    /// index itself).
    func testOnlyTheStagedContentCounts() throws {
        let sample = try Sample.make(test: self)
        let clean = try sample.read("manual/api.yaml")
        let (violating, _) = try sample.runAsRootManifest()

        // Staged violates, worktree fixed.
        try sample.write("manual/api.yaml", violating)
        try sample.git("add", "manual/api.yaml")
        try sample.write("manual/api.yaml", clean)
        let direct = try sample.komply("lint", "--staged", "manual/api.yaml")
        XCTAssertEqual(direct.status, 1, direct.stdout + direct.stderr)
        XCTAssertTrue(direct.stdout.contains("[run-as-root]"), direct.stdout)
        XCTAssertEqual(try sample.komply("lint", "manual/api.yaml", "--rule", "run-as-root").status, 0, "the worktree copy is clean")
        let everything = try sample.komply("lint", "--staged")
        XCTAssertEqual(everything.status, 1, "without PATH every staged manifest is reported")
        XCTAssertTrue(everything.stdout.contains("manual/api.yaml"), everything.stdout)
        let hooked = try sample.preCommit("run", "komply-lint")
        XCTAssertEqual(hooked.status, 1, hooked.stdout + hooked.stderr)
        XCTAssertEqual(try sample.read("manual/api.yaml"), clean, "pre-commit restores the unstaged fix")

        // Staged clean, worktree violates.
        try sample.git("reset", "-q", "manual/api.yaml")
        try sample.write("manual/api.yaml", violating)
        let directClean = try sample.komply("lint", "--staged", "manual/api.yaml")
        XCTAssertEqual(directClean.status, 0, directClean.stdout + directClean.stderr)
        XCTAssertEqual(try sample.komply("lint", "manual/api.yaml", "--rule", "run-as-root").status, 1, "the worktree copy violates")
        try sample.write("manual/note.yaml", "# staged so that the hook has a file to run on\n")
        try sample.git("add", "manual/note.yaml")
        let hookedClean = try sample.preCommit("run", "komply-lint")
        XCTAssertEqual(hookedClean.status, 0, hookedClean.stdout + hookedClean.stderr)
        XCTAssertEqual(try sample.read("manual/api.yaml"), violating, "pre-commit restores the unstaged change")
    }

    /// Installed as a git hook, `git commit -a` is checked against git's temporary index
    /// (GIT_INDEX_FILE), not the stale `.git/index`.
    func testGitCommitAllChecksWhatGitIsCommitting() throws {
        let sample = try Sample.make(test: self)
        let install = try sample.preCommit("install")
        XCTAssertEqual(install.status, 0, install.stdout + install.stderr)
        let head = try sample.git("rev-parse", "HEAD")
        let (violating, _) = try sample.runAsRootManifest()
        try sample.write("manual/api.yaml", violating)
        let refused = try sample.gitResult("commit", "-q", "-a", "-m", "run as root")
        XCTAssertNotEqual(refused.status, 0, refused.stdout + refused.stderr)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("[run-as-root]"), refused.stdout + refused.stderr)
        XCTAssertEqual(try sample.git("rev-parse", "HEAD"), head, "no commit was made")
        let only = try sample.gitResult("commit", "-q", "-m", "run as root", "manual/api.yaml")
        XCTAssertNotEqual(only.status, 0, "`git commit PATH` uses another temporary index")

        try sample.write(
            "manual/api.yaml",
            violating.replacingOccurrences(of: "            runAsUser: 0\n", with: "").replacingOccurrences(
                of: "replicas: 2", with: "replicas: 3"))
        let accepted = try sample.gitResult("commit", "-q", "-a", "-m", "clean")
        XCTAssertEqual(accepted.status, 0, accepted.stdout + accepted.stderr)
        XCTAssertNotEqual(try sample.git("rev-parse", "HEAD"), head)
    }

    /// A compose change staged without regenerating fails komply-generate-check with the diff; after
    /// `komply generate` and `git add` it passes. Regenerating without staging still fails.
    func testGenerateCheckReportsDriftOfTheStagedOutput() throws {
        let sample = try Sample.make(test: self)
        try sample.write(
            "app/compose.yaml", try sample.read("app/compose.yaml").replacingOccurrences(of: "nginx:1.27-alpine", with: "nginx:1.28-alpine")
        )
        try sample.git("add", "app/compose.yaml")
        let drift = try sample.preCommit("run", "komply-generate-check")
        XCTAssertEqual(drift.status, 1, drift.stdout + drift.stderr)
        XCTAssertTrue(drift.stdout.contains("+          image: nginx:1.28-alpine"), drift.stdout)
        XCTAssertTrue(drift.stdout.contains("-          image: nginx:1.27-alpine"), drift.stdout)
        XCTAssertTrue(drift.stdout.contains("differ from what komply generates"), drift.stdout)

        let generate = try sample.komply("generate")
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let unstaged = try sample.komply("generate", "--check", "--staged")
        XCTAssertEqual(unstaged.status, 1, "the regenerated output is not staged yet: " + unstaged.stderr)
        XCTAssertEqual(try sample.komply("generate", "--check").status, 0, "the worktree is up to date")

        try sample.git("add", "-A")
        let clean = try sample.preCommit("run", "komply-generate-check")
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertEqual(try sample.komply("generate", "--check", "--staged").status, 0)
    }

    /// The staged Deployment is covered by NetworkPolicies in a committed file that is not staged:
    /// the index is the context, so no missing-policy findings, while linting the file alone has them.
    /// Deleting the policies only in the worktree changes nothing; staging the deletion does.
    func testCrossObjectRulesSeeTheWholeIndex() throws {
        let sample = try Sample.make(test: self)
        try sample.write("manual/api.yaml", try sample.read("manual/api.yaml").replacingOccurrences(of: "replicas: 2", with: "replicas: 3"))
        try sample.git("add", "manual/api.yaml")
        let networkRules = ["pod-not-selected-by-network-policy", "missing-default-deny-network-policy"]

        let alone = try sample.findings("lint", "manual/api.yaml")
        XCTAssertEqual(Set(alone.map { $0.rule }), Set(networkRules), "without context the Deployment looks uncovered")
        XCTAssertEqual(try sample.findings("lint", "--staged", "manual/api.yaml").map { $0.rule }, [])
        let hooked = try sample.preCommit("run", "komply-lint")
        XCTAssertEqual(hooked.status, 0, hooked.stdout + hooked.stderr)

        try FileManager.default.removeItem(atPath: sample.repo + "/network/policies.yaml")
        XCTAssertEqual(try sample.findings("lint", "--staged", "manual/api.yaml").map { $0.rule }, [], "the index still holds the policies")
        try sample.git("rm", "-q", "--cached", "network/policies.yaml")
        let uncovered = try sample.findings("lint", "--staged", "manual/api.yaml")
        XCTAssertEqual(Set(uncovered.map { $0.rule }), Set(networkRules))
        XCTAssertEqual(Set(uncovered.map { $0.file }), ["manual/api.yaml"])
    }

    /// Opt-in (KOMPLY_TEST_PRECOMMIT_SWIFT=1): pre-commit's `swift` language builds komply in release
    /// from a clone of this package (`pre-commit try-repo`) and runs komply-lint with it on a staged
    /// violation. Takes as long as a release build of the package (about 21 minutes on 2 busy cores).
    func testLanguageSwiftBuildsAndRunsTheHook() throws {
        guard ProcessInfo.processInfo.environment["KOMPLY_TEST_PRECOMMIT_SWIFT"] == "1" else {
            throw XCTSkip("set KOMPLY_TEST_PRECOMMIT_SWIFT=1 to build komply with pre-commit's swift language (a release build)")
        }
        var sample = try Sample.make(test: self)
        // SwiftPM resolves the dependencies from its cache under the real HOME (this may run offline).
        sample.overrides["HOME"] = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        let clone = try Sample.packageClone(test: self)
        let (violating, _) = try sample.runAsRootManifest()
        try sample.write("manual/api.yaml", violating)
        try sample.git("add", "manual/api.yaml")
        let started = Date()
        let run = try sample.preCommit("try-repo", clone, "komply-lint", "--verbose")
        print("pre-commit try-repo (language: swift, release build included) took \(Int(Date().timeIntervalSince(started)))s")
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("[run-as-root]"), run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("manual/api.yaml"), run.stdout)
        // A second try-repo would build again (each uses a fresh store); the clean path is covered above.
    }
}

extension PreCommitTests {
    /// `.venv/bin/pre-commit`; skipped when missing outside CI, a failure in CI (`CI` set).
    func preCommit() throws -> URL { try CLIHarness.venvTool("pre-commit") }

    /// The `repo: local` block of docs/pre-commit.md (the YAML block after `<!-- komply:local-hooks -->`).
    static func localHooksConfig() throws -> String {
        let doc = try String(contentsOf: CLIHarness.repository.appendingPathComponent("docs/pre-commit.md"), encoding: .utf8)
        guard let marker = doc.range(of: "<!-- komply:local-hooks -->"),
            let open = doc.range(of: "```yaml\n", range: marker.upperBound..<doc.endIndex),
            let close = doc.range(of: "```", range: open.upperBound..<doc.endIndex)
        else {
            throw NSError(
                domain: "PreCommitTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "docs/pre-commit.md has no local-hooks block"])
        }
        return String(doc[open.upperBound..<close.lowerBound])
    }

    /// A throwaway repository with the hooks installed as docs/pre-commit.md shows.
    struct Sample {
        let repo: String
        let home: String
        let tool: URL
        /// Variables set over the isolated environment.
        var overrides: [String: String] = [:]

        static func make(test: PreCommitTests) throws -> Sample {
            let tool = try test.preCommit()
            let folder = try temporary(test: test, "komply-precommit")
            let sample = Sample(repo: folder + "/repo", home: folder + "/home", tool: tool)
            try FileManager.default.createDirectory(atPath: sample.home, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: sample.repo, withIntermediateDirectories: true)
            try sample.git("init", "-q", "-b", "main")
            try FileManager.default.copyItem(
                atPath: CLIHarness.repository.path + "/fixtures/generate/web-db/input", toPath: sample.repo + "/app")
            try sample.write("komply.yaml", "apiVersion: komply.dev/v1\nkind: Config\nsources:\n  - app\noutput: deploy\n")
            let documents = try String(contentsOfFile: CLIHarness.repository.path + "/fixtures/lint/clean/app.yaml", encoding: .utf8)
                .components(separatedBy: "---\n")
            let policies = documents.filter { $0.contains("kind: NetworkPolicy") }
            try sample.write("manual/api.yaml", documents.filter { !$0.contains("kind: NetworkPolicy") }.joined(separator: "---\n"))
            try sample.write("network/policies.yaml", policies.joined(separator: "---\n"))
            try sample.write(".pre-commit-config.yaml", try PreCommitTests.localHooksConfig())
            let generate = try sample.komply("generate")
            guard generate.status == 0 else { throw sample.failure("komply generate", generate) }
            try sample.git("add", "-A")
            try sample.git("commit", "-q", "-m", "app, generated output, hand-written manifests")
            return sample
        }

        /// A git repository holding this package's current sources (committed), for `try-repo`.
        static func packageClone(test: PreCommitTests) throws -> String {
            let clone = try temporary(test: test, "komply-package") + "/komply"
            let root = CLIHarness.repository.path
            try FileManager.default.createDirectory(atPath: clone, withIntermediateDirectories: true)
            for item in ["Package.swift", "Package.resolved", "Sources", "rules", "templates", ".pre-commit-hooks.yaml"]
            where FileManager.default.fileExists(atPath: root + "/" + item) {
                try FileManager.default.copyItem(atPath: root + "/" + item, toPath: clone + "/" + item)
            }
            for target in try FileManager.default.contentsOfDirectory(atPath: root + "/Tests") {
                // Package.swift names the test targets; their folders must exist, their code is not built.
                try FileManager.default.createDirectory(atPath: clone + "/Tests/" + target, withIntermediateDirectories: true)
                try "".write(toFile: clone + "/Tests/\(target)/Placeholder.swift", atomically: true, encoding: .utf8)
            }
            _ = try SyncGit.run(clone, "init", "-q", "-b", "main")
            _ = try SyncGit.run(clone, "add", "-A")
            _ = try SyncGit.run(clone, "commit", "-q", "-m", "komply")
            return clone
        }

        var environment: [String: String] {
            var environment = SyncGit.environment(home: home)
            environment["PATH"] = CLIHarness.komplyBinary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["PRE_COMMIT_HOME"] = home + "/pre-commit"
            environment["PRE_COMMIT_COLOR"] = "never"
            environment["NO_COLOR"] = "1"
            for key in ["GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "SKIP"] { environment[key] = nil }
            return environment.merging(overrides) { $1 }
        }

        func read(_ path: String) throws -> String {
            try String(contentsOfFile: repo + "/" + path, encoding: .utf8)
        }

        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: repo + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        /// manual/api.yaml with its container running as user 0, and the 1-based line of `runAsUser: 0`.
        func runAsRootManifest() throws -> (text: String, line: Int) {
            let text = try read("manual/api.yaml").replacingOccurrences(
                of: "          securityContext:\n            allowPrivilegeEscalation: false",
                with: "          securityContext:\n            runAsUser: 0\n            allowPrivilegeEscalation: false")
            let line = try XCTUnwrap(text.components(separatedBy: "\n").firstIndex { $0.contains("runAsUser: 0") }) + 1
            return (text, line)
        }

        @discardableResult
        func git(_ arguments: String...) throws -> String {
            let result = try gitResult(arguments)
            guard result.status == 0 else { throw failure("git \(arguments.joined(separator: " "))", result) }
            return result.stdout.trimmingCharacters(in: .newlines)
        }

        func gitResult(_ arguments: String...) throws -> CLIHarness.Result {
            try gitResult(arguments)
        }

        func gitResult(_ arguments: [String]) throws -> CLIHarness.Result {
            try CLIHarness.run(
                executable: URL(fileURLWithPath: "/usr/bin/git"), arguments, in: URL(fileURLWithPath: repo), environment: environment)
        }

        func preCommit(_ arguments: String...) throws -> CLIHarness.Result {
            try CLIHarness.run(
                executable: tool, arguments + ["--color", "never"], in: URL(fileURLWithPath: repo), environment: environment)
        }

        func komply(_ arguments: String...) throws -> CLIHarness.Result {
            try CLIHarness.run(arguments, in: URL(fileURLWithPath: repo), environment: environment)
        }

        /// The (rule, file) of each finding `komply ARGUMENTS --format json` reports.
        func findings(_ arguments: String...) throws -> [(rule: String, file: String)] {
            let result = try CLIHarness.run(arguments + ["--format", "json"], in: URL(fileURLWithPath: repo), environment: environment)
            guard result.status <= 1 else { throw failure("komply \(arguments.joined(separator: " "))", result) }
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (json?["findings"] as? [[String: Any]] ?? []).map { ($0["rule"] as? String ?? "", $0["file"] as? String ?? "") }
        }

        func failure(_ what: String, _ result: CLIHarness.Result) -> NSError {
            NSError(
                domain: "PreCommitTests", code: Int(result.status),
                userInfo: [NSLocalizedDescriptionKey: "\(what): \(result.stdout)\(result.stderr)"])
        }

        static func temporary(test: XCTestCase, _ prefix: String) throws -> String {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            test.addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
            return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        }
    }
}
