/// An ordered JSON-like value: what komply writes out as JSON or YAML.
///
/// Objects keep their members in the order they were built, so output is byte-stable.
// Not `indirect`: arrays and member lists already live on the heap, and boxing every scalar too
// made reports (hundreds of thousands of values) allocate, copy and free far more than they need.
public enum ValueTree: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ValueTree])
    case object([Member])

    /// One member of an object.
    public struct Member: Sendable, Hashable {
        /// The member's key.
        public var key: String
        /// The member's value.
        public var value: ValueTree

        /// Creates a member.
        public init(key: String, value: ValueTree) {
            self.key = key
            self.value = value
        }
    }

    /// An object from key/value pairs, leaving out the pairs whose value is nil.
    // Inlinable: reports build hundreds of thousands of members from array literals, and inlined
    // into the caller the literal's values can be moved into the members instead of copied.
    @inlinable public static func members(_ pairs: [(String, ValueTree?)]) -> ValueTree {
        var members: [Member] = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if let value { members.append(Member(key: key, value: value)) }
        }
        return .object(members)
    }

    /// An object whose members are sorted by key.
    public static func sortedObject(_ dictionary: [String: ValueTree]) -> ValueTree {
        .object(dictionary.keys.sorted().map { Member(key: $0, value: dictionary[$0]!) })
    }

    /// The value of a member of an object.
    public subscript(key: String) -> ValueTree? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members, or nil when this is not an object.
    public var objectMembers: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The string, or nil when this is not a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// True for an empty object or array.
    public var isEmptyCollection: Bool {
        switch self {
        case .array(let items): return items.isEmpty
        case .object(let members): return members.isEmpty
        default: return false
        }
    }

    /// The value as JSON on one line.
    public var compactJSON: String { JSONEmitter.emit(self, pretty: false) }
}
