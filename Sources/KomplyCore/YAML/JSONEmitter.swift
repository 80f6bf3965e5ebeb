import Foundation

/// Writes a `ValueTree` as JSON, byte-stable: members in tree order, two-space indentation.
public enum JSONEmitter {
    /// The JSON text; pretty output ends with a newline.
    public static func emit(_ value: ValueTree, pretty: Bool = true) -> String {
        // UTF-8 bytes into one growing buffer, one String at the end: reports run to megabytes,
        // and appending to a String scalar by scalar was most of what `--format json` cost.
        var out = ByteWriter()
        defer { out.release() }
        write(value, indent: 0, pretty: pretty, into: &out)
        if pretty { out.append(UInt8(ascii: "\n")) }
        return out.string()
    }

    /// The same text as `emit`, as UTF-8 bytes: reports of megabytes go to a file or standard
    /// output without being validated into a String and copied back out.
    public static func emitData(_ value: ValueTree, pretty: Bool = true) -> Data { Data(joining: emitChunks(value, pretty: pretty)) }

    /// The same bytes as `emitData`, in the pieces they were written in (long arrays are written in
    /// parallel chunks): a large report is written out piece by piece, never joined in memory.
    public static func emitChunks(_ value: ValueTree, pretty: Bool = true) -> [Data] {
        var out = ByteWriter()
        defer { out.release() }
        write(value, indent: 0, pretty: pretty, into: &out)
        if pretty { out.append(UInt8(ascii: "\n")) }
        return out.takeChunks()
    }

    /// A JSON string literal for `text`.
    public static func quote(_ text: String) -> String {
        var out = ByteWriter()
        defer { out.release() }
        appendQuoted(text, to: &out)
        return out.string()
    }

    /// A number as JSON writes it (integral doubles without a fraction, like Go).
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}

extension Data {
    /// The chunks' bytes, one after another.
    public init(joining chunks: [Data]) {
        self.init(capacity: chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { append(chunk) }
    }
}

/// A growable byte buffer that appends without the uniqueness and bounds checks of `[UInt8]`.
/// Other writers' bytes can be attached whole (`attach`), so chunks written in parallel are copied
/// once, into the final string. The owner calls `release()` when done.
struct ByteWriter {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Finished pieces that come before `base`, in order.
    private var pieces: [UnsafeMutableBufferPointer<UInt8>] = []

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    mutating func release() {
        for piece in pieces { piece.deallocate() }
        base.deallocate()
    }

    /// Takes over another writer's bytes (and the duty to release them), after this one's.
    mutating func attach(_ other: ByteWriter) {
        pieces.append(UnsafeMutableBufferPointer(start: base, count: count))
        pieces += other.pieces
        pieces.append(UnsafeMutableBufferPointer(start: other.base, count: other.count))
        capacity = 4096
        base = .allocate(capacity: capacity)
        count = 0
    }

    /// Makes room for `extra` more bytes.
    @inline(__always) mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends `byte` `n` times.
    mutating func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).initialize(repeating: byte, count: n)
        count += n
    }

    /// Appends an integer in decimal.
    mutating func append(_ value: Int) {
        guard value != 0 else { return append(UInt8(ascii: "0")) }
        // Digits from the end of a 20-byte scratch area (Int.min has 19 digits and a sign).
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var magnitude = value.magnitude
            var at = scratch.count
            while magnitude > 0 {
                at -= 1
                scratch[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 {
                at -= 1
                scratch[at] = UInt8(ascii: "-")
            }
            append(UnsafeBufferPointer(rebasing: scratch.bindMemory(to: UInt8.self)[at...]))
        }
    }

    /// Writes up to `maximum` bytes in place: `body` gets where to write and returns how many it wrote.
    @inline(__always) mutating func write(upTo maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maximum)
        count += body(base + count)
    }

    /// The bytes written, in pieces handed over without copying (each frees its memory when
    /// released); the writer is left empty, still to be released by its owner.
    mutating func takeChunks() -> [Data] {
        var chunks: [Data] = []
        for piece in pieces + [UnsafeMutableBufferPointer(start: base, count: count)] {
            guard let start = piece.baseAddress, piece.count > 0 else {
                piece.baseAddress?.deallocate()
                continue
            }
            chunks.append(Data(bytesNoCopy: start, count: piece.count, deallocator: .custom { bytes, _ in bytes.deallocate() }))
        }
        pieces = []
        capacity = 16
        base = .allocate(capacity: capacity)
        count = 0
        return chunks
    }

    /// The bytes written, as a String.
    func string() -> String {
        guard !pieces.isEmpty else { return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
        let total = pieces.reduce(count) { $0 + $1.count }
        return String(unsafeUninitializedCapacity: total) { buffer in
            var at = 0
            for piece in pieces + [UnsafeMutableBufferPointer(start: base, count: count)] where piece.count > 0 {
                (buffer.baseAddress! + at).initialize(from: piece.baseAddress!, count: piece.count)
                at += piece.count
            }
            return at
        }
    }
}

