import Foundation
import KomplyCore

/// SARIF 2.1.0 for code scanning: rule metadata with help, exact regions, and partial
/// fingerprints that do not change when lines shift.
public struct SARIFReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ result: Linter.Result, context: ReportContext) -> String { JSONEmitter.emit(log(result, context: context)) }

    public func renderData(_ result: Linter.Result, context: ReportContext) -> Data {
        JSONEmitter.emitData(log(result, context: context))
    }

    public func renderChunks(_ result: Linter.Result, context: ReportContext) -> [Data] {
        JSONEmitter.emitChunks(log(result, context: context))
    }

    /// The SARIF log as a value tree.
    func log(_ result: Linter.Result, context: ReportContext) -> ValueTree {
        let rules = context.rules.sorted { $0.id < $1.id }
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let descriptors: [ValueTree] = rules.map { rule in
            var help = "\(rule.description)\n\nRemediation: \(rule.remediation)"
            if let extra = rule.help { help += "\n\n\(extra)" }
            return .members([
                ("id", .string(rule.id)), ("name", .string(Self.pascal(rule.id))),
                ("shortDescription", .members([("text", .string(rule.description))])),
                ("fullDescription", .members([("text", .string(rule.description + " " + rule.remediation))])),
                (
                    "help",
                    .members([
                        ("text", .string(help)),
                        ("markdown", .string(help.replacingOccurrences(of: "Remediation:", with: "**Remediation:**"))),
                    ])
                ),
                ("helpUri", rule.references.first.map(ValueTree.string)),
                (
                    "defaultConfiguration",
                    .members([("enabled", .bool(rule.enabledByDefault)), ("level", .string(Self.level(rule.severity)))])
                ),
                ("properties", .members([("category", .string(rule.category)), ("tags", .array([.string(rule.category)]))])),
            ])
        }
        // Percent-encoding goes through Foundation's CharacterSet: once per file, not per finding.
        var uris: [String: String] = [:]
        for f in result.findings where uris[f.location.file] == nil { uris[f.location.file] = Self.uri(f.location.file) }
        let results: [ValueTree] = result.findings.concurrentMap { [uris] f in
            .members([
                ("ruleId", .string(f.ruleID)), ("ruleIndex", ruleIndex[f.ruleID].map(ValueTree.int)),
                ("level", .string(Self.level(f.severity))),
                ("message", .members([("text", .string(f.message + ". " + f.remediation))])),
                (
                    "locations",
                    .array([
                        .members([
                            (
                                "physicalLocation",
                                .members([
                                    (
                                        "artifactLocation",
                                        .members([("uri", .string(uris[f.location.file]!)), ("uriBaseId", .string("%SRCROOT%"))])
                                    ),
                                    // SARIF regions are 1-based; endColumn is exclusive, as komply's is.
                                    (
                                        "region",
                                        .members([
                                            ("startLine", .int(max(1, f.line))), ("startColumn", .int(max(1, f.column))),
                                            ("endLine", .int(max(f.line, f.endLine))), ("endColumn", .int(max(1, f.endColumn))),
                                        ])
                                    ),
                                ])
                            ),
                            (
                                "logicalLocations",
                                .array([
                                    .members([
                                        ("fullyQualifiedName", .string(Self.logicalName(f))),
                                        ("kind", .string(f.container == nil ? "object" : "member")),
                                    ])
                                ])
                            ),
                        ])
                    ])
                ),
                ("partialFingerprints", .members([("komply/v1", .string(f.fingerprint))])),
                ("properties", .members([("severity", .string(f.severity.rawValue)), ("fix", f.fix.map { .string($0.summary) })])),
            ])
        }
        let notifications: [ValueTree] = result.problems.map { problem in
            let position = problem.position
            return .members([
                ("level", .string("error")), ("message", .members([("text", .string(problem.localizedDescription))])),
                (
                    "locations",
                    .array([
                        .members([
                            (
                                "physicalLocation",
                                .members([
                                    (
                                        "artifactLocation",
                                        .members([("uri", .string(Self.uri(position.file))), ("uriBaseId", .string("%SRCROOT%"))])
                                    ),
                                    ("region", .members([("startLine", .int(position.line)), ("startColumn", .int(position.column))])),
                                ])
                            )
                        ])
                    ])
                ),
            ])
        }
        let run: ValueTree = .members([
            (
                "tool",
                .members([
                    (
                        "driver",
                        .members([
                            ("name", .string("komply")), ("version", .string(context.toolVersion)),
                            ("semanticVersion", .string(context.toolVersion)),
                            ("informationUri", .string("https://github.com/komply-dev/komply")), ("rules", .array(descriptors)),
                        ])
                    )
                ])
            ),
            (
                "invocations",
                .array([
                    .members([
                        ("executionSuccessful", .bool(result.problems.isEmpty)), ("toolExecutionNotifications", .array(notifications)),
                    ])
                ])
            ),
            ("columnKind", .string("unicodeCodePoints")),
            ("results", .array(results)),
        ])
        return .members([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")), ("version", .string("2.1.0")),
            ("runs", .array([run])),
        ])
    }
}

private extension SARIFReporter {
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    static func pascal(_ id: String) -> String { id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() }

    static func uri(_ file: String) -> String {
        var path = file
        while path.hasPrefix("./") { path.removeFirst(2) }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    static func logicalName(_ f: Finding) -> String {
        var parts = [f.object.namespace ?? "", f.object.kind, f.object.name]
        if let container = f.container { parts.append(container) }
        return parts.joined(separator: "/")
    }
}
