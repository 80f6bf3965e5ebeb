import Foundation
import KomplyCore
import XCTest

/// Plants distinctive secret values through every channel komply reads (env names, value shapes,
/// `${VAR}` in command, entrypoint and healthcheck, `.env`, `env_file`, mounted config files,
/// `docker inspect` Env and Cmd/Args) and greps every output file, stdout and stderr for each.
final class SecretLeakCommandTests: XCTestCase {
    /// Each value is secret by a different channel; none may appear in any output.
    static let planted = [
        "PLANTED-dotenv-dbpass-7781", "PLANTEDdotenvToken0042", "PLANTED-envfile-session-1234", "PLANTED-configfile-pw-9090",
        "ghp_PLANTEDabcdefghijklmnopqrstuvwxyz012345", "PLANTED-literal-pw-4242", "sk_live_PLANTED1234567890abcdef",
        "AKIAPLANTED000000042", "PLANTED-url-pw-3131", "PLANTED-keyfile-9876", "PLANTED-folder-pw-5555",
    ]

    func testNoPlantedSecretReachesGeneratedFilesSourcesOrMessages() throws {
        let app = try Self.plantedApp()
        let generate = try CLIHarness.run(["generate", ".", "-o", "out"], in: app)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let sources = try CLIHarness.run(["sources", "."], in: app)
        XCTAssertEqual(sources.status, 0, sources.stderr)
        let files = try Self.texts(under: app.appendingPathComponent("out"))
        XCTAssertFalse(files.isEmpty)
        var outputs = files
        outputs["generate stdout"] = generate.stdout
        outputs["generate stderr"] = generate.stderr
        outputs["sources stdout"] = sources.stdout
        outputs["sources stderr"] = sources.stderr
        for format in ["text", "json", "sarif", "junit", "github", "markdown"] {
            let lint = try CLIHarness.run(["lint", "out", "--format", format], in: app)
            XCTAssertNotEqual(lint.status, 2, lint.stderr)
            outputs["lint \(format)"] = lint.stdout + lint.stderr
        }
        Self.assertNoPlantedValue(in: outputs)

        let api = try XCTUnwrap(files.first { $0.key.hasSuffix("base/api.yaml") }?.value)
        // Interpolated secrets are references the container resolves, not values.
        XCTAssertTrue(api.contains("- $(DB_PASS)"), api)
        XCTAssertTrue(api.contains("- $(API_TOKEN)"), api)
        XCTAssertTrue(api.contains("--token=$(COMMAND_SECRET_1)"), api)
        XCTAssertTrue(api.contains(#"pg_isready -p ''"${DB_PASS}"''"#), api)
        XCTAssertTrue(api.contains("secretKeyRef"), api)
        // The secret config file is mounted from a Secret; the ordinary one-line package.json stays a ConfigMap.
        XCTAssertTrue(api.contains("secretName: api-secret-files"), api)
        XCTAssertTrue(api.contains("left-pad"), "package.json is not a secret:\n\(api)")
        let secrets = try XCTUnwrap(files.first { $0.key.hasSuffix("SECRETS.md") }?.value)
        // A folder mount keeps its ordinary file in the ConfigMap and mounts the secret one from the Secret.
        XCTAssertTrue(api.contains("search: true"), api)
        XCTAssertTrue(api.contains("mountPath: /etc/settings/db.env"), api)
        for key in [
            "DB_PASS", "API_TOKEN", "COMMAND_SECRET_1", "SESSION_SECRET", "DERIVED", "FROM_VAR", "app.properties", "id-rsa", "appconf",
            "settings-db.env",
        ] {
            XCTAssertTrue(secrets.contains("`\(key)`"), "SECRETS.md lacks \(key):\n\(secrets)")
        }
        XCTAssertTrue(sources.stdout.contains("<secret: DB_PASS>"), sources.stdout)
    }

    func testInspectSnapshotEnvAndCmdCarryNoValue() throws {
        let folder = try Self.temporaryFolder()
        let data = try Data(contentsOf: CLIHarness.repository.appendingPathComponent("fixtures/inspect/payment-api.inspect.json"))
        var containers = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var config = try XCTUnwrap(containers[0]["Config"] as? [String: Any])
        let secret = "PLANTED-inspect-pw-5150"
        config["Env"] = ((config["Env"] as? [String]) ?? []) + ["DB_PASSWORD=\(secret)"]
        config["Cmd"] = ["--db-password", secret, "--url=postgres://app:\(secret)@payments-db/app"]
        containers[0]["Config"] = config
        containers[0]["Args"] = ["--db-password", secret]
        try JSONSerialization.data(withJSONObject: containers, options: [.sortedKeys]).write(
            to: folder.appendingPathComponent("api.inspect.json"))
        let generate = try CLIHarness.run(["generate", "api.inspect.json", "-o", "out"], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let sources = try CLIHarness.run(["sources", "api.inspect.json"], in: folder)
        var outputs = try Self.texts(under: folder.appendingPathComponent("out"))
        outputs["stdout"] = generate.stdout + sources.stdout
        outputs["stderr"] = generate.stderr + sources.stderr
        for (name, text) in outputs {
            XCTAssertFalse(text.contains(secret), "\(name) holds the snapshot's planted secret")
            XCTAssertFalse(text.contains("dev-password"), "\(name) holds the snapshot's SPRING_DATASOURCE_PASSWORD")
        }
        let workload = try XCTUnwrap(outputs.first { $0.key.hasSuffix("base/payment-api.yaml") }?.value)
        XCTAssertTrue(workload.contains("- $(DB_PASSWORD)"), workload)
        XCTAssertTrue(workload.contains("--url=postgres://app:$(DB_PASSWORD)@payments-db/app"), workload)
    }

    func testSecretInterpolatedWhereKubernetesCannotReferenceItIsRefused() throws {
        let folder = try Self.temporaryFolder()
        try "DB_PASS=PLANTED-label-pw-1111\n".write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try """
        services:
          api:
            image: example/api:1
            labels:
              team: "x-${DB_PASS}"
        """.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        for arguments in [["generate", ".", "-o", "out"], ["sources", "."]] {
            let result = try CLIHarness.run(arguments, in: folder)
            XCTAssertEqual(result.status, 2, result.stderr)
            XCTAssertTrue(result.stderr.contains("compose.yaml:5:"), result.stderr)
            XCTAssertTrue(result.stderr.contains("services.api.labels.team interpolates the secret variable DB_PASS"), result.stderr)
            XCTAssertFalse((result.stdout + result.stderr).contains("PLANTED-label-pw-1111"), "the refusal printed the value")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing is written")
    }

    func testMarkerCharactersInInputAreRefused() throws {
        let folder = try Self.temporaryFolder()
        let noncharacter = String(Character(SecretTaint.open))
        try "services:\n  api:\n    image: example/api:1\n    command: [\"a\(noncharacter)B\"]\n".write(
            to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["sources", "."], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("compose.yaml:4:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("U+FDD0"), result.stderr)
    }
}

private extension SecretLeakCommandTests {
    /// An app that carries each planted value through its own channel.
    static func plantedApp() throws -> URL {
        let app = try temporaryFolder()
        func write(_ text: String, _ path: String) throws {
            let url = app.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("DB_PASS=\(planted[0])\nAPI_TOKEN=\(planted[1])\nEXTRA=prefix-${DB_PASS}\n", ".env")
        try write("SESSION_SECRET=\(planted[2])\nDERIVED=x-${DB_PASS}\n", "app.env")
        try write("db.url=jdbc:postgresql://db/app\npassword=\(planted[3])\n", "config/app.properties")
        try write(#"{"name":"web","version":"1.0.0","dependencies":{"left-pad":"^1.3.0","react":"^18.2.0"}}"#, "config/package.json")
        try write("-----BEGIN OPENSSH PRIVATE KEY-----\n\(planted[9])\n-----END OPENSSH PRIVATE KEY-----\n", "keys/id-rsa")
        try write("export DB_PASSWORD=\(planted[10])\n", "settings/db.env")
        try write("features:\n  search: true\n", "settings/features.yaml")
        try write(
            """
            services:
              api:
                image: example/api:1.2
                command: ["psql", "-p", "${DB_PASS}", "--token=\(planted[4])"]
                entrypoint: /bin/run --secret ${API_TOKEN}
                env_file: app.env
                environment:
                  DB_PASSWORD: \(planted[5])
                  PAYMENTS: \(planted[6])
                  UPLOAD_CONFIG: \(planted[7])
                  DATABASE_URL: postgres://app:\(planted[8])@db:5432/app
                  FROM_VAR: ${EXTRA}
                  LOG_LEVEL: info
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -p '${DB_PASS}'"]
                volumes:
                  - ./config/app.properties:/etc/app/app.properties:ro
                  - ./config/package.json:/srv/package.json:ro
                  - ./keys/id-rsa:/etc/ssh/id-rsa:ro
                  - ./settings:/etc/settings:ro
                configs:
                  - source: appconf
                    target: /etc/app/conf.ini
                ports: ["8080:8080"]
                depends_on: [db]
              db:
                image: postgres:16
                environment:
                  POSTGRES_PASSWORD: ${DB_PASS}
                healthcheck:
                  test: ["CMD", "pg_isready", "--password=${DB_PASS}"]
            configs:
              appconf:
                content: "[db]\npassword=${DB_PASS}\n"
            """, "compose.yaml")
        return app
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Every file under `folder` as text, by path.
    static func texts(under folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder.path)?.allObjects ?? [] {
            let url = folder.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result[path] = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        }
        return result
    }

    static func assertNoPlantedValue(in outputs: [String: String], file: StaticString = #filePath, line: UInt = #line) {
        for (name, text) in outputs.sorted(by: { $0.key < $1.key }) {
            // The message names the planted value by its index: a failing run must not print it either.
            for (index, value) in planted.enumerated() where text.contains(value) {
                XCTFail("\(name) holds planted secret #\(index)", file: file, line: line)
            }
        }
    }
}
