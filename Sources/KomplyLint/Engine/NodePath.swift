import KomplyCore

/// A path into a node: `securityContext.capabilities.drop`, `volumes[*].hostPath`,
/// `metadata.labels["app.kubernetes.io/name"]`, `ports[0]`.
public struct NodePath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        case wildcard
    }

    /// The steps.
    public var components: [Component]

    /// The text of the components from each index on (what `path(of:basePath:)` appends for a
    /// missing field), for callers that build many paths.
    var suffixDescriptions: [String] {
        (0...components.count).map { NodePath(components: Array(components[$0...])).description }
    }

    /// Parses path text; nil when it is malformed.
    public init?(_ text: String) {
        var components: [Component] = []
        var scalars = Array(text.unicodeScalars)
        var i = 0
        var current = ""
        func flush() { if !current.isEmpty { components.append(.key(current)); current = "" } }
        while i < scalars.count {
            let c = scalars[i]
            if c == "." {
                flush()
                i += 1
            } else if c == "[" {
                flush()
                guard let close = scalars[i...].firstIndex(of: "]") else { return nil }
                var inner = String(String.UnicodeScalarView(scalars[(i + 1)..<close]))
                if inner == "*" {
                    components.append(.wildcard)
                } else if let n = Int(inner) {
                    components.append(.index(n))
                } else if inner.count >= 2, inner.first == "\"" || inner.first == "'", inner.last == inner.first {
                    inner.removeFirst()
                    inner.removeLast()
                    components.append(.key(inner))
                } else {
                    return nil
                }
                i = close + 1
            } else {
                current.unicodeScalars.append(c)
                i += 1
            }
        }
        flush()
        scalars.removeAll()
        self.components = components
    }

    /// A path of components.
    public init(components: [Component]) { self.components = components }

    /// A path of plain keys.
    public init(keys: [String]) { components = keys.map(Component.key) }

    public var description: String {
        var out = ""
        for component in components {
            switch component {
            case .key(let k):
                if Self.needsQuoting(k) {
                    out += "[\""
                    out += k
                    out += "\"]"
                } else {
                    if !out.isEmpty { out += "." }
                    out += k
                }
            case .index(let n): out += "[\(n)]"
            case .wildcard: out += "[*]"
            }
        }
        return out
    }

    /// The result of following a path.
    public enum Match: Sendable {
        /// The node exists; `pair` is set when it is a mapping value (so positions can cover the key).
        case found(Node, pair: Node.Pair?, path: String)
        /// A step is missing; `anchor` is the range of the deepest field that exists (where the
        /// missing one belongs): its key through its value, or the node itself at the top.
        case missing(anchor: SourceRange, path: String)
    }

    /// Follows the path from `node`; wildcards fan out over sequences (and mapping values).
    /// `field` is the pair that holds `node`, so a field missing at the top is reported there.
    public func evaluate(_ node: Node, basePath: String = "", field: Node.Pair? = nil) -> [Match] {
        var results: [Match] = []
        forEachHit(node, field: field) { hit, node, key in
            let path = self.path(of: hit, basePath: basePath)
            if hit.found {
                // At depth 0 the pair is the caller's `field` itself.
                let pair = hit.hasKey ? (hit.depth == 0 ? field : Node.Pair(key: key.pointee, value: node.pointee)) : nil
                results.append(.found(node.pointee, pair: pair, path: path))
            } else {
                results.append(.missing(anchor: hit.range, path: path))
            }
            return true
        }
        return results
    }

    /// What `forEachHit` reports about one match besides its nodes; its logical path is built only
    /// when asked (`path(of:basePath:)`), which checks do for failures only.
    struct Hit {
        /// True when the path exists; false when a step is missing.
        let found: Bool
        /// True when the found node is a mapping value (its key is passed along).
        let hasKey: Bool
        /// The range to report: the field (key through value), or where a missing field belongs.
        let range: SourceRange
        /// Components followed before the match (all of them when found).
        let depth: Int
        /// True when the step that failed was an index, whose path text joins without a dot.
        let missedIndex: Bool
        /// The labels of the wildcard steps followed, in order.
        let labels: [WildcardLabel]
    }

    /// How a wildcard step appears in a path: `[label]` for a list item, `.key` for a mapping member.
    struct WildcardLabel {
        let text: String
        let isMember: Bool
    }

    /// Visits the matches `evaluate` returns, in the same order, without building their paths.
    /// `body` gets the hit, the found node (for a missing field: the deepest node reached) and, when
    /// `hit.hasKey`, the key of the pair holding it (otherwise any node); it returns false to stop.
    ///
    /// The nodes are handed over as pointers into the tree, valid during the call: every object is
    /// walked by dozens of rules, and copying the nodes along the way (each copy retains their
    /// storage) was most of what a walk cost.
    func forEachHit(_ node: Node, field: Node.Pair? = nil, _ body: (Hit, UnsafePointer<Node>, UnsafePointer<Node>) -> Bool) {
        withUnsafePointer(to: node) { node in
            if let field {
                withUnsafePointer(to: field.key) { key in forEachHit(node, fieldKey: key, body) }
            } else {
                forEachHit(node, fieldKey: nil, body)
            }
        }
    }

    /// `forEachHit` from a node in place; `fieldKey` is the key of the pair that holds it, if any.
    func forEachHit(
        _ node: UnsafePointer<Node>, fieldKey: UnsafePointer<Node>?, _ body: (Hit, UnsafePointer<Node>, UnsafePointer<Node>) -> Bool
    ) {
        var labels: [WildcardLabel] = []
        _ = walk(node, key: fieldKey ?? node, hasKey: fieldKey != nil, 0, labels: &labels, body)
    }

    /// The logical path of a hit below `basePath`, exactly as `evaluate` reports it.
    func path(of hit: Hit, basePath: String, suffixes: [String]? = nil) -> String {
        // Appended in place: `join` semantics (a dot unless the path so far is empty).
        var path = basePath
        path.reserveCapacity(basePath.utf8.count + 64)
        func append(key: String) {
            if !path.isEmpty { path += "." }
            path += key
        }
        var wildcard = 0
        for component in components[..<hit.depth] {
            switch component {
            case .key(let key): append(key: key)
            case .index(let n):
                path += "["
                path += String(n)
                path += "]"
            case .wildcard:
                let label = hit.labels[wildcard]
                wildcard += 1
                if label.isMember {
                    append(key: label.text)
                } else {
                    path += "["
                    path += label.text
                    path += "]"
                }
            }
        }
        guard !hit.found else { return path }
        let rest = suffixes?[hit.depth] ?? NodePath(components: Array(components[hit.depth...])).description
        if hit.missedIndex { path += rest } else { append(key: rest) }
        return path
    }
}