/// Chunk outputs of `writeInParallel`, each stored once by its worker.
final class Parts: @unchecked Sendable {
    private var writers: [ByteWriter?]
    private let lock = NSLock()

    init(count: Int) { writers = Array(repeating: nil, count: count) }

    func store(_ writer: ByteWriter, at index: Int) {
        lock.lock()
        writers[index] = writer
        lock.unlock()
    }

    func take(_ index: Int) -> ByteWriter {
        lock.lock()
        defer { lock.unlock() }
        return writers[index]!
    }
}

/// Hands a read-only buffer to concurrent workers (the array it points into outlives them).
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension JSONEmitter {
    static func write(_ value: ValueTree, indent: Int, pretty: Bool, into out: inout ByteWriter) {
        switch value {
        case .null: out.appendLiteral("null")
        case .bool(let b): out.appendLiteral(b ? "true" : "false")
        case .int(let i): out.append(i)
        case .double(let d): out.append(number(d))
        case .string(let s): appendQuoted(s, to: &out)
        case .array(let items):
            guard !items.isEmpty else { return out.appendLiteral("[]") }
            out.append(UInt8(ascii: "["))
            if items.count >= parallelItems {
                writeInParallel(items, indent: indent + 1, pretty: pretty, into: &out)
            } else {
                items.withUnsafeBufferPointer { items in
                    writeItems(items, items.indices, indent: indent + 1, pretty: pretty, into: &out)
                }
            }
            newline(indent, pretty, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return out.appendLiteral("{}") }
            out.append(UInt8(ascii: "{"))
            members.withUnsafeBufferPointer { members in
                for index in members.indices {
                    appendMemberStart(members[index].key, first: index == 0, indent: indent + 1, pretty: pretty, into: &out)
                    write(members[index].value, indent: indent + 1, pretty: pretty, into: &out)
                }
            }
            newline(indent, pretty, &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Writes items `range` of an array, each after its comma (none before the first) and line break.
    static func writeItems(
        _ items: UnsafeBufferPointer<ValueTree>, _ range: Range<Int>, indent: Int, pretty: Bool, into out: inout ByteWriter
    ) {
        for index in range {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            newline(indent, pretty, &out)
            write(items[index], indent: indent, pretty: pretty, into: &out)
        }
    }

    /// Arrays this long (a report's findings) are written in chunks on all cores, then joined in
    /// order: the bytes are the same as writing them one after another.
    static let parallelItems = 2048

    static func writeInParallel(_ items: [ValueTree], indent: Int, pretty: Bool, into out: inout ByteWriter) {
        let chunks = 16
        let size = (items.count + chunks - 1) / chunks
        let parts = Parts(count: chunks)
        items.withUnsafeBufferPointer { items in
            let buffer = UnsafeSendable(items)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = min(chunk * size, buffer.value.count)..<min((chunk + 1) * size, buffer.value.count)
                // A megabyte up front (untouched pages cost nothing): reports' chunks rarely need to grow.
                var part = ByteWriter(capacity: 1 << 20)
                writeItems(buffer.value, range, indent: indent, pretty: pretty, into: &part)
                parts.store(part, at: chunk)
            }
        }
        for chunk in 0..<chunks { out.attach(parts.take(chunk)) }
    }

    /// Writes what comes before a member's value — `,` (unless first), the line break and indent,
    /// the quoted key and `: ` — in one reservation when the key needs no escaping (keys never do).
    static func appendMemberStart(_ key: String, first: Bool, indent: Int, pretty: Bool, into out: inout ByteWriter) {
        let done: Bool? = key.utf8.withContiguousStorageIfAvailable { key in
            guard let source = key.baseAddress, !needsEscape(key) else { return false }
            let width = pretty ? indent * 2 : 0
            out.write(upTo: key.count + width + 6) { at in
                var n = 0
                if !first {
                    at[n] = UInt8(ascii: ",")
                    n += 1
                }
                if pretty {
                    at[n] = UInt8(ascii: "\n")
                    (at + n + 1).initialize(repeating: UInt8(ascii: " "), count: width)
                    n += 1 + width
                }
                at[n] = UInt8(ascii: "\"")
                (at + n + 1).initialize(from: source, count: key.count)
                n += 1 + key.count
                at[n] = UInt8(ascii: "\"")
                at[n + 1] = UInt8(ascii: ":")
                n += 2
                if pretty {
                    at[n] = UInt8(ascii: " ")
                    n += 1
                }
                return n
            }
            return true
        }
        guard done != true else { return }
        if !first { out.append(UInt8(ascii: ",")) }
        newline(indent, pretty, &out)
        appendQuoted(key, to: &out)
        out.appendLiteral(pretty ? ": " : ":")
    }

    /// True when any byte needs escaping in a JSON string.
    @inline(__always) static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var i = 0
        while i + 8 <= bytes.count {
            if needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { return true }
            i += 8
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F { return true }
            i += 1
        }
        return false
    }

    static func newline(_ indent: Int, _ pretty: Bool, _ out: inout ByteWriter) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(repeating: UInt8(ascii: " "), count: indent * 2)
    }

    /// Appends `text` as a JSON string literal. Escapes `"`, `\`, control characters and DEL; every
    /// other character is copied as UTF-8 (the bytes of non-ASCII characters are all ≥ 0x80, so a
    /// byte-wise scan escapes exactly the characters a scalar-wise one would).
    static func appendQuoted(_ text: String, to out: inout ByteWriter) {
        let done: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
            // Most text needs no escaping: both quotes and the bytes in one reservation.
            if !needsEscape(bytes) {
                out.write(upTo: bytes.count + 2) { at in
                    at[0] = UInt8(ascii: "\"")
                    if let source = bytes.baseAddress { (at + 1).initialize(from: source, count: bytes.count) }
                    at[bytes.count + 1] = UInt8(ascii: "\"")
                    return bytes.count + 2
                }
            } else {
                out.append(UInt8(ascii: "\""))
                appendEscaped(bytes, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            return true
        }
        guard done == nil else { return }
        out.append(UInt8(ascii: "\""))
        Array(text.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout ByteWriter) {
        var start = 0
        var i = 0
        let count = bytes.count
        while i < count {
            // Eight bytes at a time: most text needs no escaping at all.
            if i + 8 <= count, !needsEscape(UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let end = min(i + 8, count)
            while i < end {
                let byte = bytes[i]
                i += 1
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                out.append(UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]))
                switch byte {
                case 0x22: out.appendLiteral(#"\""#)
                case 0x5C: out.appendLiteral(#"\\"#)
                case 0x0A: out.appendLiteral(#"\n"#)
                case 0x0D: out.appendLiteral(#"\r"#)
                case 0x09: out.appendLiteral(#"\t"#)
                default:
                    out.appendLiteral(#"\u00"#)
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0xF))
                }
                start = i
            }
        }
        out.append(UnsafeBufferPointer(rebasing: bytes[start..<count]))
    }

    /// True when one of the eight bytes is below 0x20, or is `"`, `\`, or DEL. Bit tricks from
    /// "Bit Twiddling Hacks": some byte of `x` is zero exactly when `(x - 0x01…) & ~x & 0x80…` is
    /// non-zero, and (for bytes below 0x80) some byte is below `n` when `(x - n·0x01…) & ~x & 0x80…` is.
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        // A byte ≥ 0x80 never counts as "below 0x20" here: `& ~word` clears its flag.
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = hasZero(word ^ (ones &* 0x22))
        let backslash = hasZero(word ^ (ones &* 0x5C))
        let delete = hasZero(word ^ (ones &* 0x7F))
        return (control | quote | backslash | delete) != 0
    }

    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
