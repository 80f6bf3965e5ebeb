import Foundation

/// One way a document breaks its schema.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// The offending node: for an unknown key the key itself, for a missing required key the mapping.
    public var location: SourceLocation
    /// Dotted path to the offending value, like `services.web.ports.0`; empty for the whole document.
    public var path: String
    /// What was expected and what was found, worded for people
    /// (`services.web.deploy.replicas must be an integer, found a string ("two")`).
    public var message: String

    /// Creates a violation.
    public init(location: SourceLocation, path: String, message: String) {
        self.location = location
        self.path = path
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// A JSON Schema compiled once and used to validate YAML or JSON `Node` trees.
///
/// Supports the part of draft 2019-09 the Compose Specification uses — `$defs`/`definitions`,
/// local `$ref`s, `type`, `enum`, `const`, `properties`, `patternProperties`,
/// `additionalProperties`, `unevaluatedProperties`, `required`, `items`, `uniqueItems`, `pattern`,
/// `minimum`/`maximum` (and exclusive forms), the `min`/`max` counts, `allOf`, `anyOf`, `oneOf`,
/// `not`. Annotations (`description`, `default`, `format`…) are ignored; a schema using a
/// validation keyword outside this set is refused rather than half-checked.
///
/// Scalars are typed as Docker Compose reads YAML (the 1.2 core schema): plain `8080` is an
/// integer, quoted `"8080"` a string, `1.0` an integer, `~` and an empty value null.
public struct JSONSchema: Sendable {
    let compiled: CompiledSchema

    /// Compiles a schema document parsed by `YAMLLoader`; throws `.syntax` naming the bad keyword.
    public init(node: Node) throws(CoreError) {
        compiled = try SchemaCompiler.compile(node)
    }

    /// Parses and compiles a schema written as JSON (or YAML); `file` is what errors call it.
    public init(json: String, file: String) throws(CoreError) {
        let documents = try YAMLLoader.parse(json, file: file)
        guard documents.count == 1 else {
            throw .syntax(SourceLocation(file: file), problem: "expected one JSON Schema document, found \(documents.count)")
        }
        try self.init(node: documents[0])
    }

    /// All violations, most specific (deepest path) first, then in document order; empty when valid.
    public func validate(_ node: Node) -> [SchemaViolation] {
        var run = SchemaRun(schema: compiled)
        _ = run.check(node, compiled.root, .root, collect: true, depth: 0)
        var seen = Set<SchemaViolation>()
        let unique = run.findings.enumerated().filter { seen.insert($0.element.violation).inserted }
        return unique.sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.depth != y.depth { return x.depth > y.depth }
            let (p, q) = (x.violation.location.range?.start, y.violation.location.range?.start)
            if let p, let q, p != q { return p < q }
            return a.offset < b.offset
        }.map(\.element.violation)
    }

    /// True when `node` satisfies the schema (faster than `validate`: stops at the first problem).
    public func isValid(_ node: Node) -> Bool {
        var run = SchemaRun(schema: compiled)
        return run.check(node, compiled.root, .root, collect: false, depth: 0).valid
    }
}

