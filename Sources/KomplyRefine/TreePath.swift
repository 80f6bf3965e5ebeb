import KomplyCore

/// One step into a `ValueTree`: an object member or an array item.
public enum TreeStep: Sendable, Hashable, CustomStringConvertible {
    /// An object's member (created when missing on write).
    case key(String)
    /// An array's item.
    case index(Int)
    /// A new item at the end of an array (write only).
    case append

    public var description: String {
        switch self {
        case .key(let key): return key
        case .index(let index): return String(index)
        case .append: return "-"
        }
    }
}

extension ValueTree {
    /// The value at `path`, nil when a step is missing.
    func value(at path: [TreeStep]) -> ValueTree? {
        var current = self
        for step in path {
            switch (step, current) {
            case (.key(let key), .object(let members)):
                guard let found = members.first(where: { $0.key == key }) else { return nil }
                current = found.value
            case (.index(let index), .array(let items)):
                guard items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A copy with `value` at `path`: missing members are appended (as objects along the way), `.append` adds an item.
    func setting(_ value: ValueTree, at path: [TreeStep]) -> ValueTree {
        guard let step = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch (step, self) {
        case (.key(let key), .object(var members)):
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].value = members[index].value.setting(value, at: rest)
            } else {
                members.append(Member(key: key, value: ValueTree.object([]).setting(value, at: rest)))
            }
            return .object(members)
        case (.key, .null):
            return ValueTree.object([]).setting(value, at: path)
        case (.index(let index), .array(var items)) where items.indices.contains(index):
            items[index] = items[index].setting(value, at: rest)
            return .array(items)
        case (.append, .array(var items)):
            items.append(ValueTree.object([]).setting(value, at: rest))
            return .array(items)
        case (.append, .null):
            return ValueTree.array([]).setting(value, at: path)
        default:
            return self
        }
    }

    /// The value as a whole number (an int, an integral double, or digits in a string).
    var wholeNumber: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value == value.rounded() && abs(value) < 1e9: return Int(value)
        case .string(let text): return Int(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// The value as quantity text: a string as it is, a number in plain decimal.
    var quantityText: String? {
        switch self {
        case .string(let text): return text.trimmingCharacters(in: .whitespaces)
        case .int(let value): return String(value)
        case .double(let value) where value.isFinite: return JSONEmitter.number(value)
        default: return nil
        }
    }
}
