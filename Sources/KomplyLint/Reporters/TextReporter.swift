import Foundation
import KomplyCore

/// Human-readable report: findings grouped by file, each with the source line and a caret under
/// the offending field, the remediation, and a summary; ANSI colours when asked.
public struct TextReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ result: Linter.Result, context: ReportContext) -> String {
        let paint = Paint(enabled: context.color)
        var out = ""
        for problem in result.problems {
            out += paint.red("error") + ": " + problem.localizedDescription + "\n"
        }
        // Each finding's lines are built on all cores (a large run has tens of thousands), from the
        // source lines of the files that have findings, split once per file, also on all cores.
        let files = Array(Set(result.findings.map(\.location.file)))
        let lines = Dictionary(
            uniqueKeysWithValues: files.concurrentMap { [texts = result.texts] file in (file, (texts[file] ?? "").lineSlices) })
        let blocks = result.findings.concurrentMap { [lines] f in Self.block(f, lines: lines[f.location.file] ?? [], paint: paint) }
        var currentFile: String?
        for (f, block) in zip(result.findings, blocks) {
            if f.location.file != currentFile {
                if currentFile != nil { out += "\n" }
                currentFile = f.location.file
                out += paint.bold(f.location.file) + "\n"
            }
            out += block
        }
        let summary = Summary(result)
        if !result.findings.isEmpty { out += "\n" }
        let counts =
            "\(summary.errors) error\(summary.errors == 1 ? "" : "s"), \(summary.warnings) warning\(summary.warnings == 1 ? "" : "s"), \(summary.infos) info"
        let scope =
            "in \(result.files.count) file\(result.files.count == 1 ? "" : "s") (\(result.objectCount) object\(result.objectCount == 1 ? "" : "s"))"
        let extra =
            (summary.suppressed > 0 ? "; \(summary.suppressed) suppressed" : "")
            + (result.problems.isEmpty ? "" : "; \(result.problems.count) unreadable")
        // "✓" only when every file was read: an unreadable file was not checked at all.
        let head =
            !result.findings.isEmpty
            ? paint.bold("\(result.findings.count) finding\(result.findings.count == 1 ? "" : "s")")
            : !result.problems.isEmpty
                ? paint.red("✗ no findings in what could be read")
                : result.objectCount == 0 ? paint.yellow("nothing linted") : paint.green("✓ no findings")
        out += "\(head) (\(counts)) \(scope)\(extra)\n"
        return out
    }
}

extension TextReporter {
    /// One finding: position, severity, message and rule; the source line with a caret under the
    /// range; the remediation.
    static func block(_ f: Finding, lines: [Substring], paint: Paint) -> String {
        var out = ""
        let label = Self.label(f.severity)
        let coloured = f.severity == .error ? paint.red(label) : f.severity == .warning ? paint.yellow(label) : paint.blue(label)
        out += "  \(f.line):\(f.column)  \(coloured)  \(f.message)  \(paint.dim("[" + f.ruleID + "]"))\n"
        if f.line >= 1, f.line <= lines.count {
            // Secret values never reach a report: the line is shown with them masked.
            let original = lines[f.line - 1]
            let source = SecretMask.masked(original, previous: f.line >= 2 ? lines[f.line - 2] : nil)
            let number = String(f.line)
            let gutter = String(repeating: " ", count: number.count)
            // The caret spans what the range spans, shortened by what the mask took out.
            let shortened = original.count - source.count
            let width =
                f.endLine == f.line ? max(1, f.endColumn - f.column - shortened) : max(1, source.count - f.column + 1)
            out += "    \(paint.dim(number + " |")) \(source)\n"
            out +=
                "    \(paint.dim(gutter + " |")) " + String(repeating: " ", count: max(0, f.column - 1))
                + paint.red(String(repeating: "^", count: width)) + "\n"
        }
        out += "    \(paint.dim("= fix:")) \(f.remediation)\n"
        return out
    }

    /// The severity padded to a column of seven.
    static func label(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error  "
        case .warning: return "warning"
        case .info: return "info   "
        }
    }
}

/// ANSI styling that is a no-op when disabled.
package struct Paint {
    package let enabled: Bool
    /// Styling on (`enabled`) or a no-op.
    package init(enabled: Bool) { self.enabled = enabled }
    package func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    package func red(_ t: String) -> String { wrap("31", t) }
    package func yellow(_ t: String) -> String { wrap("33", t) }
    package func blue(_ t: String) -> String { wrap("34", t) }
    package func green(_ t: String) -> String { wrap("32", t) }
    package func bold(_ t: String) -> String { wrap("1", t) }
    package func dim(_ t: String) -> String { wrap("2", t) }
}
