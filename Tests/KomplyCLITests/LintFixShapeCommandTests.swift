import Foundation
import XCTest

/// `komply lint --fix` end to end on files whose shape once broke (issue 16): the written bytes are the
/// `fixtures/fix` goldens, a second run changes nothing, and a file that cannot be edited safely is left
/// byte-identical with a message while its findings are still reported.
final class LintFixShapeCommandTests: XCTestCase {
    var dir = URL(fileURLWithPath: "/")

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fix-shape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func testFileWithoutFinalNewlineAndCRLFFileAreFixedExactlyAndOnce() throws {
        for shape in ["no-final-newline", "crlf"] {
            let folder = CLIHarness.repository.appendingPathComponent("fixtures/fix/\(shape)")
            let rules = try String(contentsOf: folder.appendingPathComponent("rules"), encoding: .utf8).split(separator: "\n")
            let file = dir.appendingPathComponent("\(shape).yaml")
            try Data(contentsOf: folder.appendingPathComponent("input.yaml")).write(to: file)
            let arguments = ["lint", file.lastPathComponent, "--fix", "--no-predict"] + rules.flatMap { ["--rule", String($0)] }
            let first = try CLIHarness.run(arguments, in: dir)
            XCTAssertEqual(first.status, 0, "\(shape): " + first.stdout + first.stderr)
            XCTAssertTrue(first.stderr.contains("komply: fixed \(shape).yaml: "), first.stderr)
            let fixed = try Data(contentsOf: file)
            XCTAssertEqual(fixed, try Data(contentsOf: folder.appendingPathComponent("fixed.yaml")), shape)
            let second = try CLIHarness.run(arguments, in: dir)
            XCTAssertEqual(second.status, 0, "\(shape): " + second.stdout + second.stderr)
            XCTAssertFalse(second.stderr.contains("fixed"), second.stderr)
            XCTAssertEqual(try Data(contentsOf: file), fixed, "\(shape): a second --fix changed the file")
        }
    }

    func testAFileThatCannotBeEditedSafelyIsLeftByteIdenticalWithAMessage() throws {
        let input = CLIHarness.repository.appendingPathComponent("fixtures/fix/flow-trailing-comma/input.yaml")
        let file = dir.appendingPathComponent("pod.yaml")
        let original = try Data(contentsOf: input)
        try original.write(to: file)
        let result = try CLIHarness.run(["lint", "pod.yaml", "--fix", "--rule", "capabilities-not-dropped"], in: dir)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stderr.contains("komply: not fixed pod.yaml: cannot edit a flow sequence with a trailing comma safely"), result.stderr)
        XCTAssertTrue(result.stdout.contains("capabilities-not-dropped"), "the finding is still reported:\n" + result.stdout)
        XCTAssertEqual(try Data(contentsOf: file), original)
    }
}
