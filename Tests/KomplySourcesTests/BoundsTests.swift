import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// Work the compose reader does is bounded by its input: long `extends` chains, many or deeply
/// nested interpolations, huge port ranges and files that are not regular files.
final class BoundsTests: XCTestCase {
    override func setUp() {
        FileManager.default.changeCurrentDirectoryPath(repositoryRoot)
    }

    func load(_ file: String, environment: [String: String] = [:]) throws -> ComposeProject {
        try ComposeLoader.load(ComposeRequest(files: [file], environment: environment))
    }

    /// A compose file whose service `s0` extends `s1`, … up to `s<depth>`, which has the image.
    func chain(depth: Int, in directory: String) throws -> String {
        var text = "services:\n"
        for index in 0..<depth { text += "  s\(index):\n    extends: s\(index + 1)\n" }
        text += "  s\(depth):\n    image: nginx\n"
        let file = "\(directory)/compose.yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func testExtendsChainUpToTheLimitResolves() throws {
        let file = try chain(depth: ComposeLoader.maxExtendsDepth, in: try temporaryDirectory())
        XCTAssertEqual(try load(file)[service: "s0"]?.image, "nginx")
    }

    /// A 1,000-deep chain overflowed the stack; it is refused at the `extends` one past the limit.
    func testExtendsChainPastTheLimitIsRefusedWithPosition() throws {
        let file = try chain(depth: 1_000, in: try temporaryDirectory())
        let limit = ComposeLoader.maxExtendsDepth
        XCTAssertThrowsError(try load(file)) { error in
            guard case .extendsTooDeep(let location, let reported) = error as? SourcesError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(reported, limit)
            // s<limit> is on line 2 + 2·limit; its `extends` value on the next line, column 14.
            XCTAssertEqual(location.range.map { "\($0.start.line):\($0.start.column)" }, "\(2 * limit + 3):14")
            let message = (error as? SourcesError)?.errorDescription ?? ""
            XCTAssertTrue(message.contains("extends chain is longer than \(limit) services; expected at most"), message)
        }
    }

    func testExtendsCycleIsStillNamed() throws {
        let directory = try temporaryDirectory()
        try "services:\n  a:\n    extends: b\n  b:\n    extends: a\n".write(
            toFile: "\(directory)/compose.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try load("\(directory)/compose.yaml")) { error in
            guard case .extendsCycle = error as? SourcesError else { return XCTFail("\(error)") }
        }
    }

    /// 20,000 references in one value took 48 s (the error text was built for each `${`).
    func testManyReferencesInOneValueInterpolate() throws {
        let text = String(repeating: "${A}", count: 20_000) + String(repeating: "${B:-x}", count: 20_000)
        XCTAssertEqual(
            try Interpolation.interpolate(text, lookup: { $0 == "A" ? "a" : nil }),
            String(repeating: "a", count: 20_000) + String(repeating: "x", count: 20_000))
    }

    func testNestingUpToTheLimitResolves() throws {
        let depth = Interpolation.maxNesting
        let text = String(repeating: "${A:-", count: depth) + "x" + String(repeating: "}", count: depth)
        XCTAssertEqual(try Interpolation.interpolate(text, lookup: { _ in nil }), "x")
    }

    /// 5,000-deep nested defaults took 8 s; nesting past the limit is refused at the expression that goes too deep.
    func testAbsurdNestingIsRefused() {
        let depth = 5_000
        let text = String(repeating: "${A:-", count: depth) + "x" + String(repeating: "}", count: depth)
        let limit = Interpolation.maxNesting
        XCTAssertThrowsError(try Interpolation.interpolate(text, lookup: { _ in nil })) { error in
            XCTAssertEqual(
                error as? InterpolationError,
                InterpolationError(
                    offset: 5 * limit,
                    message: "interpolation nests deeper than \(limit) levels; expected at most \(limit) nested ${…}"))
        }
    }

    func testOrdinaryPortRangesExpandAsComposeDoes() throws {
        let directory = try temporaryDirectory()
        try "services:\n  api:\n    image: nginx\n    ports: [\"8000-8010:8000-8010\"]\n    expose: [\"9000-9999\"]\n".write(
            toFile: "\(directory)/compose.yaml", atomically: true, encoding: .utf8)
        let api = try load("\(directory)/compose.yaml")[service: "api"]
        XCTAssertEqual(api?.ports.count, 11)
        XCTAssertEqual(api?.expose.first?.ports.count, 1_000)
    }

