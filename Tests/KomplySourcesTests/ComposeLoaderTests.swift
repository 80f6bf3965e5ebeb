import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// The repository root, found from this file so tests do not depend on the working directory.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

final class ComposeLoaderTests: XCTestCase {
    override func setUp() {
        // Messages and `x-komply.source` name files relative to the working directory.
        FileManager.default.changeCurrentDirectoryPath(repositoryRoot)
    }

    func load(_ files: [String], profiles: [String] = [], environment: [String: String] = [:]) throws -> ComposeProject {
        try ComposeLoader.load(ComposeRequest(files: files, profiles: profiles, environment: environment))
    }

    /// Compares against `fixtures/compose/<case>/expected.json`; `KOMPLY_UPDATE_GOLDEN=1` rewrites it.
    func assertGolden(_ project: ComposeProject, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let actual = JSONEmitter.emit(project.canonical())
        let path = "\(repositoryRoot)/fixtures/compose/\(name)/expected.json"
        if ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(actual, expected, "golden \(path) differs; rerun with KOMPLY_UPDATE_GOLDEN=1 after review", file: file, line: line)
    }

    func testFullFeatureFileMatchesGolden() throws {
        let project = try load(["fixtures/compose/full/compose.yaml"], profiles: ["debug"])
        try assertGolden(project, "full")
        XCTAssertEqual(project.services.map(\.name), ["db", "w2", "web"])
        let web = try XCTUnwrap(project[service: "web"])
        XCTAssertEqual(web.ports.count, 4)
        XCTAssertEqual(web.ports[1], PortMapping(target: 9000, published: "9000", protocol: "udp", hostIP: "127.0.0.1"))
        XCTAssertEqual(web.healthcheck?.interval?.description, "1m30s")
        XCTAssertEqual(web.healthcheck?.startPeriod?.nanoseconds, 500_000_000)
        XCTAssertEqual(web.deploy?.limits?.memoryBytes, 536_870_912)
        XCTAssertEqual(web.deploy?.reservations?.devices, [DeviceRequest(capabilities: ["gpu"], driver: "nvidia", count: 1)])
        XCTAssertEqual(web.stopGracePeriod?.description, "1m0s")
        XCTAssertEqual(web.restart, "unless-stopped", "merge key from an anchor")
        XCTAssertEqual(web.komply.positions["ports[1]"]?.description, "fixtures/compose/full/compose.yaml:17:9")
        XCTAssertEqual(project[service: "w2"]?.deploy?.mode, "global")
        XCTAssertEqual(project[service: "w2"]?.healthcheck, Healthcheck(disable: true))
    }

    func testProfilesExcludeInactiveServices() throws {
        let project = try load(["fixtures/compose/full/compose.yaml"])
        XCTAssertEqual(project.services.map(\.name), ["w2", "web"])
        let viaEnvironment = try load(["fixtures/compose/full/compose.yaml"], environment: ["COMPOSE_PROFILES": "debug"])
        XCTAssertEqual(viaEnvironment.services.map(\.name), ["db", "w2", "web"])
    }

    func testSeveralFilesMergeAsDockerComposeMergesThem() throws {
        let project = try load(["fixtures/compose/merge/compose.yaml", "fixtures/compose/merge/compose.prod.yaml"])
        let api = try XCTUnwrap(project[service: "api"])
        XCTAssertEqual(api.image, "registry.example.com/shop/api:dev")
        XCTAssertEqual(api.command, ["node", "dist/server.js", "--cluster"])
        XCTAssertEqual(api.environment, ["LOG_LEVEL": "info", "DB_HOST": "db"])
        XCTAssertEqual(api.ports.map(\.target), [3000, 9090])
        XCTAssertEqual(api.volumes.map(\.target), ["/app/src", "/app/.cache"])
        XCTAssertEqual(api.volumes[0].source, "./dist")
        XCTAssertTrue(api.volumes[0].readOnly)
        XCTAssertEqual(api.dependsOn["db"]?.condition, "service_healthy")
        XCTAssertEqual(api.deploy?.replicas, 3)
        XCTAssertEqual(api.labels, ["team": "shop", "tier": "backend"])
        XCTAssertEqual(project[service: "db"]?.healthcheck?.test, ["CMD-SHELL", "pg_isready -U postgres"])
        XCTAssertEqual(project.name, "merge")
        let tagged = try load(["fixtures/compose/merge/compose.yaml"], environment: ["TAG": "1.8.2"])
        XCTAssertEqual(tagged[service: "api"]?.image, "registry.example.com/shop/api:1.8.2")
    }

    func testExtendsAcrossFilesEnvFilesAndDotEnv() throws {
        let project = try load(["fixtures/compose/extends/compose.yaml"])
        XCTAssertEqual(project.name, "demo-shop", "name interpolated from .env")
        XCTAssertEqual(project.services.map(\.name), ["web"], "admin is behind a profile")
        let web = try XCTUnwrap(project[service: "web"])
        XCTAssertEqual(web.image, "nginx:1.27-alpine")
        XCTAssertEqual(web.environment, ["GREETING": "hello from base", "PORT": "8081", "NESTED": "fallback"])
        XCTAssertEqual(web.volumes.first?.source, "./common/html", "paths in the extended file are relative to it")
        XCTAssertEqual(web.labels["app.kubernetes.io/part-of"], "demo")
        XCTAssertEqual(web.healthcheck?.interval?.description, "30s")
        XCTAssertEqual(project.diagnostics.filter { $0.message.contains("optional.env") }.count, 1)
        let admin = try load(["fixtures/compose/extends/compose.yaml"], profiles: ["admin"])[service: "admin"]
        XCTAssertEqual(admin?.image, "nginx:1.27-alpine", "extends chains through web to base-web")
        let environmentWins = try load(["fixtures/compose/extends/compose.yaml"], environment: ["WEB_PORT": "9000"])
        XCTAssertEqual(environmentWins[service: "web"]?.environment["PORT"], "9000", "the process environment beats .env")
    }

