import Foundation
import KomplyCore

/// Applies findings' safe fixes to manifest text, editing only the lines that change: comments,
/// key order and formatting elsewhere are kept. Fixes are applied in rounds, re-linting after
/// each, so two fixes that create the same parent key never collide.
public enum Fixer {
    /// One file's change.
    public struct Change: Sendable, Hashable {
        /// The file.
        public var file: String
        /// The text before (empty for a new file).
        public var before: String
        /// The text after.
        public var after: String
        /// Summaries of the fixes applied.
        public var applied: [String]

        /// Creates a change.
        public init(file: String, before: String, after: String, applied: [String]) {
            self.file = file
            self.before = before
            self.after = after
            self.applied = applied
        }
    }

    /// A file that `--fix` left byte-identical because it could not be edited safely, and why.
    public struct Refusal: Sendable, Hashable {
        /// The file.
        public var file: String
        /// Why, as a clause (`cannot edit a flow sequence with a trailing comma safely`).
        public var reason: String

        /// Creates a refusal.
        public init(file: String, reason: String) {
            self.file = file
            self.reason = reason
        }
    }

    /// What fixing a run gives: the changed and created files, and the files left as they were.
    public struct Outcome: Sendable, Hashable {
        /// The changed and created files (nothing is written).
        public var changes: [Change]
        /// The files with fixes that were not applied, byte-identical.
        public var refused: [Refusal]
    }

    /// Fixes every fixable finding of `result`; returns the changed and created files (nothing is written).
    /// `adjust` may change a finding's fix before it is applied (the CLI sizes resources with komply predict).
    public static func fix(
        _ result: Linter.Result, with linter: Linter, maxRounds: Int = 25, adjust: (Finding) -> Finding = { $0 }
    ) -> [Change] {
        fixes(result, with: linter, maxRounds: maxRounds, adjust: adjust).changes
    }

    /// Like `fix`, and names the files left unchanged because no edit of them would re-read as exactly
    /// the intended change (see `Fixer+Safety.swift`).
    public static func fixes(
        _ result: Linter.Result, with linter: Linter, maxRounds: Int = 25, adjust: (Finding) -> Finding = { $0 }
    ) -> Outcome {
        var changes: [Change] = []
        var refused: [Refusal] = []
        let files = Set(result.findings.filter { $0.fix != nil }.map(\.location.file))
        for file in files.sorted() {
            guard let original = result.texts[file] else { continue }
            let findings = result.findings.filter { $0.location.file == file }.map(adjust)
            do {
                if let (text, applied) = try fixFile(
                    file, original, findings: findings, linter: linter, maxRounds: maxRounds, adjust: adjust)
                {
                    changes.append(Change(file: file, before: original, after: text, applied: applied))
                }
            } catch {
                refused.append(Refusal(file: file, reason: error.reason))
            }
        }
        var created = Set<String>()
        for finding in result.findings {
            guard let newFile = finding.fix?.newFile, !created.contains(newFile.path), !FileManager.default.fileExists(atPath: newFile.path)
            else { continue }
            created.insert(newFile.path)
            changes.append(Change(file: newFile.path, before: "", after: newFile.text, applied: [finding.fix!.summary]))
        }
        return Outcome(changes: changes.sorted { $0.file < $1.file }, refused: refused)
    }

    /// One round's result: the new text, the summaries of the fixes applied and their edits.
    struct Round {
        var text: String
        var summaries: [String]
        var edits: [Fix.Edit]
    }

