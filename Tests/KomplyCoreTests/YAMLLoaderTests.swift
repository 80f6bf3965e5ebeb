import Foundation
import XCTest

@testable import KomplyCore

final class YAMLLoaderTests: XCTestCase {
    func testNodesCarryStartAndEndPositions() throws {
        let text = """
            services:
              web:
                image: "nginx:1.27"
                ports: [80, 443]
            """
        let document = try XCTUnwrap(YAMLLoader.parse(text, file: "c.yaml").first)
        let image = try XCTUnwrap(document["services"]?["web"]?["image"])
        XCTAssertEqual(image.scalar, "nginx:1.27")
        XCTAssertEqual(image.range.start, SourcePosition(line: 3, column: 12, offset: 28))
        XCTAssertEqual(image.range.end.line, 3)
        XCTAssertEqual(image.range.end.column, 24)
        XCTAssertEqual(image.location.description, "c.yaml:3:12")
        let ports = try XCTUnwrap(document["services"]?["web"]?["ports"]?.sequence)
        XCTAssertEqual(ports.map(\.range.start.column), [13, 17])
        XCTAssertEqual(ports[1].valueTree(), .int(443))
    }

    func testEveryDocumentOfAStreamIsReadAndALaterErrorIsNotSwallowed() throws {
        XCTAssertEqual(try YAMLLoader.parse("a: 1\n---\nb: 2\n---\nc: 3\n", file: "m.yaml").count, 3)
        XCTAssertThrowsError(try YAMLLoader.parse("a: 1\n---\nb: [1, 2\n---\nc: 3\n", file: "m.yaml")) { error in
            guard case .syntax(let location, _) = error as? CoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.file, "m.yaml")
            XCTAssertEqual(location.range?.start.line, 4)
        }
    }

    func testMalformedYAMLNamesLineAndColumn() {
        XCTAssertThrowsError(try YAMLLoader.parse("services:\n  web:\n    image: a\n   bad: [\n", file: "bad.yaml")) { error in
            let message = (error as? CoreError)?.errorDescription ?? ""
            XCTAssertTrue(message.hasPrefix("bad.yaml:4:"), message)
        }
    }

    func testDuplicateKeysAreErrorsNamingBothLines() {
        XCTAssertThrowsError(try YAMLLoader.parse("a: 1\nb: 2\na: 3\n", file: "d.yaml")) { error in
            XCTAssertEqual(
                error as? CoreError,
                .duplicateKey(
                    SourceLocation(
                        file: "d.yaml",
                        range: SourceRange(start: .init(line: 3, column: 1, offset: 10), end: .init(line: 3, column: 2, offset: 11))),
                    key: "a", firstLine: 1))
            XCTAssertEqual(
                (error as? CoreError)?.errorDescription, "d.yaml:3:1: duplicate key \"a\" (first defined on line 1); expected each key once"
            )
        }
    }

    func testMergeKeysExplicitKeysWinAndEarlierSourcesWin() throws {
        let text = """
            base: &base {a: 1, b: 2}
            other: &other {b: 20, c: 30}
            x:
              <<: [*base, *other]
              a: 10
            """
        let x = try XCTUnwrap(YAMLLoader.parse(text, file: "m.yaml").first?["x"])
        // Merged keys take the place of the `<<` key.
        XCTAssertEqual(
            x.valueTree(),
            .object([
                .init(key: "b", value: .int(2)), .init(key: "c", value: .int(30)), .init(key: "a", value: .int(10)),
            ]))
        // A merged value keeps the position of the text it came from.
        XCTAssertEqual(x["b"]?.range.start.line, 1)
    }

    func testInvalidMergeValueIsRefused() {
        XCTAssertThrowsError(try YAMLLoader.parse("x:\n  <<: 5\n", file: "m.yaml")) { error in
            guard case .invalidMerge(let location) = error as? CoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.range?.start.line, 2)
        }
    }

    func testAliasBombIsRefusedQuickly() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = level == 1 ? "a" : "l\(level - 1)"
            text += "l\(level): &l\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        let start = Date()
        XCTAssertThrowsError(try YAMLLoader.parse(text, file: "bomb.yaml")) { error in
            guard case .aliasExpansionLimit(let location, _) = error as? CoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.file, "bomb.yaml")
            XCTAssertTrue((error as? CoreError)?.errorDescription?.contains("alias bomb") ?? false)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "refusing must not expand the bomb")
    }

    func testUndefinedAliasIsAnError() {
        XCTAssertThrowsError(try YAMLLoader.parse("a: *nope\n", file: "u.yaml"))
    }

    func testDeepNestingIsRefused() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        XCTAssertThrowsError(try YAMLLoader.parse(text, file: "deep.yaml")) { error in
            guard case .nestingTooDeep = error as? CoreError else { return XCTFail("\(error)") }
        }
    }

    func testOversizedFilesAreRefusedBeforeReading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("komply-size-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("big.yaml").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50 << 20)
        try handle.close()
        XCTAssertThrowsError(try YAMLLoader.load(path: path, displayName: "big.yaml")) { error in
            XCTAssertEqual(error as? CoreError, .fileTooLarge(file: "big.yaml", size: 50 << 20, limit: 16 << 20))
            XCTAssertTrue((error as? CoreError)?.errorDescription?.contains("50.0 MiB") ?? false)
        }
    }

    /// Pipes, devices and sockets (also behind a symbolic link) are named without being opened;
    /// regular files and folders are not special.
    func testSpecialFilesAreRecognisedWithoutOpeningThem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fifo-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipe = directory.appendingPathComponent("pipe.yaml").path
        XCTAssertEqual(mkfifo(pipe, 0o600), 0)
        let link = directory.appendingPathComponent("link.yaml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "pipe.yaml")
        let file = directory.appendingPathComponent("file.yaml").path
        FileManager.default.createFile(atPath: file, contents: Data("a: 1\n".utf8))
        XCTAssertEqual(YAMLLoader.specialFileKind(pipe), "a named pipe")
        XCTAssertEqual(YAMLLoader.specialFileKind(link), "a named pipe")
        XCTAssertEqual(YAMLLoader.specialFileKind("/dev/null"), "a device")
        XCTAssertNil(YAMLLoader.specialFileKind(file))
        XCTAssertNil(YAMLLoader.specialFileKind(directory.path))
        XCTAssertNil(YAMLLoader.specialFileKind(directory.appendingPathComponent("missing").path))
        XCTAssertThrowsError(try YAMLLoader.read(path: "/dev/null", displayName: "null.yaml")) { error in
            XCTAssertEqual(error as? CoreError, .notRegularFile(file: "null.yaml", kind: "a device"))
            XCTAssertEqual((error as? CoreError)?.errorDescription, "null.yaml: not a regular file (a device); expected a file")
        }
    }

    func testInvalidUTF8IsReportedWithPosition() {
        var bytes = Data("a: ok\nb: ".utf8)
        bytes.append(contentsOf: [0xFF, 0xFE])
        XCTAssertThrowsError(try YAMLLoader.parse(bytes: bytes, file: "bin.yaml")) { error in
            guard case .syntax(let location, let problem) = error as? CoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.range?.start.line, 2)
            XCTAssertTrue(problem.contains("UTF-8"), problem)
        }
    }

    func testJSONIsReadWithPositions() throws {
        let document = try XCTUnwrap(YAMLLoader.parse("[\n\t{\"Id\": \"abc\", \"n\": 1.5}\n]", file: "i.json").first)
        let id = try XCTUnwrap(document.sequence?.first?["Id"])
        XCTAssertEqual(id.location.description, "i.json:2:9")
        XCTAssertEqual(document.sequence?.first?["n"]?.valueTree(), .double(1.5))
    }

    func testSchemasResolveScalarsDifferently() {
        XCTAssertEqual(ScalarResolver.resolve("yes", schema: .core), .string("yes"))
        XCTAssertEqual(ScalarResolver.resolve("yes", schema: .yaml11), .bool(true))
        XCTAssertEqual(ScalarResolver.resolve("0755", schema: .core), .int(755))
        XCTAssertEqual(ScalarResolver.resolve("0755", schema: .yaml11), .int(493))
        XCTAssertEqual(ScalarResolver.resolve("0x1F", schema: .core), .int(31))
        XCTAssertEqual(ScalarResolver.resolve("1e3", schema: .core), .float(1000))
        XCTAssertEqual(ScalarResolver.resolve("~", schema: .core), .null)
        XCTAssertEqual(ScalarResolver.resolve("1.27-alpine", schema: .core), .string("1.27-alpine"))
    }
}
