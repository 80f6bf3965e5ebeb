extension Diagnostic {
    /// `{"severity","message","file","line","column"}` as komply's JSON outputs carry it (null position
    /// fields when unknown; `severity` is `note`, `warning` or `error`).
    public var jsonValue: ValueTree {
        let start = location?.range?.start
        return .members([
            ("severity", .string(severity.diagnosticLabel)), ("message", .string(message)),
            ("file", location.map { .string($0.file) } ?? .null), ("line", start.map { .int($0.line) } ?? .null),
            ("column", start.map { .int($0.column) } ?? .null),
        ])
    }
}
