import Foundation
import XCTest

@testable import KomplyCore

final class TextDiffTests: XCTestCase {
    /// Pairs whose shortest diff is unique enough that GNU `diff -u` prints exactly the same hunks.
    static let cases: [(name: String, old: String, new: String)] = [
        ("one line changed", "a\nb\nc\n", "a\nB\nc\n"),
        ("insert at start", "b\nc\nd\n", "a\nb\nc\nd\n"),
        ("append at end", "a\nb\n", "a\nb\nc\nd\n"),
        ("delete at end", "a\nb\nc\nd\ne\n", "a\nb\n"),
        ("new file", "", "a\nb\n"),
        ("file emptied", "a\nb\n", ""),
        ("newline added at end", "a\nb", "a\nb\n"),
        ("newline removed at end", "a\nb\n", "a\nb"),
        ("last line changed, both without newline", "x\ny\nz", "x\ny\nZ"),
        ("unchanged last line without newline as context", "a\nb\nc", "A\nb\nc"),
        ("crlf line endings", "a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n"),
        ("two far-apart hunks", numbered(1...20), numbered(1...20, replacing: [2: "two", 18: "eighteen"])),
        ("hunks six lines apart merge", numbered(1...20), numbered(1...20, replacing: [5: "five", 12: "twelve"])),
        ("hunks seven lines apart stay apart", numbered(1...20), numbered(1...20, replacing: [5: "five", 13: "thirteen"])),
        ("block replaced", numbered(1...10), numbered(1...3) + "x\ny\n" + numbered(8...10)),
        ("unicode", "grüße\n🚀\nend\n", "grüsse\n🚀\nend\n"),
    ]

    func testEqualTextsGiveNothing() {
        XCTAssertEqual(TextDiff.unified(old: "a\nb\n", new: "a\nb\n", oldName: "a", newName: "b"), "")
        XCTAssertEqual(TextDiff.unified(old: "", new: "", oldName: "a", newName: "b"), "")
    }

    func testKnownOutput() {
        let diff = TextDiff.unified(old: "a\nb\nc\n", new: "a\nB\nc\nd", oldName: "a/x.yaml", newName: "b/x.yaml")
        XCTAssertEqual(
            diff,
            """
            --- a/x.yaml
            +++ b/x.yaml
            @@ -1,3 +1,4 @@
             a
            -b
            +B
             c
            +d
            \\ No newline at end of file

            """)
    }

    func testHunkHeadersForEmptySides() {
        XCTAssertEqual(TextDiff.unified(old: "", new: "x\n", oldName: "a", newName: "b"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n")
        XCTAssertEqual(TextDiff.unified(old: "x\ny\n", new: "", oldName: "a", newName: "b"), "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n")
        // An insertion between lines 2 and 3 with no context names line 2 on the old side.
        XCTAssertEqual(
            TextDiff.unified(old: "a\nb\nc\n", new: "a\nb\nX\nc\n", oldName: "a", newName: "b", context: 0),
            "--- a\n+++ b\n@@ -2,0 +3 @@\n+X\n")
    }

    func testMatchesGNUDiff() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/diff"), "GNU diff is not installed")
        let runs = Self.cases.flatMap { test in [3, 1, 0].map { (test.name, test.old, test.new, $0) } }
        let theirs = try gnuDiffs(runs.map { ($0.1, $0.2, $0.3) })
        let ours = runs.map { TextDiff.unified(old: $0.1, new: $0.2, oldName: "old", newName: "new", context: $0.3) }
        for (index, run) in runs.enumerated() {
            XCTAssertEqual(body(ours[index]), body(theirs[index]), "\(run.0), context \(run.3)")
        }
        let results = try patched(runs.enumerated().map { ($0.element.1, ours[$0.offset]) })
        for (index, run) in runs.enumerated() {
            XCTAssertEqual(results[index], run.2, "patch for \(run.0), context \(run.3)")
        }
    }

    func testPatchReproducesRandomEdits() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/patch"), "GNU patch is not installed")
        var rng = SplitMix(seed: 42)
        var pairs: [(old: String, new: String, diff: String)] = []
        for round in 0..<60 {
            let old = randomText(&rng)
            let new = mutate(old, &rng)
            let diff = TextDiff.unified(old: old, new: new, oldName: "old", newName: "new", context: round % 4)
            if old == new { XCTAssertEqual(diff, "") } else { pairs.append((old, new, diff)) }
        }
        let results = try patched(pairs.map { ($0.old, $0.diff) })
        for (index, pair) in pairs.enumerated() {
            XCTAssertEqual(results[index], pair.new, "case \(index):\n\(pair.diff)")
        }
    }

