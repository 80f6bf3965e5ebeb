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
        return try? Quantity(parsing: text)
    }

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
        search(RegexCache.shared.anchored(pattern), text)
    }

    /// A securityContext fix on the container.
    static func setOnContainer(_ container: Container, _ path: [String], _ value: ValueTree, summary: String) -> Fix {
        Fix(summary: summary, edits: [Fix.Edit(anchor: container.node, path: path, value: value)])
    }
}