extension NodePath.Match {
    /// The node to report: the field (key through value) or the anchor of a missing one.
    public var reportRange: SourceRange {
        switch self {
        case .found(let node, let pair, _):
            if let pair { return SourceRange(start: pair.key.range.start, end: node.range.end) }
            return node.range
        case .missing(let anchor, _): return anchor
        }
    }

    /// The logical path of the match.
    public var path: String {
        switch self {
        case .found(_, _, let path), .missing(_, let path): return path
        }
    }
}

private extension NodePath {
    /// Follows components from `k` on below `node` (held by a pair with `key` when `hasKey`);
    /// returns false when `body` asked to stop.
    func walk(
        _ node: UnsafePointer<Node>, key: UnsafePointer<Node>, hasKey: Bool, _ k: Int, labels: inout [WildcardLabel],
        _ body: (Hit, UnsafePointer<Node>, UnsafePointer<Node>) -> Bool
    ) -> Bool {
        let range = hasKey ? SourceRange(start: key.pointee.range.start, end: node.pointee.range.end) : node.pointee.range
        guard k < components.count else {
            return body(Hit(found: true, hasKey: hasKey, range: range, depth: k, missedIndex: false, labels: labels), node, key)
        }
        switch components[k] {
        case .key(let name):
            var keyRange: SourceRange?
            if case .mapping(let pairs) = node.pointee.content {
                let step: Bool? = pairs.withUnsafeBufferPointer { pairs in
                    guard let i = Self.index(of: name, in: pairs) else { return nil }
                    let (key, value) = Self.parts(pairs.baseAddress! + i)
                    guard Self.isNull(value) else { return walk(value, key: key, hasKey: true, k + 1, labels: &labels, body) }
                    keyRange = key.pointee.range
                    return nil
                }
                if let step { return step }
            }
            // A missing field before a `[*]` means "no items", not a missing item.
            guard !components[(k + 1)...].contains(.wildcard) else { return true }
            return body(Hit(found: false, hasKey: false, range: keyRange ?? range, depth: k, missedIndex: false, labels: labels), node, key)
        case .index(let n):
            if case .sequence(let items) = node.pointee.content, n >= 0, n < items.count {
                return items.withUnsafeBufferPointer { items in
                    let item = items.baseAddress! + n
                    return walk(item, key: item, hasKey: false, k + 1, labels: &labels, body)
                }
            }
            return body(Hit(found: false, hasKey: false, range: range, depth: k, missedIndex: true, labels: labels), node, key)
        case .wildcard:
            switch node.pointee.content {
            case .sequence(let items):
                return items.withUnsafeBufferPointer { items in
                    for index in items.indices {
                        let item = items.baseAddress! + index
                        let label = item.pointee.scalar(forKey: "name") ?? String(index)
                        labels.append(WildcardLabel(text: label, isMember: false))
                        defer { labels.removeLast() }
                        guard walk(item, key: item, hasKey: false, k + 1, labels: &labels, body) else { return false }
                    }
                    return true
                }
            case .mapping(let pairs):
                return pairs.withUnsafeBufferPointer { pairs in
                    for index in pairs.indices {
                        let (key, value) = Self.parts(pairs.baseAddress! + index)
                        labels.append(WildcardLabel(text: key.pointee.scalar ?? "?", isMember: true))
                        defer { labels.removeLast() }
                        guard walk(value, key: key, hasKey: true, k + 1, labels: &labels, body) else { return false }
                    }
                    return true
                }
            case .scalar: return true
            }
        }
    }

