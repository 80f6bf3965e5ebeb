import Foundation

/// A schema with every `$ref` resolved to an index, ready to validate against.
struct CompiledSchema: Sendable {
    /// Every subschema; `$ref`s and applicators point into this array.
    let subschemas: [Subschema]
    /// Every distinct pattern, compiled once.
    let patterns: [SchemaPattern]
    /// The index of the root schema.
    let root: Int
}

/// The JSON types an instance can have; an integer-valued number is `integer`, any other `fraction`.
struct SchemaTypes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let integer = SchemaTypes(rawValue: 1 << 2)
    static let fraction = SchemaTypes(rawValue: 1 << 3)
    static let string = SchemaTypes(rawValue: 1 << 4)
    static let array = SchemaTypes(rawValue: 1 << 5)
    static let object = SchemaTypes(rawValue: 1 << 6)
    static let number: SchemaTypes = [.integer, .fraction]
    static let all: SchemaTypes = [.null, .boolean, .number, .string, .array, .object]

    /// The set for a `type` name, or nil for an unknown name.
    init?(typeName: String) {
        switch typeName {
        case "null": self = .null
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "number": self = .number
        case "string": self = .string
        case "array": self = .array
        case "object": self = .object
        default: return nil
        }
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Human names in a fixed order: "a mapping", "a list", "a string", "a number"…
    var phrases: [String] {
        var out: [String] = []
        if contains(.object) { out.append("a mapping") }
        if contains(.array) { out.append("a list") }
        if contains(.string) { out.append("a string") }
        if contains(.number) {
            out.append("a number")
        } else if contains(.integer) {
            out.append("an integer")
        } else if contains(.fraction) {
            out.append("a number")
        }
        if contains(.boolean) { out.append("a boolean") }
        if contains(.null) { out.append("null") }
        return out
    }
}

/// One compiled schema object (or boolean schema).
final class Subschema: Sendable {
    /// Where the schema object is, as a JSON pointer (`/$defs/service`).
    let pointer: String
    /// True for the `false` schema, which nothing satisfies.
    let isFalse: Bool
    /// `type`, in the order written (for messages), and as a set.
    let typeNames: [String]?
    let types: SchemaTypes
    let enumValues: [SchemaValue]?
    let constValue: SchemaValue?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Double?
    let exclusiveMaximum: Double?
    let minLength: Int?
    let maxLength: Int?
    /// Index into `CompiledSchema.patterns`.
    let pattern: Int?
    let items: Int?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool
    let properties: [String: Int]
    let patternProperties: [PatternProperty]
    let additionalProperties: Int?
    let unevaluatedProperties: Int?
    let required: [String]
    let minProperties: Int?
    let maxProperties: Int?
    let ref: Int?
    let allOf: [Int]
    let anyOf: [Int]
    let oneOf: [Int]
    let not: Int?
    /// The types any instance satisfying this schema can have (through refs and applicators).
    let possibleTypes: SchemaTypes
    /// Property names this schema or its applicators name, for "did you mean" hints.
    let knownProperties: [String]

    /// A `patternProperties` entry.
    struct PatternProperty: Sendable {
        var pattern: Int
        var schema: Int
    }

    init(_ draft: SubschemaDraft, ref: Int?, possibleTypes: SchemaTypes, knownProperties: [String]) {
        pointer = draft.pointer
        isFalse = draft.isFalse
        typeNames = draft.typeNames
        types = draft.types
        enumValues = draft.enumValues
        constValue = draft.constValue
        minimum = draft.minimum
        maximum = draft.maximum
        exclusiveMinimum = draft.exclusiveMinimum
        exclusiveMaximum = draft.exclusiveMaximum
        minLength = draft.minLength
        maxLength = draft.maxLength
        pattern = draft.pattern
        items = draft.items
        minItems = draft.minItems
        maxItems = draft.maxItems
        uniqueItems = draft.uniqueItems
        properties = Dictionary(draft.properties, uniquingKeysWith: { first, _ in first })
        patternProperties = draft.patternProperties
        additionalProperties = draft.additionalProperties
        unevaluatedProperties = draft.unevaluatedProperties
        required = draft.required
        minProperties = draft.minProperties
        maxProperties = draft.maxProperties
        self.ref = ref
        allOf = draft.allOf
        anyOf = draft.anyOf
        oneOf = draft.oneOf
        not = draft.not
        self.possibleTypes = possibleTypes
        self.knownProperties = knownProperties
    }
}

