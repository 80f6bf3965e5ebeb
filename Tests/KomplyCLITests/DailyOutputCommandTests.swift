import Foundation
import XCTest

/// Issue 19 ("Daily use") through the binary: what CI builds and pushes (`komply images`, imagePullSecrets),
/// output a person reads (notes only with --verbose, --quiet, colour on a terminal, a --check diff `git apply`
/// takes, one YAML stream for kubectl, renamed services) and output a machine reads (`--format json` for
/// generate, sync, rules show and bench).
final class DailyOutputCommandTests: XCTestCase {
    /// A scratch git repository (no commit yet) holding the web-db app as `app/` and `komply_yaml` when given.
    func repository(_ komplyYAML: String? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let source = CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input")
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("app"))
        try SyncGit.run(folder.path, "init", "-q", "-b", "main")
        if let komplyYAML { try write(komplyYAML, "komply.yaml", in: folder) }
        return folder.resolvingSymlinksInPath()
    }

    func write(_ text: String, _ path: String, in folder: URL) throws {
        let file = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    static let monorepoConfig = """
        apiVersion: komply.dev/v1
        kind: Config
        sources: ["app"]
        output: deploy
        registry: registry.example.com/billing
        imagePullSecrets: [regcred]
        environments:
          - name: staging
            replicas: 1
          - name: production
            imageTag: 3.2.0
        """

    // MARK: images

    func testImagesListsTheTagTheGeneratedDeploymentUses() throws {
        let folder = try repository(Self.monorepoConfig)
        let listed = try CLIHarness.run(["images", "--format", "json"], in: folder)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let report = try json(listed.stdout)
        XCTAssertEqual(report["version"] as? Int, 1)
        XCTAssertEqual(report["registry"] as? String, "registry.example.com/billing")
        let images = try XCTUnwrap(report["images"] as? [[String: Any]])
        XCTAssertEqual(images.count, 1, "only api has build: and no image:")
        let api = images[0]
        XCTAssertEqual(api["app"] as? String, "webshop")
        XCTAssertEqual(api["service"] as? String, "api")
        XCTAssertEqual(api["context"] as? String, "app/api")
        XCTAssertEqual(api["dockerfile"] as? String, "app/api/Dockerfile")
        XCTAssertEqual(api["file"] as? String, "app/compose.yaml")
        let image = try XCTUnwrap(api["image"] as? String)
        XCTAssertTrue(image.hasPrefix("registry.example.com/billing/webshop/api:src-"), image)
        let environments = try XCTUnwrap(api["environments"] as? [String: String])
        XCTAssertEqual(environments["staging"], image)
        XCTAssertEqual(environments["production"], "registry.example.com/billing/webshop/api:3.2.0")
        XCTAssertEqual((report["warnings"] as? [Any])?.count, 0)

        // The tag is the one the generated Deployment runs, and every pod spec names the pull secret.
        let generate = try CLIHarness.run(["generate"], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let deployment = try String(contentsOf: folder.appendingPathComponent("deploy/webshop/base/api.yaml"), encoding: .utf8)
        XCTAssertTrue(deployment.contains("image: \(image)\n"), deployment)
        XCTAssertTrue(deployment.contains("imagePullSecrets:\n        - name: regcred\n"), deployment)
        let db = try String(contentsOf: folder.appendingPathComponent("deploy/webshop/base/db.yaml"), encoding: .utf8)
        XCTAssertTrue(db.contains("- name: regcred"), db)

        // A changed build context changes the tag in both places.
        try write("// changed\n", "app/api/changed.js", in: folder)
        let after = try json(try CLIHarness.run(["images", "--format", "json"], in: folder).stdout)
        let changed = try XCTUnwrap((after["images"] as? [[String: Any]])?.first?["image"] as? String)
        XCTAssertNotEqual(changed, image)
        let text = try CLIHarness.run(["images"], in: folder)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("webshop/api  app/api  app/api/Dockerfile  \(changed)\n"), text.stdout)
        XCTAssertTrue(text.stdout.contains("  in production: registry.example.com/billing/webshop/api:3.2.0\n"), text.stdout)
    }

    func testImagesWarnsWithoutARegistryAndBadPullSecretsAreRefused() throws {
        let folder = try repository("apiVersion: komply.dev/v1\nkind: Config\nsources: [app]\n")
        let listed = try CLIHarness.run(["images"], in: folder)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stderr.contains("app/compose.yaml:13:12: warning: webshop/api: no registry is configured"), listed.stderr)
        XCTAssertTrue(listed.stderr.contains("Docker Hub (docker.io/webshop/api)"), listed.stderr)
        let generate = try CLIHarness.run(["generate"], in: folder)
        XCTAssertTrue(generate.stderr.contains("warning: service api has only build: and komply.yaml sets no registry"), generate.stderr)

        try write("apiVersion: komply.dev/v1\nkind: Config\nimagePullSecrets: [\"Reg_Cred\"]\n", "komply.yaml", in: folder)
        let bad = try CLIHarness.run(["images", "app"], in: folder)
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("komply.yaml:3:20:"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("imagePullSecrets.0"), bad.stderr)
    }

    // MARK: output a person reads

    func testNotesOnlyWithVerboseAndQuietPrintsOnlyErrors() throws {
        let folder = try repository()
        let plain = try CLIHarness.run(["generate", "app", "--registry", "ghcr.io/acme"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(plain.stderr.contains(": note: "), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("komply: wrote "), plain.stderr)
        let verbose = try CLIHarness.run(["generate", "app", "--registry", "ghcr.io/acme", "--verbose"], in: folder)
        XCTAssertTrue(verbose.stderr.contains("app/compose.yaml:13:12: note: service api has only build:"), verbose.stderr)
        XCTAssertFalse(verbose.stderr.contains("\u{1B}["), "no colour when standard error is not a terminal")
        let quiet = try CLIHarness.run(["generate", "app", "-q"], in: folder)
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")
        let both = try CLIHarness.run(["generate", "app", "-q", "-v"], in: folder)
        XCTAssertEqual(both.status, 2, both.stderr)
    }

    func testWarningsAreColouredOnATerminalUnlessNoColor() throws {
        let folder = try repository()
        let binary = CLIHarness.komplyBinary.path
        // script(1) gives komply a terminal for standard error.
        let command = "\(binary) generate app --dry-run >/dev/null"
        let coloured = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], in: folder,
            environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm"])
        XCTAssertEqual(coloured.status, 0, coloured.stdout)
        XCTAssertTrue(coloured.stdout.contains("\u{1B}[33mwarning:\u{1B}[0m"), coloured.stdout)
        let plain = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], in: folder,
            environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm", "NO_COLOR": "1"])
        XCTAssertTrue(plain.stdout.contains("warning: service api has only build:"), plain.stdout)
        XCTAssertFalse(plain.stdout.contains("\u{1B}["), plain.stdout)
    }

    func testCheckPrintsADiffGitApplyTakesAtTheRepositoryRoot() throws {
        let folder = try repository(Self.monorepoConfig)
        XCTAssertEqual(try CLIHarness.run(["generate"], in: folder).status, 0)
        try SyncGit.run(folder.path, "add", "-A")
        try SyncGit.run(folder.path, "commit", "-q", "-m", "generated")
        // Drift of every kind: a changed value, a new file (a new service), a file no longer generated.
        let compose = folder.appendingPathComponent("app/compose.yaml")
        var text = try String(contentsOf: compose, encoding: .utf8)
        text = text.replacingOccurrences(of: "LOG_LEVEL: info", with: "LOG_LEVEL: debug")
        text = text.replacingOccurrences(
            of: "services:\n", with: "services:\n  worker:\n    image: busybox:1.36\n    command: [sleep, \"3600\"]\n")
        try text.write(to: compose, atomically: true, encoding: .utf8)
        let owned = "# Generated by komply 0.1.0 from app/compose.yaml.\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n"
        try write(owned, "deploy/webshop/base/old.yaml", in: folder)

        let check = try CLIHarness.run(["generate", "--check"], in: folder)
        XCTAssertEqual(check.status, 1, check.stderr)
        XCTAssertTrue(check.stdout.contains("--- a/deploy/webshop/base/api.yaml\n+++ b/deploy/webshop/base/api.yaml\n"), check.stdout)
        XCTAssertTrue(check.stdout.contains("+++ b/deploy/webshop/base/worker.yaml\n"), check.stdout)
        XCTAssertTrue(check.stdout.contains("--- a/deploy/webshop/base/old.yaml\n+++ /dev/null\n"), check.stdout)
        let patch = folder.appendingPathComponent("drift.patch")
        try check.stdout.write(to: patch, atomically: true, encoding: .utf8)
        try SyncGit.run(folder.path, "apply", "--check", patch.path)
        try SyncGit.run(folder.path, "apply", patch.path)
        try FileManager.default.removeItem(at: patch)
        let after = try CLIHarness.run(["generate", "--check"], in: folder)
        XCTAssertEqual(after.status, 0, after.stdout + after.stderr)
        // The output does not depend on the folder komply runs from: from app/ nothing differs either.
        let fromSubfolder = try CLIHarness.run(["generate", "--check"], in: folder.appendingPathComponent("app"))
        XCTAssertEqual(fromSubfolder.status, 0, fromSubfolder.stdout + fromSubfolder.stderr)
    }

    func testDryRunYAMLIsOneStreamOfKubernetesObjects() throws {
        let folder = try repository()
        let result = try CLIHarness.run(["generate", "app", "--dry-run", "--format", "yaml"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("==="), "no file banners in the stream")
        XCTAssertFalse(result.stdout.contains("kind: Kustomization"), result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("---\n# Source: deploy/webshop/base/api.yaml\n"), result.stdout)
        let stream = folder.appendingPathComponent("stream.yaml")
        try result.stdout.write(to: stream, atomically: true, encoding: .utf8)
        // Every document parses and is an object kubectl can apply: apiVersion, kind and metadata.name.
        let script = """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
            bad = [d for d in docs if not (d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"))]
            print(len(docs), len(bad), sorted({d["kind"] for d in docs}))
            sys.exit(1 if bad or not docs else 0)
            """
        let python = CLIHarness.repository.appendingPathComponent(".venv/bin/python3")
        let parsed = try CLIHarness.run(executable: python, ["-c", script, stream.path], in: folder)
        XCTAssertEqual(parsed.status, 0, parsed.stdout + parsed.stderr)
        XCTAssertTrue(parsed.stdout.contains("'Deployment'") && parsed.stdout.contains("'StatefulSet'"), parsed.stdout)
        XCTAssertGreaterThanOrEqual(Int(parsed.stdout.prefix { $0.isNumber }) ?? 0, 10, parsed.stdout)
        let validate = CLIHarness.repository.appendingPathComponent(".venv/bin/kubernetes-validate")
        let schema = try CLIHarness.run(executable: validate, ["--strict", stream.path], in: folder)
        XCTAssertEqual(schema.status, 0, schema.stdout + schema.stderr)

        XCTAssertEqual(try CLIHarness.run(["generate", "app", "--format", "yaml"], in: folder).status, 2)
    }

    func testDryRunYAMLOfOneEnvironmentIsWhatItsOverlayRenders() throws {
        let folder = try repository(Self.monorepoConfig)
        let result = try CLIHarness.run(["generate", "--dry-run", "--format", "yaml", "--env", "production"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("---\n# Source: deploy/webshop/overlays/production/kustomization.yaml\n"), result.stdout)
        let stream = folder.appendingPathComponent("production.yaml")
        try result.stdout.write(to: stream, atomically: true, encoding: .utf8)
        // Every object is in the environment's namespace (the Namespace itself included), with its image tag.
        let script = """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
            kinds = [d["kind"] for d in docs]
            assert kinds.count("Namespace") == 1 and docs[kinds.index("Namespace")]["metadata"]["name"] == "webshop-production", kinds
            assert all(d["metadata"].get("namespace") == "webshop-production" for d in docs if d["kind"] != "Namespace")
            api = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "api")
            images = [c["image"] for c in api["spec"]["template"]["spec"]["containers"]]
            assert images == ["registry.example.com/billing/webshop/api:3.2.0"], images
            print(len(docs))
            """
        let python = CLIHarness.repository.appendingPathComponent(".venv/bin/python3")
        let checked = try CLIHarness.run(executable: python, ["-c", script, stream.path], in: folder)
        XCTAssertEqual(checked.status, 0, checked.stdout + checked.stderr)
        let validate = CLIHarness.repository.appendingPathComponent(".venv/bin/kubernetes-validate")
        let schema = try CLIHarness.run(executable: validate, ["--strict", stream.path], in: folder)
        XCTAssertEqual(schema.status, 0, schema.stdout + schema.stderr)
        let two = try CLIHarness.run(["generate", "--dry-run", "--format", "yaml", "--env", "staging", "--env", "production"], in: folder)
        XCTAssertEqual(two.status, 2, two.stderr)
    }

    func testARenamedServiceIsReportedWithTheReferencesStillUsingItsComposeName() throws {
        let folder = try repository()
        try write(
            """
            services:
              web_frontend:
                image: nginx:1.27
                expose: ["80"]
              api:
                image: ghcr.io/acme/api:1.0
                environment:
                  FRONTEND_URL: http://web_frontend:80/
              poller:
                image: busybox:1.36
                command: ["sh", "-c", "while true; do wget -qO- http://web_frontend:80/; sleep 60; done"]
              a_service_whose_compose_name_is_longer_than_fifty_characters:
                image: busybox:1.36
                command: [sleep, "3600"]
            """, "renamed/compose.yaml", in: folder)
        let result = try CLIHarness.run(["generate", "renamed", "--dry-run"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stderr.contains(
                "renamed/compose.yaml:2:3: warning: service web_frontend is named web-frontend in Kubernetes (its compose name is not a DNS label), but api environment FRONTEND_URL, poller command still reach(es) it as \"web_frontend\""
            ), result.stderr)
        XCTAssertTrue(result.stdout.contains("=== deploy/renamed/base/web-frontend.yaml"), result.stdout)
        // A cut name is a note (no one reaches it by name), shown with --verbose.
        XCTAssertFalse(result.stderr.contains("is named a-service-whose"), result.stderr)
        let verbose = try CLIHarness.run(["generate", "renamed", "--dry-run", "--verbose"], in: folder)
        XCTAssertTrue(
            verbose.stderr.contains(
                "renamed/compose.yaml:12:3: note: service a_service_whose_compose_name_is_longer_than_fifty_characters is named a-service-whose-compose-name-is-longer-than-fifty in Kubernetes (its compose name is longer than 50 characters)"
            ), verbose.stderr)
    }

    // MARK: output a machine reads

    func testGenerateJSONListsFilesWrittenAndRemovedAndWarningsPerApp() throws {
        let folder = try repository()
        let first = try CLIHarness.run(["generate", "app", "--format", "json"], in: folder)
        XCTAssertEqual(first.status, 0, first.stderr)
        let report = try json(first.stdout)
        XCTAssertEqual(report["version"] as? Int, 1)
        XCTAssertEqual(report["mode"] as? String, "write")
        XCTAssertEqual(report["output"] as? String, "deploy")
        let apps = try XCTUnwrap(report["apps"] as? [[String: Any]])
        XCTAssertEqual(apps.map { $0["app"] as? String }, ["webshop"])
        let written = try XCTUnwrap(apps[0]["written"] as? [String])
        XCTAssertTrue(written.contains("deploy/webshop/base/api.yaml"), "\(written)")
        XCTAssertEqual(written, written.sorted())
        let warnings = try XCTUnwrap(apps[0]["warnings"] as? [[String: Any]])
        let registry = try XCTUnwrap(warnings.first { ($0["message"] as? String)?.contains("sets no registry") == true })
        XCTAssertEqual(registry["severity"] as? String, "warning")
        XCTAssertEqual(registry["file"] as? String, "app/compose.yaml")
        XCTAssertEqual(registry["line"] as? Int, 13)
        XCTAssertEqual(registry["column"] as? Int, 12)
        XCTAssertEqual((report["failures"] as? [Any])?.count, 0)
        XCTAssertTrue(first.stderr.isEmpty == false, "a person still gets the summary on standard error")
        XCTAssertFalse(first.stderr.contains("warning:"), "warnings go into the report, not twice")

        // A rerun writes nothing; a file no longer generated is listed as removed, in --check too.
        try write("# Generated by komply 0.1.0 from app.\nkind: ConfigMap\n", "deploy/webshop/base/old.yaml", in: folder)
        let check = try CLIHarness.run(["generate", "app", "--check", "--format", "json"], in: folder)
        XCTAssertEqual(check.status, 1, check.stderr)
        let drift = try XCTUnwrap((try json(check.stdout))["apps"] as? [[String: Any]])
        XCTAssertEqual(drift[0]["written"] as? [String], [])
        XCTAssertEqual(drift[0]["removed"] as? [String], ["deploy/webshop/base/old.yaml"])
        let rerun = try json(try CLIHarness.run(["generate", "app", "--format", "json"], in: folder).stdout)
        let again = try XCTUnwrap(rerun["apps"] as? [[String: Any]])
        XCTAssertEqual(again[0]["written"] as? [String], [])
        XCTAssertEqual(again[0]["removed"] as? [String], ["deploy/webshop/base/old.yaml"])
    }

    func testSyncJSONNamesBranchesAndCommits() throws {
        let folder = try repository()
        try SyncGit.run(folder.path, "add", "-A")
        try SyncGit.run(folder.path, "commit", "-q", "-m", "the app")
        let environment = SyncGit.environment()
        let first = try CLIHarness.run(["sync", "app", "--no-predict", "--format", "json"], in: folder, environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        let report = try json(first.stdout)
        XCTAssertEqual(report["version"] as? Int, 1)
        let branches = try XCTUnwrap(report["branches"] as? [[String: Any]])
        XCTAssertEqual(branches.count, 1)
        XCTAssertEqual(branches[0]["branch"] as? String, "komply/webshop")
        XCTAssertEqual(branches[0]["apps"] as? [String], ["webshop"])
        XCTAssertEqual(branches[0]["commit"] as? String, try SyncGit.run(folder.path, "rev-parse", "komply/webshop"))
        XCTAssertEqual(branches[0]["pushed"] as? Bool, false)
        XCTAssertTrue(branches[0]["pullRequest"] is NSNull)
        XCTAssertNotNil(report["warnings"] as? [[String: Any]])
        let rerun = try json(
            try CLIHarness.run(["sync", "app", "--no-predict", "--format", "json"], in: folder, environment: environment).stdout)
        XCTAssertTrue((rerun["branches"] as? [[String: Any]])?.first?["commit"] is NSNull, "a rerun makes no commit")
    }

    func testRulesShowAndBenchPrintVersionedJSON() throws {
        let show = try CLIHarness.run(["rules", "show", "run-as-root", "--format", "json"])
        XCTAssertEqual(show.status, 0, show.stderr)
        let report = try json(show.stdout)
        XCTAssertEqual(report["version"] as? Int, 1)
        let rule = try XCTUnwrap(report["rule"] as? [String: Any])
        XCTAssertEqual(rule["id"] as? String, "run-as-root")
        // The same fields as the rule's entry in `rules list --format json`.
        let list = try CLIHarness.run(["rules", "list", "--format", "json"])
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let listed = try XCTUnwrap(entries.first { $0["id"] as? String == "run-as-root" })
        XCTAssertEqual(Set(listed.keys), Set(rule.keys))

        let bench = try CLIHarness.run(["bench", "generate", "fixtures/generate/web-db/input", "--repeat", "1", "--format", "json"])
        XCTAssertEqual(bench.status, 0, bench.stderr)
        let figures = try json(bench.stdout)
        XCTAssertEqual(figures["version"] as? Int, 1)
        XCTAssertEqual(figures["repeat"] as? Int, 1)
        let apps = try XCTUnwrap(figures["apps"] as? [[String: Any]])
        XCTAssertEqual(apps.first?["path"] as? String, "fixtures/generate/web-db/input")
        XCTAssertGreaterThan(apps.first?["files"] as? Int ?? 0, 5)
        XCTAssertGreaterThan((apps.first?["fastestMs"] as? Double) ?? 0, 0)
        let total = try XCTUnwrap(figures["total"] as? [String: Any])
        XCTAssertEqual(total["runs"] as? Int, 1)
    }
}
