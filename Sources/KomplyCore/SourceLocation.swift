/// A 1-based line and column plus the 0-based byte offset of a point in a source file.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars as editors show it.
    public var column: Int
    /// 0-based offset from the start of the file, in Unicode scalars.
    public var offset: Int

    /// Creates a position.
    public init(line: Int, column: Int, offset: Int = 0) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// Orders positions by line, then column.
    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A half-open range `[start, end)` in one source file.
public struct SourceRange: Sendable, Hashable {
    /// First character of the range.
    public var start: SourcePosition
    /// Position just after the last character of the range.
    public var end: SourcePosition

    /// Creates a range.
    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }
}

/// A file and a range inside it: what every error and finding points at.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path as the user named it (relative paths stay relative).
    public var file: String
    /// The range inside the file; nil when the whole file is meant.
    public var range: SourceRange?

    /// Creates a location.
    public init(file: String, range: SourceRange? = nil) {
        self.file = file
        self.range = range
    }

    /// `file:line:column`, or just `file` when no range is known.
    public var description: String {
        guard let range else { return file }
        return "\(file):\(range.start.line):\(range.start.column)"
    }
}