    func testEditScriptIsShortest() throws {
        // The edit distance (insertions + deletions) of a shortest script is n + m - 2·LCS.
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            let a = (0..<Int(rng.next() % 12)).map { _ in Int(rng.next() % 4) }
            let b = (0..<Int(rng.next() % 12)).map { _ in Int(rng.next() % 4) }
            let script = TextDiff.editScript(a, b)
            XCTAssertEqual(script.filter { !$0.isKeep }.count, a.count + b.count - 2 * lcs(a, b), "\(a) → \(b)")
            var rebuilt: [Int] = []
            for edit in script {
                switch edit {
                case .keep(let i, let j):
                    XCTAssertEqual(a[i], b[j])
                    rebuilt.append(a[i])
                case .insert(let j): rebuilt.append(b[j])
                case .delete: break
                }
            }
            XCTAssertEqual(rebuilt, b)
        }
    }

    func testLargeInputsStayFast() {
        let old = (0..<20_000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = (0..<20_000).map { $0 % 1000 == 0 ? "changed \($0)" : "line \($0)" }.joined(separator: "\n") + "\n"
        let start = Date()
        let diff = TextDiff.unified(old: old, new: new, oldName: "a", newName: "b")
        XCTAssertEqual(diff.components(separatedBy: "\n@@ ").count - 1, 20)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }
}

private extension TextDiffTests {
    static func numbered(_ range: ClosedRange<Int>, replacing: [Int: String] = [:]) -> String {
        range.map { replacing[$0] ?? "line \($0)" }.joined(separator: "\n") + "\n"
    }

    /// The diff without its `---`/`+++` header, which carries timestamps in GNU diff.
    func body(_ diff: String) -> String {
        diff.components(separatedBy: "\n").dropFirst(2).joined(separator: "\n")
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("komply-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// GNU `diff -U<context>` output for each case, from one shell process.
    func gnuDiffs(_ cases: [(old: String, new: String, context: Int)]) throws -> [String] {
        let dir = try temporaryDirectory()
        for (index, test) in cases.enumerated() {
            let folder = dir.appendingPathComponent("\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(test.old.utf8).write(to: folder.appendingPathComponent("old"))
            try Data(test.new.utf8).write(to: folder.appendingPathComponent("new"))
            try Data("\(test.context)".utf8).write(to: folder.appendingPathComponent("context"))
        }
        _ = try run(
            "/bin/sh",
            ["-c", "for d in */; do (cd \"$d\" && /usr/bin/diff -U\"$(cat context)\" old new > out; [ $? -le 1 ]) || exit 2; done"],
            in: dir, okStatuses: [0])
        return try (0..<cases.count).map { String(decoding: try Data(contentsOf: dir.appendingPathComponent("\($0)/out")), as: UTF8.self) }
    }

    /// What GNU `patch` makes of each old text and diff, from one shell process.
    func patched(_ cases: [(old: String, diff: String)]) throws -> [String] {
        let dir = try temporaryDirectory()
        for (index, test) in cases.enumerated() {
            let folder = dir.appendingPathComponent("\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(test.old.utf8).write(to: folder.appendingPathComponent("old"))
            try Data(test.diff.utf8).write(to: folder.appendingPathComponent("change.diff"))
        }
        _ = try run(
            "/bin/sh", ["-c", "for d in */; do (cd \"$d\" && /usr/bin/patch -s -o out old change.diff) || exit 2; done"],
            in: dir, okStatuses: [0])
        return try (0..<cases.count).map { String(decoding: try Data(contentsOf: dir.appendingPathComponent("\($0)/out")), as: UTF8.self) }
    }

    func run(_ tool: String, _ arguments: [String], in directory: URL, okStatuses: Set<Int32>) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard okStatuses.contains(process.terminationStatus) else {
            throw NSError(domain: tool, code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    func randomText(_ rng: inout SplitMix) -> String {
        let words = ["alpha", "beta", "gamma", "delta", "", "  indented", "x"]
        let count = Int(rng.next() % 25)
        var text = (0..<count).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: "\n")
        if count > 0, rng.next() % 4 != 0 { text += "\n" }
        return text
    }

    func mutate(_ text: String, _ rng: inout SplitMix) -> String {
        var lines = text.components(separatedBy: "\n")
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        if text.isEmpty { lines = [] }
        for _ in 0..<Int(rng.next() % 5) {
            switch rng.next() % 3 {
            case 0 where !lines.isEmpty: lines.remove(at: Int(rng.next() % UInt64(lines.count)))
            case 1 where !lines.isEmpty: lines[Int(rng.next() % UInt64(lines.count))] = "changed \(rng.next() % 100)"
            default: lines.insert("new \(rng.next() % 100)", at: Int(rng.next() % UInt64(lines.count + 1)))
            }
        }
        guard !lines.isEmpty else { return "" }
        let trailing = rng.next() % 5 == 0 ? !endsWithNewline : endsWithNewline
        return lines.joined(separator: "\n") + (trailing ? "\n" : "")
    }

    func lcs(_ a: [Int], _ b: [Int]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 1...a.count {
            for j in 1...b.count {
                table[i][j] = a[i - 1] == b[j - 1] ? table[i - 1][j - 1] + 1 : max(table[i - 1][j], table[i][j - 1])
            }
        }
        return table[a.count][b.count]
    }
}

/// A small deterministic generator so random cases are reproducible.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