/// Message texts: a subject (the path) followed by one of these predicates, or a whole sentence.
enum SchemaMessage {
    static func type(_ expected: [String], found: String) -> String {
        "must be \(alternatives(expected)), found \(found)"
    }
    static func enumeration(_ values: [SchemaValue], found: SchemaValue) -> String {
        "must be one of: \(values.map(\.description).joined(separator: ", ")), found \(found)"
    }
    static func constant(_ value: SchemaValue, found: SchemaValue) -> String { "must be \(value), found \(found)" }
    static func atLeast(_ bound: Double, _ found: String) -> String { "must be at least \(number(bound)), found \(found)" }
    static func atMost(_ bound: Double, _ found: String) -> String { "must be at most \(number(bound)), found \(found)" }
    static func greaterThan(_ bound: Double, _ found: String) -> String { "must be greater than \(number(bound)), found \(found)" }
    static func lessThan(_ bound: Double, _ found: String) -> String { "must be less than \(number(bound)), found \(found)" }
    static func minLength(_ n: Int, found: Int) -> String { "must be at least \(plural(n, "character")) long, found \(found)" }
    static func maxLength(_ n: Int, found: Int) -> String { "must be at most \(plural(n, "character")) long, found \(found)" }
    static func pattern(_ source: String, found: String) -> String {
        "must match the pattern \(SchemaValue.string(source)), found \(found)"
    }
    static func minItems(_ n: Int, found: Int) -> String { "must have at least \(plural(n, "item")), found \(found)" }
    static func maxItems(_ n: Int, found: Int) -> String { "must have at most \(plural(n, "item")), found \(found)" }
    static func duplicate(_ value: SchemaValue, first: Int, second: Int) -> String {
        "must not contain duplicates, found \(value) at items \(first) and \(second)"
    }
    static func minProperties(_ n: Int, found: Int) -> String { "must have at least \(plural(n, "property")), found \(found)" }
    static func maxProperties(_ n: Int, found: Int) -> String { "must have at most \(plural(n, "property")), found \(found)" }
    static func required(_ name: String) -> String { "is missing required property \(SchemaValue.string(name))" }
    static let notAllowed = "is not allowed here"
    static let forbiddenMatch = "must not match the excluded form"
    static let tooDeep = "nests too deeply to validate"
    static func ambiguous(_ count: Int) -> String { "matches \(count) of the allowed forms, expected exactly one" }
    static func noAlternative(_ reasons: [String]) -> String {
        "matches none of the allowed forms: " + reasons.joined(separator: "; or ")
    }
    /// A whole sentence: the key is the subject, the container names where it sits.
    static func additionalProperty(_ name: String, in container: String, suggestion: String?, keyPatterns: [String]) -> String {
        let hint: String
        if let suggestion {
            hint = "; did you mean \(SchemaValue.string(suggestion))?"
        } else if !keyPatterns.isEmpty {
            hint = "; keys must match " + keyPatterns.map { SchemaValue.string($0).description }.joined(separator: " or ")
        } else {
            hint = ""
        }
        return "additional property \(SchemaValue.string(name)) is not allowed \(container)" + hint
    }

    static func alternatives(_ phrases: [String]) -> String {
        guard phrases.count > 1 else { return phrases.first ?? "nothing" }
        return phrases.dropLast().joined(separator: ", ") + " or " + phrases.last!
    }

    static func number(_ d: Double) -> String { SchemaValue.number(d).description }

    static func plural(_ n: Int, _ noun: String) -> String {
        n == 1 ? "1 \(noun)" : noun.hasSuffix("y") ? "\(n) \(noun.dropLast())ies" : "\(n) \(noun)s"
    }
}

/// A path into the instance, built cheaply as validation descends and rendered only for messages.
indirect enum SchemaPath: Sendable {
    case root
    case key(SchemaPath, String)
    case index(SchemaPath, Int)

    /// Components joined with dots: `services.web.ports.0`.
    var rendered: String {
        var parts: [String] = []
        var current = self
        while true {
            switch current {
            case .root: return parts.reversed().joined(separator: ".")
            case .key(let parent, let key):
                parts.append(key)
                current = parent
            case .index(let parent, let i):
                parts.append(String(i))
                current = parent
            }
        }
    }

    var depth: Int {
        var n = 0
        var current = self
        while true {
            switch current {
            case .root: return n
            case .key(let parent, _), .index(let parent, _):
                n += 1
                current = parent
            }
        }
    }

    /// How a message names the value at this path.
    var subject: String {
        if case .root = self { return "the document" }
        return rendered
    }

    /// How a message names this path as a container of keys.
    var container: String {
        if case .root = self { return "at the top level" }
        return "in " + rendered
    }
}

/// One validation pass over one document.
struct SchemaRun {
    /// Deepest recursion (instance levels times in-place schema steps) before giving up on a branch.
    static let maxDepth = 600

    let schema: CompiledSchema
    private(set) var findings: [Finding] = []

    /// A violation with what ordering and merging need.
    struct Finding {
        var violation: SchemaViolation
        var depth: Int
        /// The message without its subject, when it has the "<path> <predicate>" shape.
        var predicate: String?
    }

