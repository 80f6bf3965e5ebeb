extension String {
    /// The text with each ASCII character that `replacement` maps replaced by what it returns (an empty
    /// string drops the character); every other character is kept as it is.
    ///
    /// One pass over the UTF-8 bytes, and no copy at all when nothing is replaced: reporters escape
    /// every message and path of a run this way, tens of thousands of strings, where a chain of
    /// `replacingOccurrences` searched each string once per character it escapes.
    /// Only ASCII is looked at: the bytes of a non-ASCII character are all 0x80 or above, so the result
    /// is the same as replacing character by character.
    @inlinable public func escapingASCII(_ replacement: (UInt8) -> String?) -> String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { $0 < 0x80 && replacement($0) != nil }) else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        out.append(contentsOf: bytes[..<first])
        for byte in bytes[first...] {
            if byte < 0x80, let text = replacement(byte) {
                out.append(contentsOf: text.utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
