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
                if k.contains(".") || k.contains("[") { out += "[\"\(k)\"]" } else { out += (out.isEmpty ? "" : ".") + k }
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
        walk(node, pair: field, components[...], path: basePath, into: &results)
        return results
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
    func walk(_ node: Node, pair: Node.Pair?, _ rest: ArraySlice<Component>, path: String, into results: inout [Match]) {
        guard let first = rest.first else {
            results.append(.found(node, pair: pair, path: path))
            return
        }
        let tail = rest.dropFirst()
        switch first {
        case .key(let key):
            if let found = node.pair(key), !found.value.isNull {
                walk(found.value, pair: found, tail, path: Self.join(path, key), into: &results)
            } else if !tail.contains(.wildcard) {
                // A missing field before a `[*]` means "no items", not a missing item.
                let anchor = node.pair(key)?.key.range ?? Self.range(node, pair)
                results.append(.missing(anchor: anchor, path: Self.join(path, NodePath(components: Array(rest)).description)))
            }
        case .index(let n):
            if let items = node.sequence, n >= 0, n < items.count {
                walk(items[n], pair: nil, tail, path: path + "[\(n)]", into: &results)
            } else {
                results.append(.missing(anchor: Self.range(node, pair), path: path + NodePath(components: Array(rest)).description))
            }
        case .wildcard:
            if let items = node.sequence {
                for (index, item) in items.enumerated() {
                    let label = item["name"]?.scalar ?? String(index)
                    walk(item, pair: nil, tail, path: path + "[\(label)]", into: &results)
                }
            } else if let pairs = node.mapping {
                for p in pairs { walk(p.value, pair: p, tail, path: Self.join(path, p.key.scalar ?? "?"), into: &results) }
            }
        }
    }

    static func range(_ node: Node, _ pair: Node.Pair?) -> SourceRange {
        guard let pair else { return node.range }
        return SourceRange(start: pair.key.range.start, end: node.range.end)
    }

    static func join(_ base: String, _ key: String) -> String { base.isEmpty ? key : base + "." + key }
}
