import KomplyCore

/// A safe automatic fix: edits to one YAML mapping, applied to the source text line by line.
public struct Fix: Sendable, Hashable {
    /// One edit: set `path` (keys below `anchor`) to `value`, or append `value` to the list at `path`.
    public struct Edit: Sendable, Hashable {
        /// How the value is applied.
        public enum Mode: Sendable, Hashable {
            /// Set the key (creating missing parents); an existing scalar value is replaced.
            case set
            /// Append to the list at the path (creating it when missing) unless already present.
            case appendToList
            /// Delete the key (and its value's lines); `value` is ignored.
            case remove
        }

        /// The mapping node the path starts from.
        public var anchor: Node
        /// Keys below the anchor.
        public var path: [String]
        /// The value to write.
        public var value: ValueTree
        /// How to apply it.
        public var mode: Mode

        /// Creates an edit.
        public init(anchor: Node, path: [String], value: ValueTree, mode: Mode = .set) {
            self.anchor = anchor
            self.path = path
            self.value = value
            self.mode = mode
        }
    }

    /// A file the fix creates (a default-deny NetworkPolicy), written only when it does not exist.
    public struct NewFile: Sendable, Hashable {
        /// The path.
        public var path: String
        /// The content.
        public var text: String

        /// Creates a new-file fix.
        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// What the fix does, for reports (`set securityContext.runAsNonRoot: true`).
    public var summary: String
    /// The edits, applied together.
    public var edits: [Edit]
    /// A file to create.
    public var newFile: NewFile?

    /// Creates a fix.
    public init(summary: String, edits: [Edit], newFile: NewFile? = nil) {
        self.summary = summary
        self.edits = edits
        self.newFile = newFile
    }
}