    /// Whether a subschema held, and which keys of a mapping instance it evaluated (for
    /// `unevaluatedProperties`).
    struct Outcome {
        var valid: Bool
        var evaluated: [Bool]
    }

    init(schema: CompiledSchema) {
        self.schema = schema
    }

    /// Checks `node` against subschema `index`; with `collect` false it stops at the first problem
    /// and records nothing.
    ///
    /// This is the recursion's spine, so it keeps few locals: the keyword groups live in helpers.
    mutating func check(_ node: Node, _ index: Int, _ path: SchemaPath, collect: Bool, depth: Int) -> Outcome {
        let s = schema.subschemas[index]
        let value = Instance(node)
        var evaluated = [Bool](repeating: false, count: value.pairs?.count ?? 0)
        if s.isFalse || depth > Self.maxDepth {
            if collect { report(node, path, s.isFalse ? SchemaMessage.notAllowed : SchemaMessage.tooDeep) }
            return Outcome(valid: false, evaluated: evaluated)
        }
        var valid = checkValue(node, value, s, path, collect: collect)
        if valid || collect {
            switch value {
            case .array(let items):
                valid = checkItems(node, items, s, path, collect: collect, depth: depth) && valid
            case .object(let pairs):
                valid = checkProperties(node, pairs, s, path, collect: collect, depth: depth, &evaluated) && valid
            default:
                break
            }
        }
        if valid || collect {
            valid = checkApplicators(node, value, s, path, collect: collect, depth: depth, &evaluated) && valid
        }
        if valid || collect, let unevaluated = s.unevaluatedProperties, let pairs = value.pairs {
            for (i, pair) in pairs.enumerated() where !evaluated[i] {
                evaluated[i] = true
                if !checkExtra(pair, unevaluated, owner: s, path, collect: collect, depth: depth) {
                    valid = false
                    if !collect { break }
                }
            }
        }
        return Outcome(valid: valid, evaluated: evaluated)
    }
}

private extension SchemaRun {
    /// The keywords about the value itself: `type`, `enum`, `const`, bounds, lengths, `pattern`.
    /// Messages are only built when collecting: alternatives are tried without them.
    mutating func checkValue(_ node: Node, _ value: Instance, _ s: Subschema, _ path: SchemaPath, collect: Bool) -> Bool {
        var valid = true
        if let names = s.typeNames, !s.types.contains(value.type) {
            guard collect else { return false }
            valid = false
            report(node, path, SchemaMessage.type(Self.phrases(names), found: value.found))
        }
        if s.enumValues != nil || s.constValue != nil {
            let actual = SchemaValue(node)
            if let values = s.enumValues, !values.contains(actual) {
                guard collect else { return false }
                valid = false
                report(node, path, SchemaMessage.enumeration(values, found: actual))
            }
            if let constant = s.constValue, constant != actual {
                guard collect else { return false }
                valid = false
                report(node, path, SchemaMessage.constant(constant, found: actual))
            }
        }
        let bounded = s.minimum != nil || s.maximum != nil || s.exclusiveMinimum != nil || s.exclusiveMaximum != nil
        switch value {
        case .int where bounded, .double where bounded:
            let n = value.number
            let problems: [(Double?, (Double) -> Bool, (Double, String) -> String)] = [
                (s.minimum, { n < $0 }, SchemaMessage.atLeast),
                (s.maximum, { n > $0 }, SchemaMessage.atMost),
                (s.exclusiveMinimum, { n <= $0 }, SchemaMessage.greaterThan),
                (s.exclusiveMaximum, { n >= $0 }, SchemaMessage.lessThan),
            ]
            for (bound, breaks, message) in problems {
                guard let bound, breaks(bound) else { continue }
                guard collect else { return false }
                valid = false
                report(node, path, message(bound, value.found))
            }
        case .string(let text):
            if s.minLength != nil || s.maxLength != nil {
                let length = text.unicodeScalars.count
                if let min = s.minLength, length < min {
                    guard collect else { return false }
                    valid = false
                    report(node, path, SchemaMessage.minLength(min, found: length))
                }
                if let max = s.maxLength, length > max {
                    guard collect else { return false }
                    valid = false
                    report(node, path, SchemaMessage.maxLength(max, found: length))
                }
            }
            if let p = s.pattern, !schema.patterns[p].matches(text) {
                guard collect else { return false }
                valid = false
                report(node, path, SchemaMessage.pattern(schema.patterns[p].source, found: value.found))
            }
        default:
            break
        }
        return valid
    }

