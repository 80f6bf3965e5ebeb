import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// No file outside the repository is ever read (issue 14, item 1): every path a compose file names —
/// bind sources, `env_file`, `.env`, secrets/configs `file:`, `extends`, build contexts and
/// Dockerfiles — is resolved with symbolic links followed and refused with its position when it
/// leaves the repository root.
final class ConfinementTests: XCTestCase {
    var top = ""
    var repo = ""
    var previous = ""

    override func setUpWithError() throws {
        top = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-confine-\(UUID().uuidString.prefix(8))").path)
        repo = top + "/repo"
        for folder in [repo + "/.git", repo + "/conf", repo + "/app", top + "/outside"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try write("worker_processes 1;\n", to: "conf/app.conf")
        try write("FROM scratch\n", to: "app/Dockerfile")
        try Data("HOST_SECRET=hunter2\nHOST_TAG=1.26\n".utf8).write(to: URL(fileURLWithPath: top + "/outside/host.env"))
        try Data("services:\n  base:\n    image: nginx:1.27\n".utf8).write(to: URL(fileURLWithPath: top + "/outside/base.yaml"))
        try Data("FROM scratch\n".utf8).write(to: URL(fileURLWithPath: top + "/outside/Dockerfile"))
        previous = FileManager.default.currentDirectoryPath
        // Messages name files relative to the current folder, as komply run in the repository does.
        FileManager.default.changeCurrentDirectoryPath(repo)
    }

    override func tearDownWithError() throws {
        FileManager.default.changeCurrentDirectoryPath(previous)
        try? FileManager.default.removeItem(atPath: top)
    }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: repo + "/" + path))
    }

    func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: repo + "/" + path, withDestinationPath: target)
    }

    /// Loads `compose.yaml` holding `text` and returns the refusal's message, which must name the
    /// position and the path as written.
    func refusal(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try write(text, to: "compose.yaml")
        do {
            let project = try ComposeLoader.load(ComposeRequest(files: ["compose.yaml"], environment: [:]))
            XCTFail("loaded \(project.services.map(\.name)); expected a refusal", file: file, line: line)
            return ""
        } catch {
            guard case .core(let core) = error, case .pathEscapesRoot = core else {
                XCTFail("\(error)", file: file, line: line)
                return ""
            }
            return error.localizedDescription
        }
    }

    func testARelativeBindEscapeIsRefusedAtItsPosition() throws {
        let message = try refusal("services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ../../../../etc/passwd:/x\n")
        XCTAssertTrue(
            message.hasPrefix("compose.yaml:5:9: \"../../../../etc/passwd\" leads outside the repository through \"..\""), message)
        let long = try refusal(
            "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - {type: bind, source: ../outside/host.env, target: /x}\n")
        XCTAssertTrue(long.hasPrefix("compose.yaml:5:9: \"../outside/host.env\""), long)
    }

    func testASymbolicLinkToAHostFileIsRefused() throws {
        try link("host.conf", to: "/etc/hostname")
        let message = try refusal("services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./host.conf:/etc/x\"]\n")
        XCTAssertTrue(message.hasPrefix("compose.yaml:4:15: \"./host.conf\" leads outside the repository"), message)
        XCTAssertTrue(message.contains("the symbolic link \"host.conf\" → \"/etc/hostname\""), message)
    }

    func testASymbolicLinkedFolderAndALinkInsideAMountedFolderAreRefused() throws {
        try link("shared", to: top + "/outside")
        let middle = try refusal("services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./shared/host.env:/etc/x\"]\n")
        XCTAssertTrue(middle.contains("\"./shared/host.env\" leads outside the repository through the symbolic link \"shared\""), middle)
        let folder = try refusal("services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./shared:/etc/app\"]\n")
        XCTAssertTrue(folder.contains("\"./shared\" leads outside"), folder)
        try link("conf/stolen.env", to: "../../outside/host.env")
        let child = try refusal("services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./conf:/etc/app\"]\n")
        XCTAssertTrue(child.hasPrefix("compose.yaml:4:15: \"./conf/stolen.env\" leads outside"), child)
    }

    func testADanglingLinkOutIsAnEscapeNotAMissingFile() throws {
        try link("gone.conf", to: "/nonexistent/komply/gone.conf")
        let message = try refusal("services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./gone.conf:/etc/x\"]\n")
        XCTAssertTrue(message.contains("the symbolic link \"gone.conf\" → \"/nonexistent/komply/gone.conf\""), message)
    }

    func testEnvFilesAndDotEnvLinkedOutAreRefusedBeforeTheyAreRead() throws {
        try link("app.env", to: top + "/outside/host.env")
        let envFile = try refusal("services:\n  web:\n    image: nginx:1.27\n    env_file: ./app.env\n")
        XCTAssertTrue(envFile.hasPrefix("compose.yaml:4:15: \"./app.env\" leads outside"), envFile)
        XCTAssertFalse(envFile.contains("hunter2"))
        try FileManager.default.removeItem(atPath: repo + "/app.env")
        try link(".env", to: top + "/outside/host.env")
        let dotEnv = try refusal("services:\n  web:\n    image: nginx:${HOST_SECRET:-1.27}\n")
        XCTAssertTrue(dotEnv.hasPrefix("\".env\" leads outside the repository through the symbolic link \".env\""), dotEnv)
        try FileManager.default.removeItem(atPath: repo + "/.env")
        try link(".env", to: "/nonexistent/komply/.env")
        let dangling = try refusal("services:\n  web:\n    image: nginx:1.27\n")
        XCTAssertTrue(dangling.contains("the symbolic link \".env\" → \"/nonexistent/komply/.env\""), dangling)
    }

    func testAnEnvFileGivenOnTheCommandLineStaysInsideTheRoot() throws {
        // A non-secret variable: a secret one could not land in `image` at all (it is refused there).
        try write("services:\n  web:\n    image: nginx:${HOST_TAG:-1.27}\n", to: "compose.yaml")
        let outside = top + "/outside/host.env"
        XCTAssertThrowsError(try ComposeLoader.load(ComposeRequest(files: ["compose.yaml"], envFiles: [outside], environment: [:]))) {
            XCTAssertTrue($0.localizedDescription.hasPrefix("\"\(outside)\" leads outside the repository through an absolute path"))
        }
        // `--root` widens what may be read, for an operator who means it.
        let widened = try ComposeLoader.load(ComposeRequest(files: ["compose.yaml"], envFiles: [outside], environment: [:], root: top))
        XCTAssertEqual(widened[service: "web"]?.image, "nginx:1.26")
    }

    func testSecretsConfigsAndExtendsFilesOutsideAreRefused() throws {
        let secret = try refusal(
            "services:\n  web:\n    image: nginx:1.27\n    secrets: [db]\nsecrets:\n  db:\n    file: ../outside/host.env\n")
        XCTAssertTrue(secret.hasPrefix("compose.yaml:7:11: \"../outside/host.env\""), secret)
        try link("conf/linked.conf", to: "/etc/hostname")
        let config = try refusal(
            "services:\n  web:\n    image: nginx:1.27\n    configs: [app]\nconfigs:\n  app:\n    file: ./conf/linked.conf\n")
        XCTAssertTrue(config.hasPrefix("compose.yaml:7:11: \"./conf/linked.conf\""), config)
        let extends = try refusal("services:\n  web:\n    extends: {file: ../outside/base.yaml, service: base}\n")
        XCTAssertTrue(extends.hasPrefix("compose.yaml:3:14: \"../outside/base.yaml\" leads outside the repository through \"..\""), extends)
    }

    func testBuildContextsAndDockerfilesOutsideAreRefused() throws {
        let context = try refusal("services:\n  web:\n    build: ../outside\n")
        XCTAssertTrue(context.hasPrefix("compose.yaml:3:12: \"../outside\" leads outside"), context)
        let absolute = try refusal("services:\n  web:\n    build: {context: \(top)/outside}\n")
        XCTAssertTrue(absolute.contains("through an absolute path"), absolute)
        let dockerfile = try refusal("services:\n  web:\n    build: {context: ./app, dockerfile: ../../outside/Dockerfile}\n")
        XCTAssertTrue(dockerfile.hasPrefix("compose.yaml:3:41: \"../../outside/Dockerfile\" leads outside"), dockerfile)
        try link("app/context", to: top + "/outside")
        let linked = try refusal("services:\n  web:\n    build: ./app/context\n")
        XCTAssertTrue(linked.contains("the symbolic link \"app/context\""), linked)
    }

    func testAnAppFolderThatIsALinkOutIsJudgedByThisRepository() throws {
        try FileManager.default.createDirectory(atPath: top + "/outside/app", withIntermediateDirectories: true)
        try Data("services:\n  web:\n    image: nginx:1.27\n".utf8).write(to: URL(fileURLWithPath: top + "/outside/app/compose.yaml"))
        try FileManager.default.createDirectory(atPath: repo + "/apps", withIntermediateDirectories: true)
        try link("apps/evil", to: top + "/outside/app")
        XCTAssertThrowsError(try SourceLoader.load(SourceRequest(paths: ["apps/evil"], environment: [:]))) { error in
            XCTAssertTrue(
                error.localizedDescription.hasPrefix(
                    "\"apps/evil/compose.yaml\" leads outside the repository through the symbolic link \"apps/evil\""),
                error.localizedDescription)
        }
    }

    func testAComposeFileLinkedOutIsRefused() throws {
        try FileManager.default.createSymbolicLink(atPath: repo + "/other.yaml", withDestinationPath: top + "/outside/base.yaml")
        XCTAssertThrowsError(try ComposeLoader.load(ComposeRequest(files: ["other.yaml"], environment: [:]))) { error in
            XCTAssertTrue(error.localizedDescription.hasPrefix("\"other.yaml\" leads outside"), error.localizedDescription)
        }
    }

    func testPathsInsideStillLoadAndHostPathsAreLeftForTheGenerator() throws {
        try link("conf/current.conf", to: "app.conf")
        try link("conf.d", to: "conf")
        try write("LEVEL=info\n", to: "app.env")
        try write(
            """
            services:
              web:
                build: {context: ./app}
                env_file: ./app.env
                volumes:
                  - ./conf/current.conf:/etc/app.conf
                  - ./conf.d:/etc/conf.d
                  - /var/run/docker.sock:/var/run/docker.sock
                  - ~/.cache:/cache

            """, to: "compose.yaml")
        let project = try ComposeLoader.load(ComposeRequest(files: ["compose.yaml"], environment: [:]))
        let web = try XCTUnwrap(project[service: "web"])
        XCTAssertEqual(web.environment["LEVEL"], "info")
        XCTAssertEqual(web.volumes.map(\.source), ["./conf/current.conf", "./conf.d", "/var/run/docker.sock", "~/.cache"])
        XCTAssertEqual(project.repositoryRoot, repo)
    }
}
