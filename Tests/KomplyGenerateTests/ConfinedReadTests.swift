import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// What the generator reads, and what it never reads (issue 14, item 1): a bind mount of an
/// absolute host path is left out with a warning at its line unless `x-komply.hostPath` records a
/// human's consent (then a `hostPath` volume); files copied into ConfigMaps are read bounded and
/// regular-only (never a named pipe); build contexts are hashed without following links.
final class ConfinedReadTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-hostpath-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(atPath: folder + "/repo/.git", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func generate(_ compose: String) throws -> GenerationResult {
        try Data(compose.utf8).write(to: URL(fileURLWithPath: folder + "/repo/compose.yaml"))
        let projects = try SourceLoader.load(SourceRequest(paths: [folder + "/repo"], environment: [:]))
        return try Generator(settings: GeneratorSettings()).generate(projects)
    }

    func file(_ result: GenerationResult, _ suffix: String) throws -> String {
        try XCTUnwrap(result.files.first { $0.path.hasSuffix(suffix) }?.contents, "\(result.files.map(\.path))")
    }

    func testAHostPathWithoutConsentIsLeftOutWithAWarningAtItsLine() throws {
        let result = try generate(
            "services:\n  ci:\n    image: docker:27\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n")
        let workload = try file(result, "base/ci.yaml")
        XCTAssertFalse(workload.contains("hostPath"), workload)
        XCTAssertFalse(workload.contains("docker.sock"), workload)
        let warning = try XCTUnwrap(result.notices.first { $0.message.contains("/var/run/docker.sock") })
        XCTAssertEqual(warning.severity, .warning)
        XCTAssertEqual(warning.location?.range?.start.line, 5, "the mount's own line")
        XCTAssertTrue(warning.message.contains("x-komply.hostPath"), warning.message)
        XCTAssertTrue(try file(result, "overlays/default/namespace.yaml").contains("enforce: restricted"))
    }

    func testConsentMountsAHostPathVolumeAndRecordsTheRiskItAccepts() throws {
        let result = try generate(
            """
            services:
              ci:
                image: docker:27
                volumes:
                  - /var/run/docker.sock:/var/run/docker.sock:ro
                x-komply:
                  hostPath:
                    /var/run/docker.sock: {reason: CI runner builds images, expires: "2027-01-31"}

            """)
        let workload = try file(result, "base/ci.yaml")
        XCTAssertTrue(workload.contains("hostPath:\n            path: /var/run/docker.sock"), workload)
        XCTAssertTrue(workload.contains("mountPath: /var/run/docker.sock"), workload)
        XCTAssertTrue(workload.contains("host-path-volume=CI runner builds images until 2027-01-31"), workload)
        XCTAssertTrue(workload.contains("docker-socket-mount=CI runner builds images until 2027-01-31"), workload)
        XCTAssertTrue(try file(result, "overlays/default/namespace.yaml").contains("enforce: privileged"))
    }

    func testConsentNeedsAnAbsolutePathAReasonAndADay() throws {
        for (block, key) in [
            ("{relative/path: {reason: x, expires: \"2027-01-31\"}}", "hostPath.relative/path"),
            ("{/var/run/docker.sock: {expires: \"2027-01-31\"}}", "hostPath./var/run/docker.sock.reason"),
            ("{/var/run/docker.sock: {reason: x}}", "hostPath./var/run/docker.sock.expires"),
            ("{/var/run/docker.sock: {reason: x, expires: \"2027-02-30\"}}", "hostPath./var/run/docker.sock.expires"),
            ("[/var/run/docker.sock]", "hostPath"),
        ] {
            XCTAssertThrowsError(
                try generate("services:\n  ci:\n    image: docker:27\n    x-komply:\n      hostPath: \(block)\n"), block
            ) { error in
                guard case .invalidOption(let location, let path, _)? = error as? GenerateError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, "services.ci.x-komply.\(key)", block)
                XCTAssertEqual(location?.range?.start.line, 5, block)
                if block.hasPrefix("{") {
                    XCTAssertGreaterThan(location?.range?.start.column ?? 0, 17, "\(block): the entry, not the hostPath key")
                }
            }
        }
    }

    func testANamedPipeInABindMountOrABuildContextIsNeverOpened() throws {
        let repo = folder + "/repo"
        for sub in ["conf", "app"] { try FileManager.default.createDirectory(atPath: repo + "/" + sub, withIntermediateDirectories: true) }
        try Data("a=1\n".utf8).write(to: URL(fileURLWithPath: repo + "/conf/a.conf"))
        try Data("FROM scratch\n".utf8).write(to: URL(fileURLWithPath: repo + "/app/Dockerfile"))
        let pipes = [repo + "/conf/pipe", repo + "/single.pipe", repo + "/app/pipe"]
        for pipe in pipes { XCTAssertEqual(mkfifo(pipe, 0o600), 0) }
        // Should a reader block, a writer opens each pipe after five seconds, and the timing check fails.
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
            for pipe in pipes {
                let descriptor = open(pipe, O_RDWR | O_NONBLOCK)
                if descriptor >= 0 { close(descriptor) }
            }
        }
        let started = Date()
        let result = try generate(
            "services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./conf:/etc/conf\", \"./single.pipe:/etc/x\"]\n  api:\n    build: ./app\n"
        )
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "no pipe was opened")
        let warnings = result.notices.map(\.message).filter { $0.contains("not a regular file") }
        XCTAssertEqual(warnings.count, 2, "\(result.notices.map(\.message))")
        XCTAssertFalse(try file(result, "base/web.yaml").contains("a.conf"), "the folder with a pipe is left out whole")
    }

    func testABindMountLargerThanAConfigMapIsLeftOutWithoutReadingItAll() throws {
        let repo = folder + "/repo"
        try FileManager.default.createDirectory(atPath: repo + "/data", withIntermediateDirectories: true)
        for name in ["a.txt", "b.txt"] {
            try Data(repeating: UInt8(ascii: "x"), count: 300 * 1024).write(to: URL(fileURLWithPath: repo + "/data/" + name))
        }
        let result = try generate("services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./data:/srv/data\"]\n")
        XCTAssertTrue(
            result.notices.contains { $0.message.contains("./data:/srv/data holds more than a ConfigMap should carry (512 KiB)") },
            "\(result.notices.map(\.message))")
        XCTAssertFalse(try file(result, "base/web.yaml").contains("a.txt"))
    }

    func testTheBuildContextDigestNeverFollowsALinkOut() throws {
        let context = folder + "/repo/app"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try Data("FROM scratch\n".utf8).write(to: URL(fileURLWithPath: context + "/Dockerfile"))
        try Data("one\n".utf8).write(to: URL(fileURLWithPath: folder + "/outside.txt"))
        try FileManager.default.createSymbolicLink(atPath: context + "/host", withDestinationPath: folder + "/outside.txt")
        let first = try XCTUnwrap(BuildContextDigest.tag(directory: context))
        try Data("two\n".utf8).write(to: URL(fileURLWithPath: folder + "/outside.txt"))
        XCTAssertEqual(BuildContextDigest.tag(directory: context), first, "the file outside is not read")
        try FileManager.default.removeItem(atPath: context + "/host")
        try FileManager.default.createSymbolicLink(atPath: context + "/host", withDestinationPath: "/etc/hostname")
        XCTAssertNotEqual(BuildContextDigest.tag(directory: context), first, "the link's target is part of the context")
    }
}