    /// `items`, `minItems`, `maxItems`, `uniqueItems`.
    mutating func checkItems(
        _ node: Node, _ items: [Node], _ s: Subschema, _ path: SchemaPath, collect: Bool, depth: Int
    ) -> Bool {
        var valid = true
        if let itemSchema = s.items {
            for (i, item) in items.enumerated()
            where !check(item, itemSchema, .index(path, i), collect: collect, depth: depth + 1).valid {
                valid = false
                guard collect else { return false }
            }
        }
        if let min = s.minItems, items.count < min {
            valid = false
            guard collect else { return false }
            report(node, path, SchemaMessage.minItems(min, found: items.count))
        }
        if let max = s.maxItems, items.count > max {
            valid = false
            guard collect else { return false }
            report(node, path, SchemaMessage.maxItems(max, found: items.count))
        }
        if s.uniqueItems, items.count > 1 {
            var firstIndex: [SchemaValue: Int] = [:]
            for (i, item) in items.enumerated() {
                let itemValue = SchemaValue(item)
                guard let first = firstIndex[itemValue] else {
                    firstIndex[itemValue] = i
                    continue
                }
                valid = false
                guard collect else { return false }
                report(item, path, SchemaMessage.duplicate(itemValue, first: first, second: i), at: .index(path, i))
            }
        }
        return valid
    }

    /// `properties`, `patternProperties`, `additionalProperties`, `required` and the property counts;
    /// marks the keys they evaluated.
    mutating func checkProperties(
        _ node: Node, _ pairs: [Node.Pair], _ s: Subschema, _ path: SchemaPath, collect: Bool, depth: Int,
        _ evaluated: inout [Bool]
    ) -> Bool {
        var valid = true
        for (i, pair) in pairs.enumerated() {
            let name = SchemaValue.propertyName(pair.key)
            var matched = false
            if let propertySchema = s.properties[name] {
                matched = true
                if !check(pair.value, propertySchema, .key(path, name), collect: collect, depth: depth + 1).valid {
                    valid = false
                    guard collect else { return false }
                }
            }
            for entry in s.patternProperties where schema.patterns[entry.pattern].matches(name) {
                matched = true
                if !check(pair.value, entry.schema, .key(path, name), collect: collect, depth: depth + 1).valid {
                    valid = false
                    guard collect else { return false }
                }
            }
            if !matched, let additional = s.additionalProperties {
                matched = true
                if !checkExtra(pair, additional, owner: s, path, collect: collect, depth: depth) {
                    valid = false
                    guard collect else { return false }
                }
            }
            if matched { evaluated[i] = true }
        }
        if !s.required.isEmpty {
            let names = Set(pairs.map { SchemaValue.propertyName($0.key) })
            for name in s.required where !names.contains(name) {
                valid = false
                guard collect else { return false }
                report(node, path, SchemaMessage.required(name))
            }
        }
        if let min = s.minProperties, pairs.count < min {
            valid = false
            guard collect else { return false }
            report(node, path, SchemaMessage.minProperties(min, found: pairs.count))
        }
        if let max = s.maxProperties, pairs.count > max {
            valid = false
            guard collect else { return false }
            report(node, path, SchemaMessage.maxProperties(max, found: pairs.count))
        }
        return valid
    }

