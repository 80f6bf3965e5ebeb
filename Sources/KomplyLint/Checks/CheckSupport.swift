import Foundation
import KomplyCore

/// Helpers several checks share: security context lookups, quantities, regexes.
enum CheckSupport {
    /// The container's `securityContext` value for `key`, else the pod's (container settings win).
    static func effective(_ key: String, container: Container, podSpec: Node?) -> (node: Node, pair: Node.Pair, level: String)? {
        if let pair = container.node["securityContext"]?.pair(key), !pair.value.isNull { return (pair.value, pair, "container") }
        if let pair = podSpec?["securityContext"]?.pair(key), !pair.value.isNull { return (pair.value, pair, "pod") }
        return nil
    }

    /// The range of a pair (key through value).
    static func range(_ pair: Node.Pair) -> SourceRange { SourceRange(start: pair.key.range.start, end: pair.value.range.end) }

    /// The range of the deepest existing field along `keys` below `node` (where a missing field
    /// belongs): that field's key through its value, or `node` itself.
    static func anchor(_ node: Node, _ keys: [String]) -> SourceRange {
        var current = node
        var range = node.range
        for key in keys {
            guard let pair = current.pair(key), pair.value.mapping != nil else { return range }
            current = pair.value
            range = Self.range(pair)
        }
        return range
    }

    /// A quantity from a scalar node, or nil.
    static func quantity(_ node: Node?) -> Quantity? {
        guard let text = node?.scalar, !text.isEmpty else { return nil }
        return quantities.value(for: text) { try? Quantity(parsing: $0) }
    }

    /// Parsed quantities by text: parsing is slow and the same few limits recur in every manifest.
    static let quantities = Memo<String, Quantity?>()

    /// A number from a scalar node (ints, floats and numeric strings).
    static func number(_ node: Node?) -> Double? {
        guard let node else { return nil }
        switch node.resolved(schema: .yaml11) {
        case .int(let i)?: return Double(i)
        case .float(let d)?: return d
        case .string(let s)?: return Double(s)
        default: return nil
        }
    }

    /// True when a bool node is true.
    static func isTrue(_ node: Node?) -> Bool {
        if case .bool(true)? = node?.resolved(schema: .yaml11) { return true }
        return false
    }

    /// True when a bool node is false.
    static func isFalse(_ node: Node?) -> Bool {
        if case .bool(false)? = node?.resolved(schema: .yaml11) { return true }
        return false
    }

    /// Compiles a regular expression from rule parameters; a broken one is a broken rule.
    static func regex(_ pattern: String) -> NSRegularExpression {
        // Patterns are validated when parameters decode; a pattern that still fails never matches.
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return try! NSRegularExpression(pattern: "(?!)") }
        return regex
    }

    /// True when `regex` finds a match anywhere in `text`.
    static func search(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// True when the whole of `text` matches `pattern` (compiled once per pattern).
    static func fullMatch(_ pattern: String, _ text: String) -> Bool {
        RegexCache.shared.matcher(pattern).matches(text)
    }

    /// A securityContext fix on the container.
    static func setOnContainer(_ container: Container, _ path: [String], _ value: ValueTree, summary: String) -> Fix {
        Fix(summary: summary, edits: [Fix.Edit(anchor: container.node, path: path, value: value)])
    }
}

extension CheckSupport {
    /// Replaces the first `%@` of `template` with the first value, then the first `%@` of the result
    /// with the next value, and so on (a value that itself holds `%@` is filled in turn).
    static func fill(_ template: String, _ values: [String]) -> String {
        // ASCII text searches the same byte by byte as Foundation does; anything else takes Foundation's path.
        guard template.utf8.allSatisfy({ $0 < 0x80 }), values.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else {
            var out = template
            for value in values {
                guard let range = out.range(of: "%@") else { break }
                out.replaceSubrange(range, with: value)
            }
            return out
        }
        var out = Array(template.utf8)
        for value in values {
            guard let at = placeholder(in: out) else { break }
            out.replaceSubrange(at..<(at + 2), with: value.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The offset of the first `%@`.
    private static func placeholder(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == UInt8(ascii: "%") && bytes[i + 1] == UInt8(ascii: "@") { return i }
        return nil
    }
}

extension String {
    /// The message template with every `%@` replaced by `value`: what
    /// `replacingOccurrences(of: "%@", with: value)` returns, without Foundation's search when the
    /// template is ASCII (it always is for built-in messages).
    func replacingPlaceholders(with value: String) -> String {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return replacingOccurrences(of: "%@", with: value) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + value.utf8.count)
        var bytes = utf8.makeIterator()
        var pending: UInt8?
        while let byte = pending ?? bytes.next() {
            pending = nil
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard let next = bytes.next() else {
                out.append(byte)
                break
            }
            if next == UInt8(ascii: "@") {
                out.append(contentsOf: value.utf8)
            } else {
                out.append(byte)
                pending = next
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
