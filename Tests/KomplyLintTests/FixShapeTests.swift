import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// `--fix` never breaks a file (issue 16): each shape that once broke has `fixtures/fix/<shape>/input.yaml`,
/// the rules it runs (`rules`, one id a line), and either `fixed.yaml` (the exact bytes `--fix` writes) or
/// `refused.txt` (the message; the file stays byte-identical). A second `--fix` changes nothing.
/// `KOMPLY_UPDATE_GOLDEN=1` records them for review.
final class FixShapeTests: XCTestCase {
    func testEveryShapeIsFixedExactlyOrLeftByteIdenticalWithAMessage() throws {
        let root = LintTestSupport.path("fixtures/fix")
        let update = ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1"
        let shapes = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertGreaterThanOrEqual(shapes.count, 10)
        for shape in shapes {
            let folder = (root as NSString).appendingPathComponent(shape)
            let input = folder + "/input.yaml"
            let rules = try String(contentsOfFile: folder + "/rules", encoding: .utf8).split(separator: "\n").map(String.init)
            let linter = try Linter(only: rules, today: LintTestSupport.today)
            let result = try linter.lint(paths: [input])
            XCTAssertFalse(result.findings.isEmpty, "\(shape): the rules find something to fix")
            let outcome = Fixer.fixes(result, with: linter)
            XCTAssertEqual(outcome.changes.map(\.file).filter { $0 != input }, [], "\(shape): no other file")
            let fixed = outcome.changes.first { $0.file == input }.map { Data($0.after.utf8) }
            let message = outcome.refused.map { "not fixed \(($0.file as NSString).lastPathComponent): \($0.reason)\n" }.joined()
            XCTAssertTrue((fixed == nil) != message.isEmpty, "\(shape): either fixed or refused, got \(outcome)")
            if update {
                try? FileManager.default.removeItem(atPath: folder + "/fixed.yaml")
                try? FileManager.default.removeItem(atPath: folder + "/refused.txt")
                if let fixed { try fixed.write(to: URL(fileURLWithPath: folder + "/fixed.yaml")) }
                if !message.isEmpty { try Data(message.utf8).write(to: URL(fileURLWithPath: folder + "/refused.txt")) }
                continue
            }
            if let fixed {
                XCTAssertEqual(fixed, FileManager.default.contents(atPath: folder + "/fixed.yaml"), "\(shape): fixed.yaml differs")
                // Idempotence: fixing the fixed file changes nothing and refuses nothing.
                let again = folder + "/fixed.yaml"
                let second = Fixer.fixes(try linter.lint(paths: [again]), with: linter)
                XCTAssertEqual(second.changes.map(\.file), [], "\(shape): a second --fix changed the file")
                XCTAssertEqual(second.refused, [], "\(shape): a second --fix refused the file")
            } else {
                XCTAssertEqual(
                    message, try? String(contentsOfFile: folder + "/refused.txt", encoding: .utf8), "\(shape): refused.txt differs")
                // Refused files are left as they are, so a second run refuses the same way.
                XCTAssertEqual(Fixer.fixes(try linter.lint(paths: [input]), with: linter), outcome, "\(shape): a second --fix differs")
            }
        }
    }

    /// Every rule fixture fixes the same with CRLF or CR line ends, a byte-order mark or no final newline:
    /// the LF fix in the file's own shape (an edited file ends with a newline).
    func testLineEndsByteOrderMarkAndFinalNewlineDoNotChangeAnyRulesFix() throws {
        let rules = try RuleLoader.builtin()
        var compared = 0
        for rule in rules {
            let linter = try Linter(rules: rules, only: [rule.id], today: LintTestSupport.today)
            for fixture in RuleTester.fixtures(in: LintTestSupport.path("fixtures/rules/\(rule.id)")).violating {
                let base = try String(contentsOfFile: fixture, encoding: .utf8)
                guard base.hasSuffix("\n"), let fixed = Self.fixed(base, linter) else { continue }
                let variants: [(String, String, String)] = [
                    ("no final newline", String(base.dropLast()), fixed),
                    ("CRLF", base.replacingOccurrences(of: "\n", with: "\r\n"), fixed.replacingOccurrences(of: "\n", with: "\r\n")),
                    ("CR", base.replacingOccurrences(of: "\n", with: "\r"), fixed.replacingOccurrences(of: "\n", with: "\r")),
                    ("BOM", "\u{FEFF}" + base, "\u{FEFF}" + fixed),
                ]
                for (shape, input, expected) in variants {
                    XCTAssertEqual(Self.fixed(input, linter), expected, "\(fixture) with \(shape)")
                }
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10)
    }

    /// What `--fix` makes of `text` as one file, or nil when it changes nothing.
    static func fixed(_ text: String, _ linter: Linter) -> String? {
        let result = linter.lint(sources: [ManifestSource(file: "f.yaml", text: text)])
        return Fixer.fix(result, with: linter).first { $0.file == "f.yaml" }?.after
    }

    /// The safety net under the shapes: a round whose text changed more than its edits, or whose edit
    /// lands on a node an alias repeats, is refused with the place it differs.
    func testVerificationRefusesAnyChangeBeyondTheEdits() throws {
        let text = "a: &x {b: 1}\nc: *x\nd: [1, 2]\n"
        XCTAssertNoThrow(try Fixer.verify([], from: text, to: text, file: "f.yaml"))
        XCTAssertThrowsError(try Fixer.verify([], from: text, to: text.replacingOccurrences(of: "2]", with: "3]"), file: "f.yaml")) {
            XCTAssertEqual(($0 as? Fixer.Unsafe)?.reason, "the edited file would not read as exactly the intended change (at d[1])")
        }
        XCTAssertThrowsError(try Fixer.verify([], from: text, to: "a: [\n", file: "f.yaml")) {
            XCTAssertTrue(($0 as? Fixer.Unsafe)?.reason.hasPrefix("the edited file would not parse") == true, "\($0)")
        }
        let shared = try XCTUnwrap(YAMLLoader.parse(text, file: "f.yaml").first?["a"])
        let edit = Fix.Edit(anchor: shared, path: ["b"], value: .int(2))
        let next = text.replacingOccurrences(of: "b: 1", with: "b: 2")
        XCTAssertThrowsError(try Fixer.verify([edit], from: text, to: next, file: "f.yaml")) {
            XCTAssertEqual(($0 as? Fixer.Unsafe)?.reason, "an edited value is repeated elsewhere by a YAML alias")
        }
    }
}
