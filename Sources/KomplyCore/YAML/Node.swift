/// A YAML (or JSON) node with the source range it was read from.
///
/// Aliases are already resolved and `<<` merge keys already applied; every node (including the
/// ones copied in by an alias or a merge) keeps the range of the text it came from.
public struct Node: Sendable, Hashable {
    /// What a node holds.
    public enum Content: Sendable, Hashable {
        /// A scalar's text and how it was written.
        case scalar(String, ScalarStyle)
        /// A sequence of nodes.
        case sequence([Node])
        /// A mapping as ordered key/value pairs.
        case mapping([Pair])
    }

    /// One key/value pair of a mapping.
    public struct Pair: Sendable, Hashable {
        /// The key node (almost always a scalar).
        public var key: Node
        /// The value node.
        public var value: Node

        /// Creates a pair.
        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    /// The node's content.
    public var content: Content
    /// An explicit tag such as `tag:yaml.org,2002:str` (`!!str`), or nil.
    public var tag: String?
    /// The file the node was read from.
    public var file: String
    /// Where the node's text starts and ends.
    public var range: SourceRange

    /// Creates a node.
    public init(_ content: Content, tag: String? = nil, file: String, range: SourceRange) {
        self.content = content
        self.tag = tag
        self.file = file
        self.range = range
    }

    /// The node's file and range.
    public var location: SourceLocation { SourceLocation(file: file, range: range) }

    /// The scalar text, or nil when the node is a sequence or mapping.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The items, or nil when the node is not a sequence.
    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs, or nil when the node is not a mapping.
    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value for a scalar key in a mapping node.
    public subscript(key: String) -> Node? {
        mapping?.first { $0.key.scalar == key }?.value
    }

    /// The pair for a scalar key in a mapping node.
    public func pair(_ key: String) -> Pair? {
        mapping?.first { $0.key.scalar == key }
    }

    /// True when the scalar was written plainly (unquoted, untagged), so the schema decides its type.
    public var isPlainScalar: Bool {
        if case .scalar(_, .plain) = content, tag == nil { return true }
        return false
    }

    /// True for an explicit or implicit null (`null`, `~`, empty plain scalar).
    public var isNull: Bool {
        if tag == "tag:yaml.org,2002:null" { return true }
        guard isPlainScalar, let text = scalar else { return false }
        return ScalarResolver.isNull(text)
    }

    /// The scalar resolved under `schema`; quoted and `!!str` scalars are strings; nil for collections.
    public func resolved(schema: ScalarResolver.Schema = .core) -> ScalarResolver.Resolved? {
        guard case .scalar(let text, _) = content else { return nil }
        return isPlainScalar ? ScalarResolver.resolve(text, schema: schema) : .string(text)
    }

    /// A short name for the node's kind, used in "expected … but found …" messages.
    public var kindName: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar:
            switch resolved() {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int, .float: return "a number"
            case .string, nil: return "a string"
            }
        }
    }

    /// The node's value as a plain tree, resolving scalars with `schema`.
    public func valueTree(schema: ScalarResolver.Schema = .core) -> ValueTree {
        switch content {
        case .sequence(let items):
            return .array(items.map { $0.valueTree(schema: schema) })
        case .mapping(let pairs):
            return .object(pairs.map { pair in
                ValueTree.Member(key: pair.key.scalar ?? pair.key.valueTree(schema: schema).compactJSON,
                                 value: pair.value.valueTree(schema: schema))
            })
        case .scalar:
            switch resolved(schema: schema) {
            case .null, nil: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .double(d)
            case .string(let s): return .string(s)
            }
        }
    }
}

/// How a scalar was written in the source.
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}
