import KomplyCore

/// One rule violation at an exact position.
public struct Finding: Sendable, Hashable {
    /// The rule id, such as `run-as-root`.
    public var ruleID: String
    /// The effective severity (after config overrides).
    public var severity: Severity
    /// The full message naming the object and container.
    public var message: String
    /// What to do about it: a sentence.
    public var remediation: String
    /// The file and the range of the offending node, or of the parent where a missing field belongs.
    public var location: SourceLocation
    /// The object the finding is about.
    public var object: ObjectReference
    /// The container's name, or nil for object-level findings.
    public var container: String?
    /// A logical path to the offending field (`spec.template.spec.containers[api].securityContext`),
    /// stable across line shifts; used for fingerprints and `--new-only`.
    public var path: String
    /// A safe automatic fix, when the check knows one.
    public var fix: Fix?

    /// Creates a finding.
    public init(
        ruleID: String, severity: Severity, message: String, remediation: String, location: SourceLocation,
        object: ObjectReference, container: String?, path: String, fix: Fix? = nil
    ) {
        self.ruleID = ruleID
        self.severity = severity
        self.message = message
        self.remediation = remediation
        self.location = location
        self.object = object
        self.container = container
        self.path = path
        self.fix = fix
    }

    /// 1-based start line (1 when the whole file is meant).
    public var line: Int { location.range?.start.line ?? 1 }
    /// 1-based start column.
    public var column: Int { location.range?.start.column ?? 1 }
    /// 1-based end line.
    public var endLine: Int { location.range?.end.line ?? line }
    /// 1-based end column (exclusive end of the node).
    public var endColumn: Int { location.range?.end.column ?? column }

    /// A digest of what the finding is about, independent of line numbers: rule, file, object,
    /// container and field path. SARIF `partialFingerprints` and `--new-only` use it.
    public var fingerprint: String {
        let key = [
            ruleID, location.file, object.apiVersion, object.kind, object.namespace ?? "", object.name,
            container ?? "", path,
        ].joined(separator: "\u{1F}")
        return FNV.hex(key)
    }

    /// Orders findings by file, line, column, then rule id: the order every reporter uses.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.location.file, a.line, a.column, a.ruleID, a.container ?? "", a.message)
            < (b.location.file, b.line, b.column, b.ruleID, b.container ?? "", b.message)
    }
}

/// 64-bit FNV-1a, hex-encoded: a stable, dependency-free digest for fingerprints.
enum FNV {
    static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
