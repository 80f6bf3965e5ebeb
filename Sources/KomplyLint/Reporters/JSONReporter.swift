import Foundation
import KomplyCore

/// The JSON report: `{"version":1,"findings":[…],"summary":{…}}` as DESIGN.md specifies, plus
/// `problems` for files that could not be read.
public struct JSONReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ result: Linter.Result, context: ReportContext) -> String {
        JSONEmitter.emit(tree(result))
    }

    public func renderData(_ result: Linter.Result, context: ReportContext) -> Data { JSONEmitter.emitData(tree(result)) }

    /// The report as a value tree.
    public func tree(_ result: Linter.Result) -> ValueTree {
        let summary = Summary(result)
        let findings: [ValueTree] = result.findings.concurrentMap { f in
            .members([
                ("rule", .string(f.ruleID)), ("severity", .string(f.severity.rawValue)), ("message", .string(f.message)),
                ("remediation", .string(f.remediation)), ("file", .string(f.location.file)), ("line", .int(f.line)),
                ("column", .int(f.column)), ("endLine", .int(f.endLine)), ("endColumn", .int(f.endColumn)),
                (
                    "object",
                    .members([
                        ("apiVersion", .string(f.object.apiVersion)), ("kind", .string(f.object.kind)), ("name", .string(f.object.name)),
                        ("namespace", f.object.namespace.map(ValueTree.string) ?? .null),
                    ])
                ),
                ("container", f.container.map(ValueTree.string) ?? .null),
                ("fingerprint", .string(f.fingerprint)),
                ("fix", f.fix.map { .string($0.summary) } ?? .null),
            ])
        }
        let problems: [ValueTree] = result.problems.map { problem in
            let position = problem.position
            return .members([
                ("file", .string(position.file)), ("line", .int(position.line)), ("column", .int(position.column)),
                ("message", .string(problem.localizedDescription)),
            ])
        }
        return .members([
            ("version", .int(1)), ("findings", .array(findings)),
            (
                "summary",
                .members([
                    ("files", .int(result.files.count)), ("objects", .int(result.objectCount)), ("findings", .int(result.findings.count)),
                    ("error", .int(summary.errors)), ("warning", .int(summary.warnings)), ("info", .int(summary.infos)),
                    ("suppressed", .int(summary.suppressed)), ("problems", .int(result.problems.count)),
                ])
            ),
            ("problems", .array(problems)),
        ])
    }
}
