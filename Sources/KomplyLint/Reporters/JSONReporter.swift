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
        json.array(result.findings) { f, json in
            json.beginObject()
            json.key("rule")
            json.string(f.ruleID)
            json.key("severity")
            json.string(f.severity.rawValue)
            json.key("message")
            json.string(f.message)
            json.key("remediation")
            json.string(f.remediation)
            json.key("file")
            json.string(f.location.file)
            for (key, number) in [("line", f.line), ("column", f.column), ("endLine", f.endLine), ("endColumn", f.endColumn)] {
                json.key(key)
                json.int(number)
            }
            json.key("object")
            json.beginObject()
            json.key("apiVersion")
            json.string(f.object.apiVersion)
            json.key("kind")
            json.string(f.object.kind)
            json.key("name")
            json.string(f.object.name)
            json.key("namespace")
            json.string(f.object.namespace)
            json.endObject()
            json.key("container")
            json.string(f.container)
            json.key("fingerprint")
            json.string(f.fingerprint)
            json.key("fix")
            json.string(f.fix?.summary)
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
