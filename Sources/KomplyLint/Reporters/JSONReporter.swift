import Foundation
import KomplyCore

/// The JSON report: `{"version":1,"findings":[…],"summary":{…}}` as DESIGN.md specifies, plus
/// `problems` for files that could not be read.
public struct JSONReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ result: Linter.Result, context: ReportContext) -> String {
        String(decoding: renderData(result, context: context), as: UTF8.self)
    }

    // Written member by member rather than built as a tree: a large run has tens of thousands of
    // findings (docs/lint-benchmark.md).
    public func renderData(_ result: Linter.Result, context: ReportContext) -> Data {
        Data(joining: renderChunks(result, context: context))
    }

    public func renderChunks(_ result: Linter.Result, context: ReportContext) -> [Data] {
        let summary = Summary(result)
        let json = JSONWriter()
        json.beginObject()
        json.key("version")
        json.int(1)
        json.key("findings")
        json.array(result.findings) { finding, json in
            // Fields borrowed from the finding's box, not copied (see `Finding.box`).
            let box = finding.box
            json.beginObject()
            json.key("rule")
            json.string(box.fields.ruleID)
            json.key("severity")
            json.string(box.fields.severity.rawValue)
            json.key("message")
            json.string(box.fields.message)
            json.key("remediation")
            json.string(box.fields.remediation)
            json.key("file")
            json.string(box.fields.location.file)
            json.key("line")
            json.int(finding.line)
            json.key("column")
            json.int(finding.column)
            json.key("endLine")
            json.int(finding.endLine)
            json.key("endColumn")
            json.int(finding.endColumn)
            json.key("object")
            json.beginObject()
            json.key("apiVersion")
            json.string(box.fields.object.apiVersion)
            json.key("kind")
            json.string(box.fields.object.kind)
            json.key("name")
            json.string(box.fields.object.name)
            json.key("namespace")
            json.string(box.fields.object.namespace)
            json.endObject()
            json.key("container")
            json.string(box.fields.container)
            json.key("fingerprint")
            json.string(box.fingerprint)
            json.key("fix")
            json.string(box.fields.fix?.summary)
            json.endObject()
        }
        json.key("summary")
        json.value(
            .members([
                ("files", .int(result.files.count)), ("objects", .int(result.objectCount)), ("findings", .int(result.findings.count)),
                ("error", .int(summary.errors)), ("warning", .int(summary.warnings)), ("info", .int(summary.infos)),
                ("suppressed", .int(summary.suppressed)), ("problems", .int(result.problems.count)),
            ]))
        json.key("problems")
        json.value(
            .array(
                result.problems.map { problem in
                    let position = problem.position
                    return .members([
                        ("file", .string(position.file)), ("line", .int(position.line)), ("column", .int(position.column)),
                        ("message", .string(problem.localizedDescription)),
                    ])
                }))
        json.endObject()
        return json.finishChunks()
    }
}
