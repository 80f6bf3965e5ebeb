import KomplyCore

/// JUnit XML: one test suite per file, one failing test case per finding, one passing case per
/// clean file, and an error case per file that could not be read.
public struct JUnitReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ result: Linter.Result, context: ReportContext) -> String {
        var byFile: [String: [Finding]] = [:]
        for finding in result.findings { byFile[finding.location.file, default: []].append(finding) }
        let problems = Dictionary(grouping: result.problems, by: { $0.position.file })
        let files = Set(result.files).union(byFile.keys).union(problems.keys).sorted()
        var suites = ""
        var total = 0
        for file in files {
            let findings = byFile[file] ?? []
            let errors = problems[file] ?? []
            var cases = ""
            for f in findings {
                let name = "\(f.ruleID): \(f.object.display)" + (f.container.map { " container \"\($0)\"" } ?? "")
                cases +=
                    "    <testcase classname=\"\(Self.escape(f.ruleID))\" name=\"\(Self.escape(name))\" file=\"\(Self.escape(file))\" line=\"\(f.line)\">\n"
                cases += "      <failure message=\"\(Self.escape(f.message))\" type=\"\(f.severity.rawValue)\">"
                cases += Self.escape("\(file):\(f.line):\(f.column): \(f.message)\n\(f.remediation)") + "</failure>\n    </testcase>\n"
            }
            for problem in errors {
                cases += "    <testcase classname=\"komply\" name=\"read \(Self.escape(file))\" file=\"\(Self.escape(file))\">\n"
                cases += "      <error message=\"\(Self.escape(problem.localizedDescription))\" type=\"input\"/>\n    </testcase>\n"
            }
            if findings.isEmpty && errors.isEmpty {
                cases += "    <testcase classname=\"komply\" name=\"\(Self.escape(file))\" file=\"\(Self.escape(file))\"/>\n"
            }
            let count = max(1, findings.count + errors.count)
            total += count
            suites +=
                "  <testsuite name=\"\(Self.escape(file))\" tests=\"\(count)\" failures=\"\(findings.count)\" errors=\"\(errors.count)\" skipped=\"0\">\n"
            suites += cases + "  </testsuite>\n"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"komply lint\" tests=\"\(total)\" failures=\"\(result.findings.count)\" errors=\"\(result.problems.count)\">\n"
            + suites + "</testsuites>\n"
    }

    /// Escapes XML text and attribute values (control characters other than tab and newline are dropped).
    static func escape(_ text: String) -> String {
        text.escapingASCII { byte in
            switch byte {
            case UInt8(ascii: "&"): return "&amp;"
            case UInt8(ascii: "<"): return "&lt;"
            case UInt8(ascii: ">"): return "&gt;"
            case UInt8(ascii: "\""): return "&quot;"
            case UInt8(ascii: "'"): return "&apos;"
            case UInt8(ascii: "\n"): return "&#10;"
            case UInt8(ascii: "\t"): return "&#9;"
            case ..<0x20: return ""
            default: return nil
            }
        }
    }
}
