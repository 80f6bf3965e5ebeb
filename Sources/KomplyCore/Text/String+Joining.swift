extension String {
    /// The parts concatenated (as `+` does), written once into a string of the right size.
    package static func joining(_ parts: String...) -> String {
        var count = 0
        for part in parts { count += part.utf8.count }
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var at = 0
            for var part in parts {
                part.withUTF8 { bytes in
                    if let source = bytes.baseAddress { (buffer.baseAddress! + at).initialize(from: source, count: bytes.count) }
                    at += bytes.count
                }
            }
            return at
        }
    }
}