/// A subschema while it is being compiled (its `$ref` not yet resolved).
struct SubschemaDraft {
    var pointer: String
    var location: SourceLocation
    var isFalse = false
    var typeNames: [String]?
    var types = SchemaTypes.all
    var enumValues: [SchemaValue]?
    var constValue: SchemaValue?
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var minLength: Int?
    var maxLength: Int?
    var pattern: Int?
    var items: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var properties: [(String, Int)] = []
    var patternProperties: [Subschema.PatternProperty] = []
    var additionalProperties: Int?
    var unevaluatedProperties: Int?
    var required: [String] = []
    var minProperties: Int?
    var maxProperties: Int?
    /// The `$ref` target as a JSON pointer, resolved after the whole document is compiled.
    var refPointer: String?
    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?

    /// Subschemas applied to the same instance (so a cycle through them would never end).
    var inPlaceChildren: [Int] { allOf + anyOf + oneOf + (not.map { [$0] } ?? []) }
}

/// A JSON value compared the JSON Schema way: `1` equals `1.0`, object key order does not matter.
enum SchemaValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([SchemaValue])
    case object([String: SchemaValue])

    /// The value of a node (scalars resolved as `scalar(_:)` does).
    init(_ node: Node) {
        switch node.content {
        case .sequence(let items):
            self = .array(items.map(SchemaValue.init))
        case .mapping(let pairs):
            var object: [String: SchemaValue] = [:]
            for pair in pairs { object[SchemaValue.propertyName(pair.key)] = SchemaValue(pair.value) }
            self = .object(object)
        case .scalar:
            switch SchemaValue.scalar(node) {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(i)
            case .float(let d): self = SchemaValue.number(d)
            case .string(let s): self = .string(s)
            }
        }
    }

    /// A number, as `.int` when it is integer-valued and fits.
    static func number(_ d: Double) -> SchemaValue {
        if d.rounded() == d, abs(d) < 9.2e18 { return .int(Int(d)) }
        return .double(d)
    }

    /// The value's JSON type.
    var type: SchemaTypes {
        switch self {
        case .null: return .null
        case .bool: return .boolean
        case .int: return .integer
        case .double: return .fraction
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    /// Compact JSON, as messages quote values.
    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return ValueTree.double(d).compactJSON
        case .string(let s): return ValueTree.string(s).compactJSON
        case .array(let items): return "[" + items.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            return "{"
                + members.keys.sorted().map { ValueTree.string($0).compactJSON + ":" + members[$0]!.description }
                .joined(separator: ",") + "}"
        }
    }
}

extension SchemaValue {
    /// A scalar's value: plain scalars by the YAML 1.2 core schema, quoted ones as strings, and the
    /// standard `!!` tags honoured; other tags (Compose's `!reset`, `!override`) do not change the value.
    static func scalar(_ node: Node) -> ScalarResolver.Resolved {
        guard case .scalar(let text, let style) = node.content else { return .string("") }
        switch node.tag {
        case nil:
            return node.resolved(schema: .core) ?? .string(text)
        case "tag:yaml.org,2002:str", "!":
            return .string(text)
        case "tag:yaml.org,2002:null":
            return .null
        case "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
            return ScalarResolver.resolve(text, schema: .core)
        default:
            return style == .plain ? ScalarResolver.resolve(text, schema: .core) : .string(text)
        }
    }

    /// A mapping key as a property name: the scalar's text, or compact JSON for a collection key.
    static func propertyName(_ key: Node) -> String {
        key.scalar ?? key.valueTree().compactJSON
    }
}
