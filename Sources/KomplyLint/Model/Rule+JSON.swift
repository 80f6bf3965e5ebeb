import KomplyCore

extension Rule {
    /// The JSON shape `komply rules list --format json` prints per rule, with its effective severity
    /// (nil when the configuration turns it off).
    public func valueTree(effective: Severity?) -> ValueTree {
        .members([
            ("id", .string(id)), ("category", .string(category)), ("severity", .string(severity.rawValue)),
            ("effectiveSeverity", effective.map { .string($0.rawValue) } ?? .null), ("enabled", .bool(effective != nil)),
            ("description", .string(description)), ("remediation", .string(remediation)), ("check", .string(check)),
            ("params", params), ("builtin", .bool(isBuiltin)), ("source", .string(source.file)),
            ("kinds", scope.kinds.map { .array($0.map(ValueTree.string)) } ?? .null),
            ("equivalents", .sortedObject(equivalents.mapValues { .array($0.map(ValueTree.string)) })),
        ])
    }
}
