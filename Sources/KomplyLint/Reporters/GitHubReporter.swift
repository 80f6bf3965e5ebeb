import KomplyCore

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
public struct GitHubReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ result: Linter.Result, context: ReportContext) -> String {
        var out = ""
        for problem in result.problems {
            let p = problem.position
            out +=
                "::error file=\(Self.property(p.file)),line=\(p.line),col=\(p.column),title=komply::\(Self.data(problem.localizedDescription))\n"
        }
        // One line per finding, built on all cores (a large run has tens of thousands).
        out += result.findings.concurrentMap { f in
            let command: String
            switch f.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .info: command = "notice"
            }
            return
                "::\(command) file=\(Self.property(f.location.file)),line=\(f.line),col=\(f.column),endLine=\(f.endLine),endColumn=\(f.endColumn)"
                + ",title=\(Self.property("komply " + f.ruleID))::\(Self.data(f.message + "\n" + f.remediation))\n"
        }.joined()
        return out
    }

    /// Escapes a command's message.
    static func data(_ text: String) -> String { text.escapingASCII(dataEscape) }

    /// Escapes a command property value: as a message, and `:` and `,` too.
    static func property(_ text: String) -> String {
        text.escapingASCII { byte in
            switch byte {
            case UInt8(ascii: ":"): return "%3A"
            case UInt8(ascii: ","): return "%2C"
            default: return dataEscape(byte)
            }
        }
    }

    static func dataEscape(_ byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "%"): return "%25"
        case UInt8(ascii: "\r"): return "%0D"
        case UInt8(ascii: "\n"): return "%0A"
        default: return nil
        }
    }
}
