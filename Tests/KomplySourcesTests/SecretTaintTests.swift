import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// Taint through the compose reader: which variables are secret, where their markers may land, and
/// that no error message quotes a secret value.
final class SecretTaintTests: XCTestCase {
    func testTaintFollowsDotEnvEnvFileAndEnvironment() throws {
        let folder = try Self.app(
            compose: """
                services:
                  api:
                    image: example/api:1
                    env_file: app.env
                    command: ["psql", "-p", "${DB_PASS}", "--token", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"]
                    environment:
                      FROM_EXTRA: ${EXTRA}
                      FROM_HOST: ${HOST_TOKEN}
                      PLAIN: ${LEVEL}
                    labels: {traefik.http.middlewares.auth.basicauth.users: "admin:$$apr1$$Hx9hash", team: payments}
                    build: {context: ., args: {GITHUB_TOKEN: Hx9-four, NODE_ENV: production}}
                """,
            files: [
                ".env": "DB_PASS=Hx9-one\nEXTRA=prefix-${DB_PASS}\nLEVEL=info\n",
                "app.env": "LOCAL_SECRET=Hx9-two\nDERIVED=x-${LOCAL_SECRET}\nFROM_VAR=${DB_PASS}\n",
            ])
        let project = try ComposeLoader.load(
            ComposeRequest(files: [folder + "/compose.yaml"], environment: ["HOST_TOKEN": "Hx9-three", "PWD": "/home/me"]))
        let api = try XCTUnwrap(project[service: "api"])
        XCTAssertEqual(api.environment["FROM_EXTRA"], .some(SecretTaint.marker("EXTRA")))
        XCTAssertEqual(api.environment["FROM_HOST"], .some(SecretTaint.marker("HOST_TOKEN")))
        XCTAssertEqual(api.environment["PLAIN"], .some("info"))
        XCTAssertEqual(api.environment["DERIVED"], .some("x-" + SecretTaint.marker("LOCAL_SECRET")))
        XCTAssertEqual(api.environment["FROM_VAR"], .some(SecretTaint.marker("DB_PASS")))
        XCTAssertEqual(api.environment["LOCAL_SECRET"], .some("Hx9-two"), "a literal stays: the generator judges it by name")
        XCTAssertEqual(api.command, ["psql", "-p", SecretTaint.marker("DB_PASS"), "--token", SecretTaint.marker("COMMAND_SECRET_1")])
        XCTAssertEqual(project.secretVariables["EXTRA"]?.kind, .taint)
        XCTAssertEqual(project.secretVariables["DB_PASS"]?.kind, .name)
        XCTAssertEqual(project.secretVariables["COMMAND_SECRET_1"]?.kind, .shape)
        XCTAssertNil(project.secretVariables["LEVEL"])
        let printed = JSONEmitter.emit(project.canonical())
        XCTAssertTrue(printed.contains("\"team\": \"payments\""), printed)
        XCTAssertTrue(printed.contains("\"NODE_ENV\": \"production\""), printed)
        for value in ["Hx9-one", "Hx9-two", "Hx9-three", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "Hx9hash", "Hx9-four"] {
            XCTAssertFalse(printed.contains(value), "the canonical model prints a secret value")
        }
    }

    func testSecretWhereKubernetesCannotTakeItIsRefusedWithItsPosition() throws {
        let placements = [
            ("image: \"example/api:${DB_PASS}\"", "services.api.image"),
            ("labels: {team: \"${DB_PASS}\"}", "services.api.labels.team"),
            ("ports: [\"${DB_PASS}:80\"]", "services.api.ports[0]"),
            ("user: \"${DB_PASS}\"", "services.api.user"),
            ("x-komply: {ingress: {host: \"${DB_PASS}\"}}", "services.api.x-komply.ingress.host"),
            ("volumes: [\"./${DB_PASS}:/data\"]", "services.api.volumes[0]"),
        ]
        for (line, key) in placements {
            let folder = try Self.app(
                compose: "services:\n  api:\n    image: example/api:1\n    \(line)\n".replacingOccurrences(
                    of: "    image: example/api:1\n    image:", with: "    image:"),
                files: [".env": "DB_PASS=Hx9-secret-value\n"])
            XCTAssertThrowsError(try ComposeLoader.load(ComposeRequest(files: [folder + "/compose.yaml"], environment: [:])), line) {
                error in
                guard case .secretOutOfPlace(let location, let shownKey, let variable, _)? = error as? SourcesError else {
                    return XCTFail("\(line): \(error)")
                }
                XCTAssertEqual(shownKey, key)
                XCTAssertEqual(variable, "DB_PASS")
                XCTAssertEqual(location.range?.start.line, line.hasPrefix("image") ? 3 : 4, line)
                XCTAssertFalse(error.localizedDescription.contains("Hx9-secret-value"))
            }
        }
        // Where komply writes nothing, or writes a reference, a secret may go.
        let accepted = try Self.app(
            compose: """
                x-common: {token: "${DB_PASS}"}
                services:
                  api:
                    image: example/api:1
                    build: {context: ., args: {NPM_TOKEN: "${DB_PASS}"}}
                    entrypoint: ["run", "${DB_PASS}"]
                    healthcheck: {test: ["CMD-SHELL", "check ${DB_PASS}"]}
                    x-notes: "${DB_PASS}"
                configs:
                  app: {content: "password=${DB_PASS}"}
                """, files: [".env": "DB_PASS=Hx9-secret-value\n"])
        let project = try ComposeLoader.load(ComposeRequest(files: [accepted + "/compose.yaml"], environment: [:]))
        XCTAssertFalse(JSONEmitter.emit(project.canonical()).contains("Hx9-secret-value"))
        XCTAssertEqual(project[service: "api"]?.entrypoint, ["run", SecretTaint.marker("DB_PASS")])
    }

