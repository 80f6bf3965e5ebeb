extension String {
    /// The text's lines: split at each line feed, a carriage return before it dropped, the last
    /// line kept even when empty (so the n-th element is line n + 1 of an editor).
    ///
    /// Split on bytes: `split(separator: "\n")` compares Characters, and "\r\n" is one Character,
    /// so it never splits a file with Windows line endings.
    public var lineSlices: [Substring] {
        utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            Substring(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
        }
    }
}