    /// Pointers to the key and the value of a pair in place.
    static func parts(_ pair: UnsafePointer<Node.Pair>) -> (key: UnsafePointer<Node>, value: UnsafePointer<Node>) {
        let raw = UnsafeRawPointer(pair)
        return (
            (raw + keyOffset).assumingMemoryBound(to: Node.self), (raw + valueOffset).assumingMemoryBound(to: Node.self)
        )
    }

    static let keyOffset = MemoryLayout<Node.Pair>.offset(of: \Node.Pair.key)!
    static let valueOffset = MemoryLayout<Node.Pair>.offset(of: \Node.Pair.value)!

    /// `node.pointee.isNull`, read in place.
    static func isNull(_ node: UnsafePointer<Node>) -> Bool {
        let tag = node.pointee.tag
        if tag == "tag:yaml.org,2002:null" { return true }
        guard tag == nil, case .scalar(let text, .plain) = node.pointee.content else { return false }
        return ScalarResolver.isNull(text)
    }

    /// The index of the first pair whose key is the scalar `key`, read in place.
    static func index(of key: String, in pairs: UnsafeBufferPointer<Node.Pair>) -> Int? {
        let length = key.utf8.count
        for i in pairs.indices {
            if case .scalar(let text, _) = pairs[i].key.content, text.utf8.count == length, text == key { return i }
        }
        return nil
    }

    /// True when a key must be written `["key"]` (it holds a dot or a bracket).
    static func needsQuoting(_ key: String) -> Bool {
        // ASCII keys are checked byte by byte; others take Foundation's search, as they always did.
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else { return key.contains(".") || key.contains("[") }
        return key.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") }
    }
}

extension NodePath {
    static func join(_ base: String, _ key: String) -> String { base.isEmpty ? key : String.joining(base, ".", key) }
}
