import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyLint
@testable import KomplyPipeline

/// `komply lint --fix` through the pipeline: the fixes of a run, written all-or-nothing per file.
final class LintFixesTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fixes-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testResourceFixesAreWrittenAndTheFileThenPasses() throws {
        let file = folder + "/pod.yaml"
        // No final newline: the fix must still produce a file that parses to the intended change.
        let text =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let request = LintRequest(paths: [file], only: ["missing-memory-limit"])
        let (linter, result) = try request.lint()
        XCTAssertEqual(result.findings.map(\.ruleID), ["missing-memory-limit"])
        let changes = try LintFixes.changes(for: result, linter: linter, request: request, sizing: nil)
        XCTAssertEqual(changes.map(\.file), [file])
        var written: [String] = []
        try LintFixes.write(changes) { written.append($0.file) }
        XCTAssertEqual(written, [file])
        let fixed = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertEqual(try linter.lint(paths: [file]).findings, [], fixed)
    }

    func testAFileThatChangedSinceItWasReadIsNotWritten() throws {
        let file = folder + "/pod.yaml"
        try Data("kind: Pod\nedited: by someone else\n".utf8).write(to: URL(fileURLWithPath: file))
        let change = Fixer.Change(file: file, before: "kind: Pod\n", after: "kind: Pod\nfixed: true\n", applied: ["x"])
        var written: [String] = []
        var skipped: [Fixer.Refusal] = []
        try LintFixes.write([change], wrote: { written.append($0.file) }, skipped: { skipped.append($0) })
        XCTAssertEqual(written, [])
        XCTAssertEqual(skipped, [Fixer.Refusal(file: file, reason: "it changed since komply read it")])
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "kind: Pod\nedited: by someone else\n")
    }

    func testStandardInputIsNeverWrittenAndAnUnwritableFileIsAnError() throws {
        let stdin = Fixer.Change(file: "<stdin>", before: "a", after: "b", applied: ["x"])
        var written: [String] = []
        try LintFixes.write([stdin]) { written.append($0.file) }
        XCTAssertEqual(written, [])
        try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: folder + "/plain"))
        let blocked = Fixer.Change(file: folder + "/plain/pod.yaml", before: "a", after: "b", applied: ["x"])
        XCTAssertThrowsError(try LintFixes.write([blocked]) { _ in }) { error in
            guard case .unwritable(let file, _) = error as? LintError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, blocked.file)
        }
    }

    func testTheBenchmarkGeneratesEachAppAndKeepsTheFastestRun() throws {
        try FileManager.default.createDirectory(atPath: folder + "/app", withIntermediateDirectories: true)
        try Data("services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n".utf8).write(
            to: URL(fileURLWithPath: folder + "/app/compose.yaml"))
        var seen: [String] = []
        let (measurements, wall) = try GenerateBenchmark.run(paths: [folder + "/app"], repetitions: 2) { seen.append($0.path) }
        XCTAssertEqual(seen, [folder + "/app"])
        XCTAssertGreaterThan(measurements[0].files, 0)
        XCTAssertLessThanOrEqual(measurements[0].fastest, wall)
    }
}
