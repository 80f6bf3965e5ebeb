import Foundation
import KomplyCore

/// What every reporter is given besides the findings.
public struct ReportContext: Sendable {
    /// Every rule known to the run (SARIF lists their metadata).
    public var rules: [Rule]
    /// Use ANSI colours (text reporter on a terminal).
    public var color: Bool
    /// komply's version.
    public var toolVersion: String

    /// Creates a context.
    public init(rules: [Rule], color: Bool = false, toolVersion: String = KomplyVersion.current) {
        self.rules = rules
        self.color = color
        self.toolVersion = toolVersion
    }
}

/// Output formats.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, junit, github, markdown

    /// The reporter for the format.
    public var reporter: any Reporter {
        switch self {
        case .text: return TextReporter()
        case .json: return JSONReporter()
        case .sarif: return SARIFReporter()
        case .junit: return JUnitReporter()
        case .github: return GitHubReporter()
        case .markdown: return MarkdownReporter()
        }
    }
}

/// Renders a lint result in one format; output is deterministic.
public protocol Reporter: Sendable {
    /// The whole report.
    func render(_ result: Linter.Result, context: ReportContext) -> String
    /// The same report as UTF-8 bytes, for writing out (JSON reporters make them without a String).
    func renderData(_ result: Linter.Result, context: ReportContext) -> Data
    /// The same bytes in pieces, in order, for writing out one after another (the JSON reporters
    /// write a large report in parallel pieces and do not join them).
    func renderChunks(_ result: Linter.Result, context: ReportContext) -> [Data]
}

extension Reporter {
    public func renderData(_ result: Linter.Result, context: ReportContext) -> Data { Data(render(result, context: context).utf8) }
    public func renderChunks(_ result: Linter.Result, context: ReportContext) -> [Data] { [renderData(result, context: context)] }
}

/// Counts shared by the reporters' summaries.
struct Summary {
    let errors: Int
    let warnings: Int
    let infos: Int
    let suppressed: Int

    init(_ result: Linter.Result) {
        // One pass, nothing copied: a large run has tens of thousands of findings.
        var counts = (error: 0, warning: 0, info: 0)
        for finding in result.findings {
            switch finding.severity {
            case .error: counts.error += 1
            case .warning: counts.warning += 1
            case .info: counts.info += 1
            }
        }
        (errors, warnings, infos) = counts
        suppressed = result.suppressed.count
    }
}

extension LintError {
    /// The file and 1-based position of a load problem (line 1, column 1 when unknown).
    var position: (file: String, line: Int, column: Int) {
        switch self {
        case .core(let error):
            let location = error.location
            return (location?.file ?? "", location?.range?.start.line ?? 1, location?.range?.start.column ?? 1)
        default:
            return ("", 1, 1)
        }
    }
}
