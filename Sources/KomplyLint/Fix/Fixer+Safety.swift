import Foundation
import KomplyCore

/// What keeps `--fix` from breaking a file: edits are made on the file's text with its own line ends and
/// byte-order mark, and every round is re-read and compared with the intended change (DESIGN.md: "--fix
/// edits a file only when the re-parsed result is exactly the intended change"). A file that fails is
/// left byte-identical and named with the reason.
extension Fixer {
    /// The fixed text of one file and the summaries of its fixes; nil when nothing changes.
    static func fixFile(
        _ file: String, _ original: String, findings given: [Finding], linter: Linter, maxRounds: Int, adjust: (Finding) -> Finding
    ) throws(Unsafe) -> (String, [String])? {
        let shape = try TextShape(original)
        var text = shape.normalized
        // Positions of findings made on the original text do not fit the normalized one.
        var findings = text == original ? given : linter.lint(sources: [ManifestSource(file: file, text: text)]).findings.map(adjust)
        var applied: [String] = []
        for _ in 0..<maxRounds {
            let round = try applyRound(text, findings: findings)
            guard round.text != text else { break }
            try verify(round.edits, from: text, to: round.text, file: file)
            text = round.text
            applied += round.summaries
            findings = linter.lint(sources: [ManifestSource(file: file, text: text)]).findings.map(adjust)
        }
        guard text != shape.normalized else { return nil }
        let restored = shape.restore(text)
        // The file's own line ends and byte-order mark must read as the text that was verified.
        guard (try? trees(restored, file: file)) == (try? trees(text, file: file)) else {
            throw Unsafe("its line ends could not be kept")
        }
        return (restored, applied)
    }

    /// A text's byte-order mark and line end, and the text with LF line ends and a final newline that
    /// the edits are planned on.
    ///
    /// Decision: an edited file always ends with a newline (its own line end); a file no fix changes
    /// is never touched, so a missing final newline stays missing there.
    struct TextShape {
        let bom: Bool
        let lineEnd: String
        let normalized: String

        init(_ text: String) throws(Unsafe) {
            var scalars = Substring(text).unicodeScalars[...]
            // libyaml reads UTF-16 by its byte-order mark; read as UTF-8 that mark is two replacement characters.
            if scalars.starts(with: ["\u{FFFD}", "\u{FFFD}"]) || scalars.contains("\u{0}") {
                throw Unsafe("it is not UTF-8 (UTF-16 or UTF-32 with a byte-order mark); komply edits UTF-8 files only")
            }
            bom = scalars.first == "\u{FEFF}"
            if bom { scalars = scalars.dropFirst() }
            var (lf, crlf, cr) = (0, 0, 0)
            var afterCR = false
            for scalar in scalars {
                if scalar == "\n" {
                    if afterCR { crlf += 1 } else { lf += 1 }
                } else if afterCR {
                    cr += 1
                }
                afterCR = scalar == "\r"
            }
            if afterCR { cr += 1 }
            guard [lf, crlf, cr].filter({ $0 > 0 }).count <= 1 else {
                throw Unsafe("it mixes line ends (LF, CRLF, CR), so an added line could not match them all")
            }
            lineEnd = crlf > 0 ? "\r\n" : cr > 0 ? "\r" : "\n"
            var body = String(String.UnicodeScalarView(scalars))
            if lineEnd != "\n" { body = body.replacingOccurrences(of: lineEnd, with: "\n") }
            if !body.isEmpty, body.unicodeScalars.last != "\n" { body += "\n" }
            normalized = body
        }

        /// `text` (LF line ends) with the file's own line end and byte-order mark.
        func restore(_ text: String) -> String {
            (bom ? "\u{FEFF}" : "") + (lineEnd == "\n" ? text : text.replacingOccurrences(of: "\n", with: lineEnd))
        }
    }

    /// Throws unless `next` re-reads as `text` with exactly `edits` applied, and nothing else changed.
    static func verify(_ edits: [Fix.Edit], from text: String, to next: String, file: String) throws(Unsafe) {
        guard let before = try? YAMLLoader.parse(text, file: file) else { throw Unsafe("it could not be re-read before editing") }
        let after: [ValueTree]
        do { after = try trees(next, file: file) } catch {
            throw Unsafe("the edited file would not parse (\(error.localizedDescription))")
        }
        var expected = before.map { $0.valueTree(schema: .yaml11) }
        let places = locate(Set(edits.map(\.anchor)), in: before)
        for edit in edits {
            guard let found = places[edit.anchor], found.count == 1 else {
                throw Unsafe("an edited value is repeated elsewhere by a YAML alias")
            }
            expected[found[0].document] = apply(edit, at: found[0].steps[...], to: expected[found[0].document])
        }
        let (actual, intended) = (after.map(sortedKeys), expected.map(sortedKeys))
        guard actual == intended else {
            let at = actual.count == intended.count ? zip(actual, intended).lazy.compactMap { firstDifference($0, $1) }.first : nil
            throw Unsafe(
                "the edited file would not read as exactly the intended change"
                    + (at.map { " (at \($0.isEmpty ? "a document" : $0))" } ?? ""))
        }
    }

    /// A step from a node to one of its children.
    enum Step: Hashable {
        case key(String)
        case index(Int)
    }

