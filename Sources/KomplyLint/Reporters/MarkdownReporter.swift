import KomplyCore

/// GitHub-flavoured Markdown for pull-request comments and descriptions: a one-line summary, a table
/// of findings, errors first (capped, so a comment stays under the hosts' size limits) and each rule's fix once.
public struct MarkdownReporter: Reporter {
    /// Rows shown before the table says how many more there are.
    public var maximumRows: Int

    /// Creates the reporter.
    public init(maximumRows: Int = 100) {
        self.maximumRows = maximumRows
    }

    public func render(_ result: Linter.Result, context: ReportContext) -> String {
        let summary = Summary(result)
        var out = "#### komply lint: " + Self.headline(summary, files: result.files.count, objects: result.objectCount) + "\n\n"
        if !result.problems.isEmpty {
            out += "Unreadable input:\n\n"
            for problem in result.problems {
                out += "- \(Markdown.cell(problem.localizedDescription))\n"
            }
            out += "\n"
        }
        guard !result.findings.isEmpty else {
            out += result.problems.isEmpty ? "No findings.\n" : ""
            return out
        }
        out += "| | rule | where | finding |\n|---|---|---|---|\n"
        // Errors first: a comment is read top-down and may be cut.
        let shown = result.findings.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.prefix(maximumRows).map(\.element)
        for finding in shown {
            out += "| \(Self.badge[finding.severity]!) \(finding.severity.rawValue) | `\(finding.ruleID)` "
            out +=
                "| \(Markdown.code("\(finding.location.file):\(finding.line):\(finding.column)")) | \(Markdown.cell(finding.message)) |\n"
        }
        if result.findings.count > maximumRows {
            out += "\n… and \(result.findings.count - maximumRows) more; run `komply lint` locally for all of them.\n"
        }
        var seen = Set<String>()
        let fixes = shown.filter { seen.insert($0.ruleID).inserted }.sorted { $0.ruleID < $1.ruleID }
        out += "\n<details><summary>How to fix</summary>\n\n"
        for finding in fixes {
            out += "- `\(finding.ruleID)`: \(Markdown.cell(finding.remediation))\n"
        }
        out += "\n</details>\n"
        return out
    }
}

extension MarkdownReporter {
    /// "2 errors, 1 warning, 0 infos in 3 files (5 objects); 1 suppressed".
    static func headline(_ summary: Summary, files: Int, objects: Int) -> String {
        var text = [
            plural(summary.errors, "error"), plural(summary.warnings, "warning"), plural(summary.infos, "info"),
        ].joined(separator: ", ")
        text += " in \(plural(files, "file")) (\(plural(objects, "object")))"
        if summary.suppressed > 0 { text += "; \(summary.suppressed) suppressed" }
        return text
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    static let badge: [Severity: String] = [.error: "🔴", .warning: "🟠", .info: "🔵"]
}