    /// Applies the non-overlapping edits of one round to `text` (LF line ends, a final newline).
    static func applyRound(_ text: String, findings: [Finding]) throws(Unsafe) -> Round {
        var scalars = Array(text.unicodeScalars)
        var replacements: [Planned] = []
        var touched = Set<Int>()
        var summaries: [String] = []
        var edits: [Fix.Edit] = []
        for finding in findings {
            guard let fix = finding.fix, !fix.edits.isEmpty else { continue }
            var planned: [Planned] = []
            for edit in fix.edits {
                guard let p = try plan(edit, scalars) else { break }
                planned.append(p)
            }
            guard planned.count == fix.edits.count, !planned.contains(where: { touched.contains($0.anchor) }) else { continue }
            for p in planned { touched.insert(p.anchor) }
            replacements += planned
            summaries.append(fix.summary)
            edits += fix.edits
        }
        // From the end backwards; at one offset a removal goes before an insertion (else it would remove the
        // inserted text), and of two insertions the deeper one ends up first (it belongs to the inner mapping).
        let ordered = replacements.sorted {
            ($0.start, $0.end, -indent(of: $0.text)) > ($1.start, $1.end, -indent(of: $1.text))
        }
        var limit = scalars.count
        for r in ordered {
            guard r.end <= limit else { throw Unsafe("two fixes edit the same text") }
            limit = r.start
            scalars.replaceSubrange(r.start..<r.end, with: Array(r.text.unicodeScalars))
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return Round(text: out, summaries: summaries, edits: edits)
    }

    /// Leading spaces of a text's first line.
    static func indent(of text: String) -> Int {
        text.unicodeScalars.prefix { $0 == " " }.count
    }
}

extension Fixer {
    /// A fix that would not re-read as exactly its intended change; the file is left as it is.
    struct Unsafe: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    struct Planned {
        /// Offset of the mapping the edit changes (edits on one mapping wait for the next round).
        let anchor: Int
        let start: Int
        let end: Int
        let text: String
    }

    static func plan(_ edit: Fix.Edit, _ scalars: [Unicode.Scalar]) throws(Unsafe) -> Planned? {
        var node = edit.anchor
        for (depth, key) in edit.path.enumerated() {
            guard isBlockMapping(node, scalars) else { return nil }
            let rest = Array(edit.path[(depth + 1)...])
            if let pair = node.pair(key), pair.value.isNull, edit.mode != .remove {
                // `key:` with no value: rewrite that line with the new value below it.
                let start = lineStart(of: pair.key.range.start.offset, scalars)
                guard scalars[start..<pair.key.range.start.offset].allSatisfy({ $0 == " " }) else { return nil }
                let text = render(keys: [key] + rest, indent: pair.key.range.start.column - 1, edit: edit)
                return Planned(
                    anchor: node.range.start.offset, start: start, end: lineEnd(after: pair.value.range.end.line, scalars), text: text)
            }
            guard let pair = node.pair(key) else {
                return edit.mode == .remove ? nil : insert(into: node, keys: [key] + rest, edit: edit, scalars)
            }
            if rest.isEmpty { return edit.mode == .remove ? remove(pair, from: node, scalars) : try replace(pair, edit: edit, scalars) }
            node = pair.value
        }
        return nil
    }

    static func remove(_ pair: Node.Pair, from mapping: Node, _ scalars: [Unicode.Scalar]) -> Planned? {
        guard (mapping.mapping?.count ?? 0) > 1 else { return nil }
        // Only a key that starts its own line (not `- hostPort: 80`) can be removed line-wise.
        let start = lineStart(of: pair.key.range.start.offset, scalars)
        guard scalars[start..<pair.key.range.start.offset].allSatisfy({ $0 == " " }) else { return nil }
        let end = lineEnd(after: lastContentLine(pair.value), scalars)
        return Planned(anchor: mapping.range.start.offset, start: start, end: end, text: "")
    }

    static func lineStart(of offset: Int, _ scalars: [Unicode.Scalar]) -> Int {
        var i = offset
        while i > 0, scalars[i - 1] != "\n" { i -= 1 }
        return i
    }

    static func replace(_ pair: Node.Pair, edit: Fix.Edit, _ scalars: [Unicode.Scalar]) throws(Unsafe) -> Planned? {
        let value = pair.value
        try checkEditable(value, of: pair, scalars)
        switch edit.mode {
        case .set:
            guard value.scalar != nil else { return nil }
            return Planned(
                anchor: pair.key.range.start.offset, start: value.range.start.offset, end: value.range.end.offset, text: inline(edit.value))
        case .remove:
            return nil
        case .appendToList:
            guard let items = value.sequence else { return nil }
            if let wanted = edit.value.stringValue?.uppercased(), items.contains(where: { $0.scalar?.uppercased() == wanted }) {
                return nil
            }
            if scalars[value.range.start.offset] == "[" {
                // Flow sequence: insert right after the last item (before any comment), else before the bracket.
                let close = value.range.end.offset - 1
                try checkFlowSequenceEnd(items, close: close, scalars)
                let at = items.last?.range.end.offset ?? close
                let text = (items.isEmpty ? "" : ", ") + inline(edit.value)
                return Planned(anchor: pair.key.range.start.offset, start: at, end: at, text: text)
            }
            guard let last = items.last else { return nil }
            let column = last.range.start.column - 1
            let indent = String(repeating: " ", count: max(0, column - 2))
            let at = lineEnd(after: lastContentLine(last), scalars)
            return Planned(anchor: pair.key.range.start.offset, start: at, end: at, text: item(edit.value, pad: indent))
        }
    }

