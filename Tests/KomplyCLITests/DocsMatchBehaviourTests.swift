import Foundation
import XCTest

/// Issue 19, "docs match behaviour": what the docs state about External Secrets key paths, the
/// Ingress `tls` key, SECRETS.md's first line and a lone docker stats file is what the binary does.
final class DocsMatchBehaviourTests: XCTestCase {
    /// A scratch folder holding the web-db app as `app/` and `komply.yaml` with `config`.
    func workspace(config: String? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input"), to: folder.appendingPathComponent("app"))
        if let config {
            try ("apiVersion: komply.dev/v1\nkind: Config\n" + config).write(
                to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    func externalSecrets(prefix: String) -> String {
        "secrets:\n  provider: external-secrets\n  externalSecrets:\n    storeName: vault\n    keyPrefix: \"\(prefix)\"\n"
    }

    /// docs/configuration-generate.md: `<keyPrefix>/<app>/<Secret name>`, slashes at either end dropped.
    func testKeyPrefixIsOnePathSegmentWhateverItsSlashes() throws {
        var outputs: [String] = []
        for prefix in ["shop", "shop/", "/shop/"] {
            let folder = try workspace(config: externalSecrets(prefix: prefix))
            let result = try CLIHarness.run(["generate", "app", "--dry-run", "--no-predict"], in: folder)
            XCTAssertEqual(result.status, 0, "\(prefix): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("key: shop/webshop/api-secrets"), "\(prefix): \(result.stdout)")
            XCTAssertFalse(result.stdout.contains("shop//"), prefix)
            XCTAssertFalse(result.stdout.contains("key: /"), prefix)
            outputs.append(result.stdout)
        }
        XCTAssertEqual(Set(outputs).count, 1, "shop, shop/ and /shop/ generate the same files")
        let docs = try String(contentsOf: CLIHarness.repository.appendingPathComponent("docs/configuration-generate.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains("`<keyPrefix>/<app>/<Secret name>`"), "the docs state the layout the test checks")

        let slash = try workspace(config: externalSecrets(prefix: "/"))
        let refused = try CLIHarness.run(["generate", "app", "--dry-run", "--no-predict"], in: slash)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("komply.yaml:7:"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("expected a key path such as shop or team/shop"), refused.stderr)
    }

    /// docs/generate.md: `x-komply.ingress.tls` is a Secret's name; a boolean is refused at its line.
    func testIngressTLSIsASecretName() throws {
        let folder = try workspace()
        let compose =
            "services:\n  web:\n    image: nginx:1.27.3\n    ports: [\"8080:8080\"]\n    x-komply:\n      ingress:\n        host: shop.example.com\n"
        try (compose + "        tls: true\n").write(
            to: folder.appendingPathComponent("app/compose.yaml"), atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("app/compose.override.yaml"))
        let refused = try CLIHarness.run(["generate", "app", "--dry-run", "--no-predict"], in: folder)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("ingress.tls"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the name of the Secret holding the TLS certificate"), refused.stderr)

        try (compose + "        tls: shop-tls\n").write(
            to: folder.appendingPathComponent("app/compose.yaml"), atomically: true, encoding: .utf8)
        let accepted = try CLIHarness.run(["generate", "app", "--dry-run", "--no-predict"], in: folder)
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertTrue(accepted.stdout.contains("secretName: shop-tls"), accepted.stdout)
        let docs = try String(contentsOf: CLIHarness.repository.appendingPathComponent("docs/generate.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains("`tls` is a **string**, the name of the Secret holding the certificate"))
    }

    /// docs/generate.md names SECRETS.md's first line; komply owns the file by it.
    func testSecretsDocumentStartsAsTheDocsSay() throws {
        let folder = try workspace()
        let result = try CLIHarness.run(["generate", "app", "-o", "deploy", "--no-predict"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let secrets = try String(contentsOf: folder.appendingPathComponent("deploy/webshop/SECRETS.md"), encoding: .utf8)
        let first = String(secrets.prefix { $0 != "\n" })
        XCTAssertTrue(first.hasPrefix("<!-- Generated by komply ") && first.hasSuffix(" Do not edit: run `komply generate`. -->"), first)
        let docs = try String(contentsOf: CLIHarness.repository.appendingPathComponent("docs/generate.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains("`SECRETS.md` (Markdown) with\n`<!-- Generated by komply … Do not edit: run `komply generate`. -->`"))
        let manifest = try String(contentsOf: folder.appendingPathComponent("deploy/webshop/base/kustomization.yaml"), encoding: .utf8)
        XCTAssertTrue(manifest.hasPrefix("# Generated by komply "), manifest)
        XCTAssertTrue(docs.contains("Every manifest starts with `# Generated by komply … from <sources>`"))
    }

    /// README: a docker stats file is usage for the apps beside it; alone it is refused with what to name.
    func testALoneDockerStatsFileIsRefusedAndBesideItsAppAttached() throws {
        let stats = "fixtures/inspect/shop-stack.stats.jsonl"
        let alone = try CLIHarness.run(["sources", stats])
        XCTAssertEqual(alone.status, 2, alone.stderr)
        XCTAssertTrue(alone.stderr.contains("\(stats): docker stats usage, not an app"), alone.stderr)
        XCTAssertTrue(alone.stderr.contains("or pass it with --stats"), alone.stderr)
        XCTAssertEqual(alone.stdout, "")

        let beside = try CLIHarness.run(["sources", "fixtures/inspect/shop-stack.inspect.json", stats])
        XCTAssertEqual(beside.status, 0, beside.stderr)
        let withFlag = try CLIHarness.run(["sources", "fixtures/inspect/shop-stack.inspect.json", "--stats", stats])
        XCTAssertEqual(beside.stdout, withFlag.stdout, "a stats PATH is the same as --stats")
        XCTAssertTrue(beside.stdout.contains("\"observed\""), beside.stdout)
        let readme = try String(contentsOf: CLIHarness.repository.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("A `docker stats` JSON-lines file (`.jsonl`) is not an\n  app"))
    }
}
