import KomplyCore

/// A JSON-like value in rule parameters (what `equals`, `in` and `default` compare with).
public enum ParamValue: Sendable, Hashable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ParamValue])
    case object([String: ParamValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([ParamValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: ParamValue].self))
        }
    }

    /// The value as a `ValueTree` (for fixes).
    public var tree: ValueTree {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.tree))
        case .object(let members): return .sortedObject(members.mapValues(\.tree))
        }
    }

    /// True when a scalar node (resolved as Kubernetes reads YAML) holds this value.
    public func matches(_ node: Node) -> Bool {
        // A string operand matches a scalar with the same text whatever type the schema gives it
        // (`"true"` matches `true`), unless the scalar is null: no need to resolve the node.
        if case .string(let a) = self { return node.isScalar(a) && !node.isNull }
        switch (self, node.resolved(schema: .yaml11)) {
        case (.null, .null?): return true
        case (.bool(let a), .bool(let b)?): return a == b
        case (.number(let a), .int(let b)?): return a == Double(b)
        case (.number(let a), .float(let b)?): return a == b
        case (.string(let a), .string(let b)?): return a == b
        case (.string(let a), _): return node.scalar == a && !node.isNull
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return JSONEmitter.number(d)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object: return "{…}"
        }
    }
}