    static func insert(into mapping: Node, keys: [String], edit: Fix.Edit, _ scalars: [Unicode.Scalar]) -> Planned? {
        guard let pairs = mapping.mapping, let first = pairs.first else { return nil }
        let indent = first.key.range.start.column - 1
        let at = lineEnd(after: lastContentLine(pairs.last!.value), scalars)
        return Planned(anchor: mapping.range.start.offset, start: at, end: at, text: render(keys: keys, indent: indent, edit: edit))
    }

    /// Block YAML lines setting `keys` (nested) to the edit's value.
    static func render(keys: [String], indent: Int, edit: Fix.Edit) -> String {
        var text = ""
        for (depth, key) in keys.enumerated() {
            let pad = String(repeating: " ", count: indent + 2 * depth)
            if depth == keys.count - 1 {
                if edit.mode == .appendToList {
                    text += pad + YAMLEmitter.scalar(key) + ":\n" + item(edit.value, pad: pad + "  ")
                } else if !edit.value.isEmptyCollection, edit.value.objectMembers != nil {
                    // A mapping value is written as a block, indented below its key.
                    let block = YAMLEmitter.emit(edit.value).split(separator: "\n").map { pad + "  " + $0 }.joined(separator: "\n")
                    text += pad + YAMLEmitter.scalar(key) + ":\n" + block + "\n"
                } else {
                    text += pad + YAMLEmitter.scalar(key) + ": " + inline(edit.value) + "\n"
                }
            } else {
                text += pad + YAMLEmitter.scalar(key) + ":\n"
            }
        }
        return text
    }

    /// A block list item: `- value`, or a mapping's keys below `- ` (an env entry `{name, value}`).
    static func item(_ value: ValueTree, pad: String) -> String {
        guard value.objectMembers?.isEmpty == false else { return pad + "- " + inline(value) + "\n" }
        let lines = YAMLEmitter.emit(value).split(separator: "\n")
        return lines.enumerated().map { pad + ($0.offset == 0 ? "- " : "  ") + $0.element }.joined(separator: "\n") + "\n"
    }

    static func inline(_ value: ValueTree) -> String {
        switch value {
        case .string(let s): return YAMLEmitter.scalar(s)
        default: return value.compactJSON
        }
    }

    static func isBlockMapping(_ node: Node, _ scalars: [Unicode.Scalar]) -> Bool {
        guard node.mapping?.isEmpty == false, node.range.start.offset < scalars.count else { return false }
        return scalars[node.range.start.offset] != "{"
    }

    /// The last line holding text of a node (block collections end where the next token starts).
    static func lastContentLine(_ node: Node) -> Int {
        switch node.content {
        case .scalar:
            return node.range.end.column == 1 && node.range.end.line > node.range.start.line ? node.range.end.line - 1 : node.range.end.line
        case .sequence(let items):
            guard let last = items.last else { return node.range.end.line }
            return max(lastContentLine(last), node.range.start.line)
        case .mapping(let pairs):
            guard let last = pairs.last else { return node.range.end.line }
            return max(lastContentLine(last.value), last.key.range.end.line)
        }
    }

    /// The offset just after the newline ending `line` (1-based), or the end of the text.
    static func lineEnd(after line: Int, _ scalars: [Unicode.Scalar]) -> Int {
        var current = 1
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\n" {
                if current == line { return i + 1 }
                current += 1
            }
            i += 1
        }
        return scalars.count
    }
}