    static func trees(_ text: String, file: String) throws(CoreError) -> [ValueTree] {
        try YAMLLoader.parse(text, file: file).map { $0.valueTree(schema: .yaml11) }
    }

    /// Every place (document, steps) where each of `targets` occurs, in one walk; an alias repeats a
    /// node with its range.
    static func locate(_ targets: Set<Node>, in documents: [Node]) -> [Node: [(document: Int, steps: [Step])]] {
        let ranges = Set(targets.map(\.range))
        var found: [Node: [(document: Int, steps: [Step])]] = [:]
        var steps: [Step] = []
        func walk(_ node: Node, _ document: Int) {
            if ranges.contains(node.range), targets.contains(node) { found[node, default: []].append((document, steps)) }
            switch node.content {
            case .scalar: break
            case .sequence(let items):
                for (i, item) in items.enumerated() {
                    steps.append(.index(i))
                    walk(item, document)
                    steps.removeLast()
                }
            case .mapping(let pairs):
                for pair in pairs {
                    steps.append(.key(pair.key.scalar ?? pair.key.valueTree(schema: .yaml11).compactJSON))
                    walk(pair.value, document)
                    steps.removeLast()
                }
            }
        }
        for (index, document) in documents.enumerated() { walk(document, index) }
        return found
    }

    /// `tree` with `edit` applied to the node at `steps`.
    static func apply(_ edit: Fix.Edit, at steps: ArraySlice<Step>, to tree: ValueTree) -> ValueTree {
        guard let step = steps.first else { return apply(edit, keys: edit.path[...], to: tree) }
        switch (step, tree) {
        case (.index(let i), .array(var items)) where items.indices.contains(i):
            items[i] = apply(edit, at: steps.dropFirst(), to: items[i])
            return .array(items)
        case (.key(let key), .object(var members)):
            guard let j = members.firstIndex(where: { $0.key == key }) else { return tree }
            members[j].value = apply(edit, at: steps.dropFirst(), to: members[j].value)
            return .object(members)
        default:
            return tree
        }
    }

    /// `tree` (a mapping, or null for a key without a value) with the edit's keys set, appended to or removed.
    static func apply(_ edit: Fix.Edit, keys: ArraySlice<String>, to tree: ValueTree) -> ValueTree {
        guard let key = keys.first else {
            if edit.mode == .appendToList, case .array(let items) = tree { return .array(items + [edit.value]) }
            return edit.mode == .appendToList ? .array([edit.value]) : edit.value
        }
        var members = tree.objectMembers ?? []
        let index = members.firstIndex { $0.key == key }
        if keys.count == 1, edit.mode == .remove {
            if let index { members.remove(at: index) }
        } else if let index {
            members[index].value = apply(edit, keys: keys.dropFirst(), to: members[index].value)
        } else {
            members.append(.init(key: key, value: apply(edit, keys: keys.dropFirst(), to: .null)))
        }
        return .object(members)
    }

    /// The path (`spec.containers[0].image`) of the first place where two trees differ, or nil.
    static func firstDifference(_ a: ValueTree, _ b: ValueTree, path: String = "") -> String? {
        switch (a, b) {
        case (.object(let x), .object(let y)) where x.map(\.key) == y.map(\.key):
            return zip(x, y).lazy.compactMap { firstDifference($0.value, $1.value, path: path + (path.isEmpty ? "" : ".") + $0.key) }.first
        case (.array(let x), .array(let y)) where x.count == y.count:
            return zip(x, y).enumerated().lazy.compactMap { firstDifference($1.0, $1.1, path: path + "[\($0)]") }.first
        default:
            return a == b ? nil : path
        }
    }

    /// Key order is not part of a mapping's value (inserted keys land where the text allows).
    static func sortedKeys(_ tree: ValueTree) -> ValueTree {
        switch tree {
        case .object(let members):
            return .object(members.map { .init(key: $0.key, value: sortedKeys($0.value)) }.sorted { $0.key < $1.key })
        case .array(let items): return .array(items.map(sortedKeys))
        default: return tree
        }
    }

    /// Refuses a value whose text is not its own: one that carries an anchor, comes from an alias, or is a block scalar.
    static func checkEditable(_ value: Node, of pair: Node.Pair, _ scalars: [Unicode.Scalar]) throws(Unsafe) {
        let start = value.range.start.offset
        guard start >= pair.key.range.end.offset, start < scalars.count else {
            throw Unsafe("cannot edit a value that comes from a YAML alias (*) safely")
        }
        if scalars[start] == "&" { throw Unsafe("cannot edit a value that carries a YAML anchor (&) safely") }
        if case .scalar(_, let style) = value.content, style == .literal || style == .folded {
            throw Unsafe("cannot replace a block scalar (| or >) safely")
        }
    }

    /// Refuses a flow sequence whose closing bracket is not where the parser says, or that ends with a comma.
    static func checkFlowSequenceEnd(_ items: [Node], close: Int, _ scalars: [Unicode.Scalar]) throws(Unsafe) {
        guard close >= 0, close < scalars.count, scalars[close] == "]" else {
            throw Unsafe("cannot find the end of a flow sequence safely")
        }
        let from = items.last?.range.end.offset ?? close
        guard from <= close, !scalars[from..<close].contains(",") else {
            throw Unsafe("cannot edit a flow sequence with a trailing comma safely")
        }
    }
}
