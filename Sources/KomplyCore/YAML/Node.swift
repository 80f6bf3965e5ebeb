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
        guard case .mapping(let pairs) = content, let i = Self.index(of: key, in: pairs) else { return nil }
        return pairs[i].value
    }

    /// The pair for a scalar key in a mapping node.
    public func pair(_ key: String) -> Pair? {
        guard case .mapping(let pairs) = content, let i = Self.index(of: key, in: pairs) else { return nil }
        return pairs[i]
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
            return .object(
                pairs.map { pair in
                    ValueTree.Member(
                        key: pair.key.scalar ?? pair.key.valueTree(schema: schema).compactJSON,
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

// Lookups that read the tree in place: they compare keys without copying the mapping, its pairs or
// the key strings, and copy at most the one node they return. Checks run them for every object and
// rule, so they matter for `komply lint`'s speed.
extension Node {
    /// The number of items of a sequence or pairs of a mapping (0 for a scalar), without copying them.
    @inlinable public var count: Int {
        switch content {
        case .scalar: return 0
        case .sequence(let items): return items.count
        case .mapping(let pairs): return pairs.count
        }
    }

    /// True when the node is a scalar whose text is `text` (whatever its style or tag).
    @inlinable public func isScalar(_ text: String) -> Bool {
        if case .scalar(let value, _) = content { return value == text }
        return false
    }

    /// True when the node is a mapping that has the scalar key `key` (its value may be null).
    @inlinable public func hasKey(_ key: String) -> Bool {
        guard case .mapping(let pairs) = content else { return false }
        return Self.index(of: key, in: pairs) != nil
    }

    /// True when the node is a mapping whose value for `key` exists and is not null.
    @inlinable public func hasValue(forKey key: String) -> Bool {
        guard case .mapping(let pairs) = content, let i = Self.index(of: key, in: pairs) else { return false }
        return !pairs[i].value.isNull
    }

    /// The scalar text of the value for `key`, or nil when the key is missing or its value is a collection.
    @inlinable public func scalar(forKey key: String) -> String? {
        guard case .mapping(let pairs) = content, let i = Self.index(of: key, in: pairs) else { return nil }
        if case .scalar(let text, _) = pairs[i].value.content { return text }
        return nil
    }

    /// The value found by following `keys` through nested mappings (`node.value(at: ["spec", "template"])`),
    /// copying only that value.
    @inlinable public func value(at keys: [String]) -> Node? {
        guard let first = keys.first else { return self }
        return Self.follow(self, keys[...], from: first)
    }

    /// Calls `body` with the value for `key` without copying it or the mapping; nil when the key is missing.
    @discardableResult @inlinable public func withValue<R>(forKey key: String, _ body: (Node) throws -> R) rethrows -> R? {
        guard case .mapping(let pairs) = content, let i = Self.index(of: key, in: pairs) else { return nil }
        return try body(pairs[i].value)
    }

    /// Calls `body` with the pair for `key` without copying it or the mapping; nil when the key is missing.
    @discardableResult @inlinable public func withPair<R>(forKey key: String, _ body: (Pair) throws -> R) rethrows -> R? {
        guard case .mapping(let pairs) = content, let i = Self.index(of: key, in: pairs) else { return nil }
        return try body(pairs[i])
    }

    /// Calls `body` with each item of a sequence (in order) without copying the sequence; no calls otherwise.
    @inlinable public func forEachItem(_ body: (Node) throws -> Void) rethrows {
        guard case .sequence(let items) = content else { return }
        for i in items.indices { try body(items[i]) }
    }

    /// Calls `body` with each pair of a mapping (in order) without copying the mapping; no calls otherwise.
    @inlinable public func forEachPair(_ body: (Pair) throws -> Void) rethrows {
        guard case .mapping(let pairs) = content else { return }
        for i in pairs.indices { try body(pairs[i]) }
    }

    /// The index of the first pair whose key is the scalar `key`.
    @inlinable static func index(of key: String, in pairs: [Pair]) -> Int? {
        // Lengths first: they are stored, while comparing two different long strings is a call.
        let length = key.utf8.count
        for i in pairs.indices {
            if case .scalar(let text, _) = pairs[i].key.content, text.utf8.count == length, text == key { return i }
        }
        return nil
    }

    @inlinable static func follow(_ node: Node, _ keys: ArraySlice<String>, from key: String) -> Node? {
        guard case .mapping(let pairs) = node.content, let i = index(of: key, in: pairs) else { return nil }
        let rest = keys.dropFirst()
        guard let next = rest.first else { return pairs[i].value }
        return follow(pairs[i].value, rest, from: next)
    }
}