    /// `1-65535` in `expose` wrote 65,535 container ports.
    func testHugeExposeRangeIsRefusedWithPosition() throws {
        let directory = try temporaryDirectory()
        try "services:\n  api:\n    image: nginx\n    expose:\n      - \"1-65535/udp\"\n".write(
            toFile: "\(directory)/compose.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try load("\(directory)/compose.yaml")) { error in
            guard case .portRangeTooLarge(let location, _, let range, let count, let limit) = error as? SourcesError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(location.range.map { "\($0.start.line):\($0.start.column)" }, "5:9")
            XCTAssertEqual(range, "1-65535/udp")
            XCTAssertEqual(count, 65_535)
            XCTAssertEqual(limit, ComposeLoader.maxPortsPerRange)
        }
    }

    /// Ranges under the per-range limit still cannot add up to more than the per-list limit.
    func testManyRangesInOneListAreRefusedAtTheEntryPassingTheLimit() throws {
        let directory = try temporaryDirectory()
        try "services:\n  api:\n    image: nginx\n    ports:\n      - \"1000-1600\"\n      - \"2000-2600\"\n".write(
            toFile: "\(directory)/compose.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try load("\(directory)/compose.yaml")) { error in
            guard case .tooManyPorts(let location, let key, let limit) = error as? SourcesError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.range.map { "\($0.start.line):\($0.start.column)" }, "6:9")
            XCTAssertEqual(key, "services.api.ports")
            XCTAssertEqual(limit, ComposeLoader.maxPortsPerList)
        }
    }

    /// A FIFO as the compose file, as `.env`, as an `env_file` or behind a symbolic link blocked
    /// forever; each is refused without being opened.
    func testNamedPipesAreRefusedWithoutBlocking() throws {
        let directory = try temporaryDirectory()
        let compose = "\(directory)/compose.yaml"
        let cases: [(name: String, setup: () throws -> Void, file: String)] = [
            ("compose file", { try makeFIFO(compose) }, compose),
            (
                "symlink to the compose file",
                {
                    try makeFIFO("\(directory)/pipe")
                    try FileManager.default.createSymbolicLink(atPath: compose, withDestinationPath: "pipe")
                }, compose
            ),
            (
                ".env",
                {
                    try "services:\n  web:\n    image: nginx\n".write(toFile: compose, atomically: true, encoding: .utf8)
                    try makeFIFO("\(directory)/.env")
                }, ".env"
            ),
            (
                "env_file",
                {
                    try "services:\n  web:\n    image: nginx\n    env_file: web.env\n".write(
                        toFile: compose, atomically: true, encoding: .utf8)
                    try makeFIFO("\(directory)/web.env")
                }, "web.env"
            ),
        ]
        for (name, setup, file) in cases {
            for entry in try FileManager.default.contentsOfDirectory(atPath: directory) {
                try FileManager.default.removeItem(atPath: "\(directory)/\(entry)")
            }
            try setup()
            let outcome = returnsPromptly(unblocking: ["\(directory)/pipe", "\(directory)/\((file as NSString).lastPathComponent)"]) {
                do {
                    _ = try ComposeLoader.load(ComposeRequest(files: [compose], environment: [:]))
                    return "loaded"
                } catch {
                    return error.localizedDescription
                }
            }
            guard let message = outcome else {
                XCTFail("\(name): reading blocked")
                continue
            }
            XCTAssertTrue(message.hasSuffix("not a regular file (a named pipe); expected a file"), "\(name): \(message)")
            XCTAssertTrue(message.contains((file as NSString).lastPathComponent + ":"), "\(name): \(message)")
        }
    }

    func temporaryDirectory() throws -> String {
        let path = "\(repositoryRoot)/.build/test-tmp/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}

/// Creates a named pipe at `path`.
func makeFIFO(_ path: String) throws {
    guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
}

/// Runs `body` on another thread and returns its result, or nil when it has not returned within
/// five seconds; then each FIFO in `pipes` is opened for writing and closed, so a reader blocked
/// on it gets end-of-file and the test fails instead of hanging.
func returnsPromptly(unblocking pipes: [String], _ body: @escaping @Sendable () -> String) -> String? {
    final class Box: @unchecked Sendable { var value: String? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        box.value = body()
        done.signal()
    }
    guard done.wait(timeout: .now() + 5) == .success else {
        for pipe in pipes {
            let descriptor = open(pipe, O_WRONLY | O_NONBLOCK)
            if descriptor >= 0 { close(descriptor) }
        }
        _ = done.wait(timeout: .now() + 5)
        return nil
    }
    return box.value
}