    func testMarkerCharactersAndMessagesNeverCarryValues() throws {
        let open = String(Character(SecretTaint.open))
        // A process variable holding a marker character could forge a reference: using it is refused.
        let poisoned = try Self.app(compose: "services:\n  api:\n    image: \"example/${TAG}\"\n", files: [:])
        XCTAssertThrowsError(
            try ComposeLoader.load(ComposeRequest(files: [poisoned + "/compose.yaml"], environment: ["TAG": "a\(open)X"]))
        ) { error in
            guard case .markerCharacter(let location, "TAG")? = error as? SourcesError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.range?.start.line, 3)
        }
        let dotEnv = try Self.app(compose: "services:\n  api:\n    image: example/api:1\n", files: [".env": "A=x\(open)y\n"])
        XCTAssertThrowsError(try ComposeLoader.load(ComposeRequest(files: [dotEnv + "/compose.yaml"], environment: [:]))) { error in
            XCTAssertTrue(error.localizedDescription.contains(".env:1:"), error.localizedDescription)
        }
        // compose-go quotes the whole value in interpolation errors; a secret one is named instead.
        let broken = try Self.app(
            compose: "services:\n  api:\n    image: example/api:1\n    environment:\n      DB_PASSWORD: \"Hx9-leak${\"\n", files: [:])
        XCTAssertThrowsError(try ComposeLoader.load(ComposeRequest(files: [broken + "/compose.yaml"], environment: [:]))) { error in
            XCTAssertFalse(error.localizedDescription.contains("Hx9-leak"), error.localizedDescription)
            XCTAssertTrue(error.localizedDescription.contains("compose.yaml:5:"), error.localizedDescription)
        }
        let unterminated = try Self.app(
            compose: "services:\n  api:\n    image: example/api:1\n", files: [".env": "DB_PASSWORD=\"Hx9-leak\n"])
        XCTAssertThrowsError(try ComposeLoader.load(ComposeRequest(files: [unterminated + "/compose.yaml"], environment: [:]))) {
            error in
            XCTAssertFalse(error.localizedDescription.contains("Hx9-leak"), error.localizedDescription)
            XCTAssertTrue(error.localizedDescription.contains("DB_PASSWORD"), error.localizedDescription)
        }
    }

    func testTheDefaultOfASecretVariableIsSecret() throws {
        let folder = try Self.app(
            compose: """
                services:
                  api:
                    image: example/api:1
                    command: ["redis-server", "--port", "${PORT:-6379}", "-p${REDIS_PASSWORD:-Hx9-default}"]
                """, files: [:])
        let project = try ComposeLoader.load(ComposeRequest(files: [folder + "/compose.yaml"], environment: [:]))
        XCTAssertEqual(project[service: "api"]?.command, ["redis-server", "--port", "6379", "-p" + SecretTaint.marker("REDIS_PASSWORD")])
        XCTAssertEqual(project.secretVariables["REDIS_PASSWORD"]?.kind, .name)
    }

    func testSnapshotValuesAreReplacedOnlyAsWholeWords() throws {
        var project = ComposeProject(name: "x")
        var service = ComposeService(name: "api")
        service.environment = ["DB_PASSWORD": "ab12cd", "LOG_LEVEL": "info"]
        service.command = ["--pw=ab12cd", "xab12cdx", "postgres://u:ab12cd@db/x", "info"]
        service.healthcheck = Healthcheck(test: ["CMD-SHELL", "check --password ab12cd && echo ok"])
        project.services = [service]
        SecretScrubber.scrub(&project)
        var shell = ComposeService(name: "db")
        shell.healthcheck = Healthcheck(test: [
            "CMD-SHELL",
            #"mysqladmin ping --password="$(cat /run/secrets/db-password)" && check --password 'Hx9-quoted' --token="$TOKEN" -u x"#,
        ])
        shell.command = ["--password", "$(DB_PASSWORD)", "--requirepass=Hx9-literal", "--url=postgres://u:Hx9@db/x"]
        var scripted = ComposeProject(name: "y")
        scripted.services = [shell]
        SecretScrubber.scrub(&scripted)
        // Shell expansions are not literals: the script must run as written.
        XCTAssertEqual(
            scripted.services[0].healthcheck?.test?[1],
            #"mysqladmin ping --password="$(cat /run/secrets/db-password)" && check --password '"#
                + SecretTaint.marker("HEALTHCHECK_SECRET_1") + #"' --token="$TOKEN" -u x"#)
        XCTAssertEqual(
            scripted.services[0].command,
            [
                "--password", "$(DB_PASSWORD)", "--requirepass=" + SecretTaint.marker("COMMAND_SECRET_1"),
                "--url=" + SecretTaint.marker("COMMAND_SECRET_2"),
            ])
        let marker = SecretTaint.marker("DB_PASSWORD")
        XCTAssertEqual(project.services[0].command, ["--pw=\(marker)", "xab12cdx", "postgres://u:\(marker)@db/x", "info"])
        XCTAssertEqual(project.services[0].healthcheck?.test, ["CMD-SHELL", "check --password \(marker) && echo ok"])
    }
}

private extension SecretTaintTests {
    /// A temporary app folder holding `compose.yaml` and `files`.
    static func app(compose: String, files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-taint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try compose.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder.path
    }
}