    /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not`: subschemas applied to the same value; merges the keys
    /// they evaluated.
    mutating func checkApplicators(
        _ node: Node, _ value: Instance, _ s: Subschema, _ path: SchemaPath, collect: Bool, depth: Int,
        _ evaluated: inout [Bool]
    ) -> Bool {
        var valid = true
        // A failing `$ref`/`allOf` branch still lends its evaluated keys: the schema fails either way,
        // and it keeps `unevaluatedProperties` from repeating the branch's errors.
        for branch in s.ref.map({ [$0] + s.allOf }) ?? s.allOf {
            let outcome = check(node, branch, path, collect: collect, depth: depth + 1)
            Self.merge(outcome.evaluated, into: &evaluated)
            if !outcome.valid {
                valid = false
                guard collect else { return false }
            }
        }
        if !s.anyOf.isEmpty, !checkAlternatives(node, value, s.anyOf, exactlyOne: false, path, collect: collect, depth: depth, &evaluated) {
            valid = false
            guard collect else { return false }
        }
        if !s.oneOf.isEmpty, !checkAlternatives(node, value, s.oneOf, exactlyOne: true, path, collect: collect, depth: depth, &evaluated) {
            valid = false
            guard collect else { return false }
        }
        if let excluded = s.not, check(node, excluded, path, collect: false, depth: depth + 1).valid {
            valid = false
            guard collect else { return false }
            report(node, path, SchemaMessage.forbiddenMatch)
        }
        return valid
    }

    /// `anyOf` (`exactlyOne` false) or `oneOf`: only alternatives that hold lend their evaluated keys.
    mutating func checkAlternatives(
        _ node: Node, _ value: Instance, _ alternatives: [Int], exactlyOne: Bool, _ path: SchemaPath, collect: Bool,
        depth: Int, _ evaluated: inout [Bool]
    ) -> Bool {
        var passing: [[Bool]] = []
        for branch in alternatives {
            let outcome = check(node, branch, path, collect: false, depth: depth + 1)
            if outcome.valid { passing.append(outcome.evaluated) }
        }
        if passing.isEmpty {
            if collect { Self.merge(explainAlternatives(node, value, alternatives, path, depth: depth), into: &evaluated) }
            return false
        }
        if exactlyOne && passing.count > 1 {
            if collect { report(node, path, SchemaMessage.ambiguous(passing.count)) }
            return false
        }
        for keys in passing { Self.merge(keys, into: &evaluated) }
        return true
    }

    /// A scalar or collection instance, typed the JSON Schema way.
    enum Instance {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case array([Node])
        case object([Node.Pair])

        init(_ node: Node) {
            switch node.content {
            case .sequence(let items): self = .array(items)
            case .mapping(let pairs): self = .object(pairs)
            case .scalar:
                switch SchemaValue.scalar(node) {
                case .null: self = .null
                case .bool(let b): self = .bool(b)
                case .int(let i): self = .int(i)
                case .float(let d): self = .double(d)
                case .string(let s): self = .string(s)
                }
            }
        }

        var pairs: [Node.Pair]? {
            if case .object(let pairs) = self { return pairs }
            return nil
        }

        var number: Double {
            switch self {
            case .int(let i): return Double(i)
            case .double(let d): return d
            default: return .nan
            }
        }

        var type: SchemaTypes {
            switch self {
            case .null: return .null
            case .bool: return .boolean
            case .int: return .integer
            // JSON Schema counts 1.0 as an integer.
            case .double(let d): return d.isFinite && d.rounded() == d ? .integer : .fraction
            case .string: return .string
            case .array: return .array
            case .object: return .object
            }
        }

        /// "a string ("two")", "an integer (80)", "a list"…
        var found: String {
            switch self {
            case .null: return "null"
            case .bool(let b): return "a boolean (\(b))"
            case .int(let i): return "an integer (\(i))"
            // 1e400 reads as infinity, which JSON cannot spell (it printed "a number (null)").
            case .double(let d) where !d.isFinite: return "a number too large to represent (\(d < 0 ? "-" : "")∞)"
            case .double(let d): return "a number (\(SchemaMessage.number(d)))"
            case .string(let s):
                let shown = s.count > 40 ? String(s.prefix(40)) + "…" : s
                return "a string (\(SchemaValue.string(shown)))"
            case .array: return "a list"
            case .object: return "a mapping"
            }
        }
    }

    /// Records "<subject> <predicate>" about the value at `path`; `offender` is a more precise path
    /// to the node at fault when the sentence is about its container (a duplicate list item).
    mutating func report(_ node: Node, _ path: SchemaPath, _ predicate: String, at offender: SchemaPath? = nil) {
        let target = offender ?? path
        let violation = SchemaViolation(location: node.location, path: target.rendered, message: path.subject + " " + predicate)
        findings.append(Finding(violation: violation, depth: target.depth, predicate: predicate))
    }

    /// Checks a key no `properties`/`patternProperties` entry took, against `additionalProperties`
    /// or `unevaluatedProperties`; a `false` schema is reported at the key, naming it.
    mutating func checkExtra(_ pair: Node.Pair, _ extra: Int, owner: Subschema, _ path: SchemaPath, collect: Bool, depth: Int) -> Bool {
        let name = SchemaValue.propertyName(pair.key)
        let childPath = SchemaPath.key(path, name)
        guard schema.subschemas[extra].isFalse else {
            return check(pair.value, extra, childPath, collect: collect, depth: depth + 1).valid
        }
        if collect {
            let message = SchemaMessage.additionalProperty(
                name, in: path.container, suggestion: Suggestion.closest(to: name, among: owner.knownProperties),
                // A mapping of names (services, volumes…) says what a name may look like.
                keyPatterns: owner.knownProperties.isEmpty ? owner.patternProperties.map { schema.patterns[$0.pattern].source } : [])
            let violation = SchemaViolation(location: pair.key.location, path: childPath.rendered, message: message)
            findings.append(Finding(violation: violation, depth: childPath.depth, predicate: nil))
        }
        return false
    }

    /// Reports why no `anyOf`/`oneOf` alternative held: the one alternative of the node's type
    /// explains itself; with none, "must be X or Y, found Z"; with several, the most specific
    /// explanation. Returns the evaluated keys of the alternative it reported.
    mutating func explainAlternatives(_ node: Node, _ value: Instance, _ alternatives: [Int], _ path: SchemaPath, depth: Int) -> [Bool] {
        let candidates = alternatives.filter { schema.subschemas[$0].possibleTypes.contains(value.type) }
        if candidates.isEmpty {
            var phrases: [String] = []
            for branch in alternatives {
                for phrase in schema.subschemas[branch].possibleTypes.phrases where !phrases.contains(phrase) {
                    phrases.append(phrase)
                }
            }
            if phrases.contains("a number") { phrases.removeAll { $0 == "an integer" } }
            report(node, path, SchemaMessage.type(phrases, found: value.found))
            return []
        }
        if candidates.count == 1 {
            return check(node, candidates[0], path, collect: true, depth: depth + 1).evaluated
        }
        var attempts: [(findings: [Finding], evaluated: [Bool])] = []
        for branch in candidates {
            let mark = findings.count
            let outcome = check(node, branch, path, collect: true, depth: depth + 1)
            attempts.append((Array(findings[mark...]), outcome.evaluated))
            findings.removeSubrange(mark...)
        }
        let here = path.depth
        let shallow = attempts.allSatisfy { attempt in
            !attempt.findings.isEmpty && attempt.findings.allSatisfy { $0.depth == here && $0.predicate != nil }
        }
        if shallow {
            let reasons = attempts.map { attempt in
                var predicates: [String] = []
                for finding in attempt.findings where !predicates.contains(finding.predicate!) {
                    predicates.append(finding.predicate!)
                }
                return predicates.joined(separator: " and ")
            }
            report(node, path, SchemaMessage.noAlternative(reasons))
            return attempts[0].evaluated
        }
        // The alternative whose complaint reaches deepest into the value is the one the author meant.
        let best = attempts.max { a, b in
            let (da, db) = (a.findings.map(\.depth).max() ?? -1, b.findings.map(\.depth).max() ?? -1)
            return da != db ? da < db : a.findings.count > b.findings.count
        }!
        findings += best.findings
        return best.evaluated
    }

    static func merge(_ other: [Bool], into evaluated: inout [Bool]) {
        guard other.count == evaluated.count else { return }
        for i in other.indices where other[i] { evaluated[i] = true }
    }

    /// `type` names as message phrases, in the order the schema lists them.
    static func phrases(_ names: [String]) -> [String] {
        var out: [String] = []
        for name in names {
            let phrase = SchemaTypes(typeName: name)?.phrases.first ?? name
            if !out.contains(phrase) { out.append(phrase) }
        }
        return out
    }

}
