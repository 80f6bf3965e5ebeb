import KomplyCore

/// Edits named by a path from a document's root (not by a finding's node), applied with the same care as
/// the fixes: on the file's own line ends and byte-order mark, only the lines that change, each edit
/// re-read and compared with its intended change. `komply lint --fix --llm` writes accepted refinements so.
extension Fixer {
    /// One step from a node to a child.
    public enum PathStep: Sendable, Hashable {
        /// A mapping's key (created when missing).
        case key(String)
        /// A sequence's item (must exist).
        case index(Int)
        /// A new item at the end of a sequence (the last step only; the sequence is created when missing).
        case append
    }

    /// One edit: set the value at `path` in document `document` (or append it, when the path ends with `.append`).
    public struct PathEdit: Sendable, Hashable {
        /// The document's index in the file.
        public var document: Int
        /// The steps from the document's root.
        public var path: [PathStep]
        /// The value to write: a scalar, or a mapping as a new list item.
        public var value: ValueTree

        /// Creates an edit.
        public init(document: Int, path: [PathStep], value: ValueTree) {
            self.document = document
            self.path = path
            self.value = value
        }
    }

    /// `text` with every edit applied, all or none: a refusal (why, as a clause) when one of them cannot be
    /// placed or would not re-read as exactly its change. The result keeps the file's line ends and byte-order
    /// mark and, like every edited file, ends with a line end.
    public static func applying(_ edits: [PathEdit], to original: String, file: String) throws(Refusal) -> String {
        do throws(Unsafe) {
            let shape = try TextShape(original)
            var text = shape.normalized
            for edit in edits {
                guard let documents = try? YAMLLoader.parse(text, file: file), documents.indices.contains(edit.document) else {
                    throw Unsafe("it could not be re-read before editing")
                }
                let fix = try anchored(edit, in: documents[edit.document])
                guard let planned = try plan(fix, Array(text.unicodeScalars)) else {
                    throw Unsafe("\(describe(edit.path)) cannot be placed in the file's layout (a flow mapping or an unexpected value)")
                }
                var scalars = Array(text.unicodeScalars)
                scalars.replaceSubrange(planned.start..<planned.end, with: Array(planned.text.unicodeScalars))
                var next = ""
                next.unicodeScalars.append(contentsOf: scalars)
                try verify([fix], from: text, to: next, file: file)
                text = next
            }
            guard text != shape.normalized else { return original }
            let restored = shape.restore(text)
            guard (try? trees(restored, file: file)) == (try? trees(text, file: file)) else {
                throw Unsafe("its line ends could not be kept")
            }
            return restored
        } catch {
            throw Refusal(file: file, reason: error.reason)
        }
    }
}

extension Fixer.Refusal: Error {}

private extension Fixer {
    /// The edit as the fixer plans it: anchored at the mapping after the last item step, keys below it.
    static func anchored(_ edit: PathEdit, in document: Node) throws(Unsafe) -> Fix.Edit {
        var node = document
        var keys: [String] = []
        var append = false
        for (position, step) in edit.path.enumerated() {
            switch step {
            case .index(let index):
                // Only keys that exist can lead to an item.
                for key in keys {
                    guard let child = node.pair(key)?.value else { throw Unsafe("\(describe(edit.path)) leads through a missing list") }
                    node = child
                }
                keys = []
                guard let items = node.sequence, items.indices.contains(index) else {
                    throw Unsafe("\(describe(edit.path)) names an item the file does not have")
                }
                node = items[index]
            case .key(let key):
                keys.append(key)
            case .append:
                guard position == edit.path.count - 1, !keys.isEmpty else { throw Unsafe("\(describe(edit.path)) appends in the middle") }
                append = true
            }
        }
        guard node.mapping != nil, !keys.isEmpty else { throw Unsafe("\(describe(edit.path)) does not end at a key of a mapping") }
        return Fix.Edit(anchor: node, path: keys, value: edit.value, mode: append ? .appendToList : .set)
    }

    /// `spec.template.spec.containers[0].resources` for messages.
    static func describe(_ path: [PathStep]) -> String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += (text.isEmpty ? "" : ".") + key
            case .index(let index): text += "[\(index)]"
            case .append: text += "[+]"
            }
        }
        return text
    }
}
