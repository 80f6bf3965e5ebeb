import KomplyCore

/// One rule violation at an exact position.
///
/// A value type whose fields live in one shared box (copy on write): reports sort, filter and map
/// tens of thousands of findings, and copying one is then a single reference count, not one per field.
public struct Finding: Sendable, Hashable {
    /// The rule id, such as `run-as-root`.
    public var ruleID: String {
        get { box.fields.ruleID }
        set { update { $0.ruleID = newValue } }
    }
    /// The effective severity (after config overrides).
    public var severity: Severity {
        get { box.fields.severity }
        set { update { $0.severity = newValue } }
    }
    /// The full message naming the object and container.
    public var message: String {
        get { box.fields.message }
        set { update { $0.message = newValue } }
    }
    /// What to do about it: a sentence.
    public var remediation: String {
        get { box.fields.remediation }
        set { update { $0.remediation = newValue } }
    }
    /// The file and the range of the offending node, or of the parent where a missing field belongs.
    public var location: SourceLocation {
        get { box.fields.location }
        set { update { $0.location = newValue } }
    }
    /// The object the finding is about.
    public var object: ObjectReference {
        get { box.fields.object }
        set { update { $0.object = newValue } }
    }
    /// The container's name, or nil for object-level findings.
    public var container: String? {
        get { box.fields.container }
        set { update { $0.container = newValue } }
    }
    /// A logical path to the offending field (`spec.template.spec.containers[api].securityContext`),
    /// stable across line shifts; used for fingerprints and `--new-only`.
    public var path: String {
        get { box.fields.path }
        set { update { $0.path = newValue } }
    }
    /// A safe automatic fix, when the check knows one.
    public var fix: Fix? {
        get { box.fields.fix }
        set { update { $0.fix = newValue } }
    }

    /// Creates a finding.
    public init(
        ruleID: String, severity: Severity, message: String, remediation: String, location: SourceLocation,
        object: ObjectReference, container: String?, path: String, fix: Fix? = nil
    ) {
        box = Box(
            Fields(
                ruleID: ruleID, severity: severity, message: message, remediation: remediation, location: location, object: object,
                container: container, path: path, fix: fix))
    }

    /// The fields, shared by copies until one of them changes. Reporters read them through the box:
    /// a field read from it is borrowed, not copied (no reference count for the cores to contend
    /// for: every finding of a rule shares its remediation text).
    private(set) var box: Box

    public static func == (a: Finding, b: Finding) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

    public func hash(into hasher: inout Hasher) { box.fields.hash(into: &hasher) }

    // The positions are read in place from the box (no copy of the location and its file name):
    // reports and the sort read them for every finding.
    /// 1-based start line (1 when the whole file is meant).
    public var line: Int { box.fields.location.range?.start.line ?? 1 }
    /// 1-based start column.
    public var column: Int { box.fields.location.range?.start.column ?? 1 }
    /// 1-based end line.
    public var endLine: Int { box.fields.location.range?.end.line ?? line }
    /// 1-based end column (exclusive end of the node).
    public var endColumn: Int { box.fields.location.range?.end.column ?? column }

    /// A digest of what the finding is about, independent of line numbers: rule, file, object,
    /// container and field path. SARIF `partialFingerprints` and `--new-only` use it.
    ///
    /// Computed when the finding is made (by the engine, on all cores) rather than when a report asks.
    public var fingerprint: String { box.fingerprint }

    /// Orders findings by file, line, column, then rule id: the order every reporter uses.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        // The tuple order (file, line, column, rule, container ?? "", message), compared field by field
        // so that sorting copies no strings.
        if a.location.file != b.location.file { return a.location.file < b.location.file }
        let (aLine, bLine) = (a.line, b.line)
        if aLine != bLine { return aLine < bLine }
        let (aColumn, bColumn) = (a.column, b.column)
        if aColumn != bColumn { return aColumn < bColumn }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        switch (a.container, b.container) {
        case (nil, nil): break
        case (let x?, nil): if !x.isEmpty { return false }
        case (nil, let y?): if !y.isEmpty { return true }
        case (let x?, let y?): if x != y { return x < y }
        }
        return a.message < b.message
    }
}

extension Finding {
    /// The stored fields.
    struct Fields: Hashable, Sendable {
        var ruleID: String
        var severity: Severity
        var message: String
        var remediation: String
        var location: SourceLocation
        var object: ObjectReference
        var container: String?
        var path: String
        var fix: Fix?
    }

    /// The box the fields live in, with their fingerprint; it never changes, so sharing it between
    /// copies and threads is safe.
    final class Box: Sendable {
        // Constants: reading a field is then a plain load, without the run-time exclusivity check
        // that a class's `var` costs on every access (reports read a dozen fields per finding).
        let fields: Fields
        let fingerprint: String

        init(_ fields: consuming Fields) {
            // The digest first, then the fields moved in (not copied: every finding makes one box).
            fingerprint = fields.fingerprint
            self.fields = fields
        }
    }

    /// Changes the fields: a new box (findings change rarely; they are read a lot).
    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = box.fields
        change(&fields)
        box = Box(fields)
    }
}

extension Finding.Fields {
    /// FNV-1a of rule, file, object, container and path joined with U+001F (hashed part by part
    /// rather than joined first).
    var fingerprint: String {
        var hash = FNV()
        hash.add(ruleID)
        hash.add(separated: location.file)
        hash.add(separated: object.apiVersion)
        hash.add(separated: object.kind)
        hash.add(separated: object.namespace ?? "")
        hash.add(separated: object.name)
        hash.add(separated: container ?? "")
        hash.add(separated: path)
        return hash.hex
    }
}

/// 64-bit FNV-1a, hex-encoded: a stable, dependency-free digest for fingerprints.
struct FNV {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Adds one byte.
    mutating func add(_ byte: UInt8) {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }

    /// Adds a string's UTF-8 bytes.
    mutating func add(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes { add(byte) }
        }
        if done == nil {
            for byte in text.utf8 { add(byte) }
        }
    }

    /// Adds the separator U+001F, then a string.
    mutating func add(separated text: String) {
        add(0x1F)
        add(text)
    }

    /// The digest as 16 lowercase hex digits.
    var hex: String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: hash >> (60 - 4 * UInt64(i))) & 0xF
                buffer[i] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 16
        }
    }

    static func hex(_ text: String) -> String {
        var fnv = FNV()
        fnv.add(text)
        return fnv.hex
    }
}
