import Foundation
import KomplyCore
import XCTest

@testable import KomplyGenerate

final class ConfigTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let fixtures = repository + "/fixtures/config"

    func testFullConfig() throws {
        let config = try GenerateConfigLoader.load(path: Self.fixtures + "/valid/full.yaml")
        XCTAssertEqual(config.sources, ["apps/*/compose.yaml", "snapshots/**/*.json"])
        XCTAssertEqual(config.output, "k8s")
        XCTAssertEqual(config.registry, "ghcr.io/acme")
        XCTAssertEqual(
            config.secrets.provider, .externalSecrets(storeKind: "ClusterSecretStore", storeName: "vault-backend", keyPrefix: "shop"),
            "keyPrefix shop/ is the path segment shop (remote keys shop/<app>/<secret>, never shop//…)")
        XCTAssertEqual(
            config.environments,
            [
                EnvironmentConfig(name: "staging", replicas: 1, resourceScale: 0.5, cluster: "https://staging.k8s.example.com"),
                EnvironmentConfig(
                    name: "production", namespace: "{app}-prod", replicas: 3, resourceScale: 2,
                    imageRegistry: "registry.example.com:5000/mirror", imageTag: "1.4.2"),
            ])
        XCTAssertEqual(
            config.argocd,
            ArgoCDConfig(
                repoURL: "git@github.com:acme/platform.git", targetRevision: "main", project: "shop",
                destinationServer: "https://prod.k8s.example.com", applicationSet: true,
                syncPolicy: .init(automated: true, prune: false, selfHeal: true)))
        XCTAssertEqual(config.defaults, DefaultsConfig(namespace: "team-{app}", uid: 20000, storageSize: "5Gi", storageClass: "fast-ssd"))
        XCTAssertEqual(config.location?.file, Self.fixtures + "/valid/full.yaml")
        XCTAssertEqual(config.directory, Self.fixtures + "/valid")
        XCTAssertEqual(config.locations["environments.1.replicas"]?.range?.start.description, "22:15")
        XCTAssertEqual(config.locations["sources.1"]?.range?.start.line, 6)
        XCTAssertNil(config.locations["policy"], "other sections are not the generator's")
    }

    func testMinimalConfigTakesEveryDefault() throws {
        let config = try GenerateConfigLoader.load(path: Self.fixtures + "/valid/minimal.yaml")
        var expected = GenerateConfig()
        expected.location = config.location
        expected.locations = config.locations
        XCTAssertEqual(config, expected)
        XCTAssertEqual(config.sources, ["."])
        XCTAssertEqual(config.output, "deploy")
        XCTAssertNil(config.registry)
        XCTAssertEqual(config.secrets.provider, .placeholder)
        XCTAssertEqual(config.effectiveEnvironments, [EnvironmentConfig(name: "default")])
        XCTAssertNil(config.argocd)
        XCTAssertEqual(config.defaults, DefaultsConfig(namespace: "{app}", uid: 10001, storageSize: "1Gi", storageClass: nil))
        XCTAssertEqual(
            ArgoCDConfig(),
            ArgoCDConfig(
                repoURL: nil, targetRevision: "HEAD", project: "default", destinationServer: "https://kubernetes.default.svc",
                applicationSet: false, syncPolicy: .init(automated: true, prune: true, selfHeal: true)))
    }

    func testSealedSecretsAndManualSync() throws {
        let config = try GenerateConfigLoader.load(path: Self.fixtures + "/valid/sealed-secrets.yaml")
        XCTAssertEqual(config.secrets.provider, .sealedSecrets)
        XCTAssertEqual(config.environments.map(\.name), ["dev", "prod"])
        XCTAssertEqual(config.argocd?.syncPolicy.automated, false)
    }

    func testAutomatedTrueMeansArgoDefaults() throws {
        let config = try GenerateConfigLoader.parse(header + "argocd:\n  syncPolicy:\n    automated: true\n")
        XCTAssertEqual(config.argocd?.syncPolicy, .init(automated: true, prune: false, selfHeal: false))
    }

    func testExternalSecretsDefaultsAndInference() throws {
        let config = try GenerateConfigLoader.parse(header + "secrets:\n  externalSecrets:\n    storeName: vault\n")
        XCTAssertEqual(config.secrets.provider, .externalSecrets(storeKind: "SecretStore", storeName: "vault", keyPrefix: nil))
    }

    /// Every `# expect: <text>` marker names a problem reported on its line, and every problem is marked.
    func testInvalidFixturesReportEveryMarkedProblem() throws {
        let folder = Self.fixtures + "/invalid"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        for file in files {
            let path = folder + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var expected: [(line: Int, text: String)] = []
            for (index, line) in text.components(separatedBy: "\n").enumerated() {
                if let marker = line.range(of: "# expect: ") { expected.append((index + 1, String(line[marker.upperBound...]))) }
            }
            XCTAssertFalse(expected.isEmpty, "\(file) has no # expect: marker")
            XCTAssertThrowsError(try GenerateConfigLoader.load(path: path), file) { error in
                guard case .invalidConfig(let problems) = error as? GenerateError else { return XCTFail("\(file): \(error)") }
                for marker in expected {
                    XCTAssertTrue(
                        problems.contains { $0.location.range?.start.line == marker.line && $0.message.contains(marker.text) },
                        "\(file):\(marker.line): no problem containing \"\(marker.text)\"; got:\n\(problems.map(\.description).joined(separator: "\n"))"
                    )
                }
                for problem in problems {
                    XCTAssertTrue(
                        expected.contains { $0.line == problem.location.range?.start.line },
                        "\(file): unexpected problem \(problem)")
                    XCTAssertEqual(problem.location.file, path)
                }
                XCTAssertEqual(problems.map { $0.location.range!.start }, problems.map { $0.location.range!.start }.sorted(), "file order")
            }
        }
    }

    func testPositionsOfProblems() throws {
        let unknown = try problems(Self.fixtures + "/invalid/unknown-key.yaml")
        XCTAssertEqual(
            unknown.first?.description,
            Self.fixtures
                + "/invalid/unknown-key.yaml:3:1: additional property \"regsitry\" is not allowed at the top level; did you mean \"registry\"?"
        )
        XCTAssertEqual(unknown.last?.location.range?.start.description, "6:5")

        let types = try problems(Self.fixtures + "/invalid/wrong-types.yaml")
        XCTAssertEqual(types.first { $0.path == "environments.0.replicas" }?.location.range?.start.description, "7:15")
        XCTAssertEqual(types.first { $0.path == "output" }?.location.range?.start.description, "4:9")

        let scale = try problems(Self.fixtures + "/invalid/resource-scale.yaml")
        XCTAssertEqual(scale.first?.location.range?.start.description, "5:20")
        XCTAssertEqual(scale.first?.path, "environments.0.resourceScale")

        let duplicate = try problems(Self.fixtures + "/invalid/duplicate-environment.yaml")
        XCTAssertEqual(duplicate.count, 1)
        XCTAssertEqual(duplicate.first?.location.range?.start.description, "6:11", "the second staging")
        XCTAssertEqual(duplicate.first?.path, "environments.2.name")
    }

    func testErrorTextNamesFileLineAndColumn() throws {
        XCTAssertThrowsError(try GenerateConfigLoader.parse(header + "environments:\n  - name: a\n    resourceScale: 0\n")) { error in
            XCTAssertEqual(
                error.localizedDescription,
                "komply.yaml:5:20: environments.0.resourceScale must be greater than 0, found an integer (0)")
            XCTAssertEqual((error as? GenerateError)?.location?.description, "komply.yaml:5:20")
        }
    }

    func testUnreadableAndMalformedFiles() throws {
        XCTAssertThrowsError(try GenerateConfigLoader.load(path: Self.fixtures + "/missing.yaml")) { error in
            XCTAssertEqual(error as? GenerateError, .configNotFound(path: Self.fixtures + "/missing.yaml"))
        }
        XCTAssertThrowsError(try GenerateConfigLoader.parse("")) { error in
            XCTAssertTrue(error.localizedDescription.hasPrefix("komply.yaml:1:1: the file is empty"), error.localizedDescription)
        }
        XCTAssertThrowsError(try GenerateConfigLoader.parse(header + "---\n" + header)) { error in
            XCTAssertEqual(error.localizedDescription, "komply.yaml:4:1: the file holds 2 YAML documents; expected one")
        }
        XCTAssertThrowsError(try GenerateConfigLoader.parse(header + "output: [unclosed\n")) { error in
            guard case .configUnreadable(.syntax(let location, _))? = error as? GenerateError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.file, "komply.yaml")
        }
        XCTAssertThrowsError(try GenerateConfigLoader.parse("- a list\n")) { error in
            XCTAssertTrue(error.localizedDescription.contains("the document must be a mapping"), error.localizedDescription)
        }
        XCTAssertThrowsError(try GenerateConfigLoader.parse(header + "output: .\n")) { error in
            XCTAssertTrue(error.localizedDescription.contains("output must name a folder below"), error.localizedDescription)
        }
    }

    func testDiscoverLooksUpToTheRepositoryRootAndNoHigher() throws {
        let root = try temporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/repo/.git", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/repo/apps/shop", withIntermediateDirectories: true)
        XCTAssertNil(try GenerateConfigLoader.discover(from: root + "/repo/apps/shop"))
        // A komply.yaml above the repository root belongs to something else.
        try Data((header + "output: outer\n").utf8).write(to: URL(fileURLWithPath: root + "/komply.yaml"))
        XCTAssertNil(try GenerateConfigLoader.discover(from: root + "/repo/apps/shop"))
        try Data((header + "output: inner\n").utf8).write(to: URL(fileURLWithPath: root + "/repo/komply.yaml"))
        let found = try XCTUnwrap(try GenerateConfigLoader.discover(from: root + "/repo/apps/shop"))
        XCTAssertEqual(found.output, "inner")
        XCTAssertEqual(found.directory, (root + "/repo").replacingOccurrences(of: fm.currentDirectoryPath + "/", with: ""))
        XCTAssertEqual(try GenerateConfigLoader.discover(from: root + "/repo")?.output, "inner")
        // Without a .git folder there is no repository root to stop at: only the folder itself is
        // looked at, never the folders above it up to / (issue 14, item 1).
        try fm.removeItem(atPath: root + "/repo/komply.yaml")
        try fm.removeItem(atPath: root + "/repo/.git")
        XCTAssertNil(try GenerateConfigLoader.discover(from: root + "/repo/apps/shop"))
        XCTAssertEqual(try GenerateConfigLoader.discover(from: root)?.output, "outer")
        // A broken file is an error, not "no config".
        try Data("apiVersion: komply.dev/v1\nkind: Config\nouput: x\n".utf8).write(to: URL(fileURLWithPath: root + "/repo/komply.yaml"))
        XCTAssertThrowsError(try GenerateConfigLoader.discover(from: root + "/repo"))
    }

    func testNamespaceTemplates() throws {
        var config = GenerateConfig()
        XCTAssertEqual(config.namespace(for: EnvironmentConfig(name: "default"), app: "shop"), "shop")
        XCTAssertEqual(config.namespace(for: EnvironmentConfig(name: "staging"), app: "shop"), "shop-staging")
        XCTAssertEqual(config.namespace(for: EnvironmentConfig(name: "prod", namespace: "{app}"), app: "shop"), "shop")
        config.defaults.namespace = "{env}-{app}"
        XCTAssertEqual(config.namespace(for: EnvironmentConfig(name: "staging"), app: "shop"), "staging-shop")
        config.defaults.namespace = "team-{app}"
        XCTAssertEqual(config.namespace(for: EnvironmentConfig(name: "staging"), app: "shop"), "team-shop-staging")
        XCTAssertEqual(config.namespace(for: EnvironmentConfig(name: "default"), app: "shop"), "team-shop")
    }

    /// The reference page documents every key the schema knows.
    func testReferenceDocumentsEveryKey() throws {
        let page = try String(contentsOfFile: Self.repository + "/docs/configuration-generate.md", encoding: .utf8)
        let schema = try XCTUnwrap(try YAMLLoader.parse(KomplyConfigSchema.text, file: "embedded").first)
        var keys = Set<String>()
        func collect(_ node: Node) {
            for pair in node.mapping ?? [] {
                if pair.key.scalar == "properties" { for property in pair.value.mapping ?? [] { keys.insert(property.key.scalar ?? "") } }
                collect(pair.value)
            }
            for item in node.sequence ?? [] { collect(item) }
        }
        collect(schema)
        XCTAssertGreaterThan(keys.count, 30)
        for key in keys.sorted() {
            XCTAssertTrue(
                page.contains("`\(key)`") || page.contains(".\(key)`"), "docs/configuration-generate.md does not mention `\(key)`")
        }
        // The example on the page is a valid configuration.
        let example = try XCTUnwrap(page.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        XCTAssertNoThrow(try GenerateConfigLoader.parse(example, file: "docs example"))
    }
}

private extension ConfigTests {
    var header: String { "apiVersion: komply.dev/v1\nkind: Config\n" }

    func problems(_ path: String) throws -> [ConfigProblem] {
        do {
            _ = try GenerateConfigLoader.load(path: path)
        } catch {
            if case .invalidConfig(let problems) = error { return problems }
            XCTFail("\(error)")
        }
        XCTFail("\(path) loaded without problems")
        return []
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("komply-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
