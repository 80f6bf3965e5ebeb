import Foundation
import KomplyCore

/// Runs a rule's own fixtures: `<id>/compliant.<case>.yaml` must produce no finding of the rule;
/// `<id>/violating.<case>.yaml` must produce exactly the findings its `# expect: <rule-id>`
/// markers name, at the marked line and column. The column is the marked line's first character
/// after indentation and any `- `, or an explicit `# expect: <rule-id>@<column>`.
public enum RuleTester {
    /// The verdict on one fixture file.
    public struct Outcome: Sendable, Hashable {
        /// The rule id.
        public var rule: String
        /// The fixture path.
        public var fixture: String
        /// What went wrong; empty when the fixture passed.
        public var failures: [String]
        /// True when the fixture passed.
        public var passed: Bool { failures.isEmpty }
    }

    /// An expected finding from a marker.
    public struct Expectation: Sendable, Hashable, Comparable {
        /// 1-based line.
        public var line: Int
        /// 1-based column.
        public var column: Int

        public static func < (a: Expectation, b: Expectation) -> Bool { (a.line, a.column) < (b.line, b.column) }
    }

    /// The folder holding a rule's fixtures, looked up as `<root>/fixtures/<id>`,
    /// `<root>/../fixtures/rules/<id>` and `<root>/<id>` for each root; nil when there is none.
    public static func fixtureDirectory(for rule: Rule, roots: [String]) -> String? {
        for root in roots {
            for candidate in ["fixtures/\(rule.id)", "../fixtures/rules/\(rule.id)", rule.id] {
                let path = (root as NSString).appendingPathComponent(candidate)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return (path as NSString).standardizingPath
                }
            }
        }
        return nil
    }

    /// The fixture files of a folder, split by kind.
    public static func fixtures(in directory: String) -> (compliant: [String], violating: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let paths = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
            .map { (directory as NSString).appendingPathComponent($0) }
        return (
            paths.filter { ($0 as NSString).lastPathComponent.hasPrefix("compliant.") },
            paths.filter { ($0 as NSString).lastPathComponent.hasPrefix("violating.") }
        )
    }

    /// The markers for `ruleID` in a fixture's text.
    public static func expectations(in text: String, ruleID: String) -> [Expectation] {
        var result: [Expectation] = []
        for (index, line) in text.lineSlices.enumerated() {
            guard let marker = line.range(of: "# expect: ") else { continue }
            for item in line[marker.upperBound...].split(separator: ",") {
                let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "@")
                guard parts.first.map(String.init) == ruleID else { continue }
                let column = parts.count > 1 ? Int(parts[1]) : nil
                result.append(Expectation(line: index + 1, column: column ?? defaultColumn(line)))
            }
        }
        return result.sorted()
    }

    /// Runs every fixture of `rule` with an engine that knows `allRules` but runs only `rule`.
    public static func run(rule: Rule, allRules: [Rule], directory: String, today: Date = Date()) throws(LintError) -> [Outcome] {
        let linter = try Linter(rules: allRules, only: [rule.id], today: today)
        let (compliant, violating) = fixtures(in: directory)
        var outcomes: [Outcome] = []
        if compliant.isEmpty || violating.isEmpty {
            outcomes.append(
                Outcome(rule: rule.id, fixture: directory, failures: ["expected compliant.<case>.yaml and violating.<case>.yaml fixtures"]))
        }
        for path in compliant + violating {
            let result = try linter.lint(paths: [path])
            var failures = result.problems.map { $0.localizedDescription }
            let found = result.findings.filter { $0.ruleID == rule.id }.map { Expectation(line: $0.line, column: $0.column) }.sorted()
            let text = result.texts[path] ?? ""
            let expected = expectations(in: text, ruleID: rule.id)
            if compliant.contains(path) {
                failures += found.map { "unexpected finding at \($0.line):\($0.column)" }
            } else {
                if expected.isEmpty { failures.append("no `# expect: \(rule.id)` marker") }
                for e in expected where !found.contains(e) {
                    failures.append("expected a finding at \(e.line):\(e.column)" + near(e, found))
                }
                for f in found where !expected.contains(f) { failures.append("unexpected finding at \(f.line):\(f.column)") }
            }
            outcomes.append(Outcome(rule: rule.id, fixture: path, failures: failures))
        }
        return outcomes
    }

    /// What `komply lint --fix` makes of a fixture with only `rule` running: the fixed text, with any
    /// file the fix creates (a default-deny NetworkPolicy) appended as further `---` documents; nil
    /// when the rule fixes nothing in it.
    public static func fixed(rule: Rule, allRules: [Rule], fixture path: String, today: Date = Date()) throws(LintError) -> String? {
        let linter = try Linter(rules: allRules, only: [rule.id], today: today)
        let result = try linter.lint(paths: [path])
        let changes = Fixer.fix(result, with: linter)
        guard !changes.isEmpty else { return nil }
        var text = changes.first { $0.file == path }?.after ?? result.texts[path] ?? ""
        for created in changes where created.file != path {
            text += (text.hasSuffix("\n") ? "" : "\n") + "---\n" + created.after
        }
        return text
    }
}

private extension RuleTester {
    static func defaultColumn(_ line: Substring) -> Int {
        var column = 1
        var rest = line[...]
        while let first = rest.first, first == " " || first == "-" {
            // Skip indentation and sequence indicators (`- `).
            if first == "-", rest.dropFirst().first != " " { break }
            rest = rest.dropFirst()
            column += 1
        }
        return column
    }

    static func near(_ e: Expectation, _ found: [Expectation]) -> String {
        let sameLine = found.filter { $0.line == e.line }
        guard let other = sameLine.first ?? found.first else { return "" }
        return " (found one at \(other.line):\(other.column))"
    }
}

extension RuleTester {
    /// The report of `komply rules test`: one line per fixture (`ok` or `FAIL` with the failures),
    /// then the totals.
    public struct PackReport: Sendable {
        /// The lines to print, in rule-id and fixture order.
        public var lines: [String]
        /// Fixtures that passed.
        public var passed: Int
        /// Fixtures that failed, and rules without fixtures.
        public var failed: Int
    }

    /// Runs the fixtures of every rule in `directories` (user rules over the built-in pack, which
    /// cross-object rules may need as context).
    public static func testPack(directories: [String], today: Date = Date()) throws(LintError) -> PackReport {
        var custom: [Rule] = []
        for directory in directories { custom += try RuleLoader.load(directory: directory) }
        guard !custom.isEmpty else { throw .noRuleFiles(folders: directories) }
        var all = try RuleLoader.builtin().filter { rule in !custom.contains { $0.id == rule.id } }
        all += custom
        var report = PackReport(lines: [], passed: 0, failed: 0)
        for rule in custom.sorted(by: { $0.id < $1.id }) {
            guard let folder = fixtureDirectory(for: rule, roots: directories) else {
                report.lines.append(
                    "FAIL \(rule.id): no fixtures (expected \(directories[0])/fixtures/\(rule.id)/compliant.<case>.yaml and violating.<case>.yaml)"
                )
                report.failed += 1
                continue
            }
            for outcome in try run(rule: rule, allRules: all, directory: folder, today: today) {
                if outcome.passed {
                    report.passed += 1
                    report.lines.append("ok   \(rule.id)  \(outcome.fixture)")
                } else {
                    report.failed += 1
                    report.lines.append("FAIL \(rule.id)  \(outcome.fixture)")
                    report.lines += outcome.failures.map { "       \($0)" }
                }
            }
        }
        report.lines.append("\(report.passed) passed, \(report.failed) failed")
        return report
    }
}