    func testFolderDiscoveryFindsOverrideFile() throws {
        let directory = try temporaryDirectory()
        try "services:\n  web:\n    image: nginx\n".write(toFile: "\(directory)/compose.yaml", atomically: true, encoding: .utf8)
        try "services:\n  web:\n    image: nginx:1.27\n".write(
            toFile: "\(directory)/compose.override.yaml", atomically: true, encoding: .utf8)
        let files = try ComposeLoader.discover(in: directory)
        XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent }, ["compose.yaml", "compose.override.yaml"])
        XCTAssertEqual(try load(files)[service: "web"]?.image, "nginx:1.27")
        XCTAssertThrowsError(try ComposeLoader.discover(in: "\(directory)/nothing"))
    }

    func testUnsetVariablesAndUntranslatedKeysAreWarnedWithPositions() throws {
        let directory = try temporaryDirectory()
        try "services:\n  web:\n    image: nginx:${MISSING}\n    blkio_config: {weight: 300}\n    container_name: web1\n"
            .write(toFile: "\(directory)/compose.yaml", atomically: true, encoding: .utf8)
        let project = try load(["\(directory)/compose.yaml"])
        XCTAssertEqual(project[service: "web"]?.image, "nginx:")
        let messages = project.diagnostics.map { "\($0.location?.range?.start.line ?? 0): \($0.message)" }
        XCTAssertTrue(messages.contains("3: the \"MISSING\" variable is not set; defaulting to a blank string"), "\(messages)")
        XCTAssertTrue(messages.contains { $0.hasPrefix("4: services.web.blkio_config is not translated") }, "\(messages)")
        XCTAssertFalse(messages.contains { $0.contains("container_name") }, "kept quietly")
        XCTAssertEqual(project[service: "web"]?.other["blkio_config"], .members([("weight", .int(300))]))
    }

    /// Every folder under `fixtures/compose/bad` is refused with the position and words in its `expected` file.
    func testBadInputsAreRefusedWithPositions() throws {
        let bad = "\(repositoryRoot)/fixtures/compose/bad"
        let cases = try FileManager.default.contentsOfDirectory(atPath: bad).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 12)
        for name in cases {
            let expected = try String(contentsOfFile: "\(bad)/\(name)/expected", encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let position = String(expected.prefix { $0 != " " })
            let words = String(expected.dropFirst(position.count + 1))
            XCTAssertThrowsError(try load(["fixtures/compose/bad/\(name)/compose.yaml"]), name) { error in
                let message = (error as? SourcesError)?.errorDescription ?? "\(error)"
                XCTAssertTrue(message.hasPrefix("fixtures/compose/bad/\(name)/compose.yaml:\(position)"), "\(name): \(message)")
                XCTAssertTrue(message.contains(words), "\(name): \(message) lacks \(words)")
            }
        }
    }

    func testShortSyntaxParsers() {
        XCTAssertEqual(ShortSyntax.ports("8080-8081:80-81/udp")?.map(\.published), ["8080", "8081"])
        XCTAssertEqual(ShortSyntax.ports("8080-8090:80")?.map(\.published), ["8080-8090"])
        XCTAssertEqual(ShortSyntax.ports("[::1]:53:53/udp"), [PortMapping(target: 53, published: "53", protocol: "udp", hostIP: "::1")])
        XCTAssertEqual(ShortSyntax.ports("3000-3002")?.map(\.target), [3000, 3001, 3002])
        XCTAssertNil(ShortSyntax.ports("80/icmp"))
        XCTAssertNil(ShortSyntax.ports("99999"))
        XCTAssertEqual(
            ShortSyntax.volume("data:/var/lib/data:ro,nocopy")?.options["volume"], .object([.init(key: "nocopy", value: .bool(true))]))
        XCTAssertEqual(ShortSyntax.volume("/var/run/docker.sock:/var/run/docker.sock")?.type, "bind")
        XCTAssertEqual(ShortSyntax.volume("/cache")?.source, nil)
        XCTAssertNil(ShortSyntax.volume("ab:/b:bogus"))
        XCTAssertEqual(ShortSyntax.shellWords(#"sh -c "echo 'hi there'" a\ b"#), ["sh", "-c", "echo 'hi there'", "a b"])
        XCTAssertNil(ShortSyntax.shellWords(#"echo "unterminated"#))
    }

    func testDurationsPrintAsGoDoes() {
        let cases = [
            "90s": "1m30s", "1m30s": "1m30s", "500ms": "500ms", "1h": "1h0m0s", "1.5s": "1.5s", "10us": "10µs", "0": "0s",
            "2h3m4s": "2h3m4s",
        ]
        for (input, output) in cases { XCTAssertEqual(ComposeDuration(parsing: input)?.description, output, input) }
        XCTAssertNil(ComposeDuration(parsing: "10 parsecs"))
        XCTAssertNil(ComposeDuration(parsing: "5"))
        XCTAssertEqual(ComposeDuration(nanoseconds: 15_000_000_000).secondsRoundedUp, 15)
    }

    func temporaryDirectory() throws -> String {
        let path = "\(repositoryRoot)/.build/test-tmp/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
