import Foundation

/// Writes JSON piece by piece, byte for byte as `JSONEmitter` writes the equivalent `ValueTree`:
/// for documents too large to build as one tree first. A lint report of 22,000 findings built
/// ~400,000 tree values only to write and free them; written directly, the findings cost a third.
///
/// ```swift
/// let json = JSONWriter()
/// json.beginObject()
/// json.key("version"); json.value(.int(1))
/// json.key("items"); json.array(items) { item, json in json.string(item.name) }
/// json.endObject()
/// let data = json.finish()
/// ```
/// Each `key` is followed by exactly one value (`string`, `int`, `null`, `value`, `array`, or a
/// `beginObject`…`endObject`); `finish` adds the final newline of pretty output.
public final class JSONWriter {
    // Unchecked exclusivity: each access to a class's stored property is otherwise checked at run
    // time, and a report makes dozens per finding. The writer is used by one thread at a time.
    @exclusivity(unchecked) private var out: ByteWriter
    private let pretty: Bool
    /// The indentation level of the value being written.
    @exclusivity(unchecked) private var depth = 0
    /// For each open object, true until its first member.
    @exclusivity(unchecked) private var firstMember: [Bool] = []

    /// A writer for a document (pretty: two-space indentation, like `JSONEmitter.emit`).
    public convenience init(pretty: Bool = true) { self.init(pretty: pretty, depth: 0, capacity: 4096) }

    private init(pretty: Bool, depth: Int, capacity: Int) {
        self.pretty = pretty
        self.depth = depth
        out = ByteWriter(capacity: capacity)
    }

    deinit { out.release() }

    /// Opens an object.
    public func beginObject() {
        out.append(UInt8(ascii: "{"))
        firstMember.append(true)
        depth += 1
    }

    /// Starts a member of the innermost open object.
    public func key(_ name: String) {
        JSONEmitter.appendMemberStart(name, first: firstMember[firstMember.count - 1], indent: depth, pretty: pretty, into: &out)
        firstMember[firstMember.count - 1] = false
    }

    /// Closes the innermost object (`{}` when it has no members).
    public func endObject() {
        depth -= 1
        if !firstMember.removeLast() { JSONEmitter.newline(depth, pretty, &out) }
        out.append(UInt8(ascii: "}"))
    }

    /// A string value.
    public func string(_ text: String) { JSONEmitter.appendQuoted(text, to: &out) }

    /// A string value, or null.
    public func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    /// An integer value.
    public func int(_ number: Int) { out.append(number) }

    /// A null value.
    public func null() { out.appendLiteral("null") }

    /// Any value given as a tree.
    public func value(_ tree: ValueTree) { JSONEmitter.write(tree, indent: depth, pretty: pretty, into: &out) }

    /// An array of `items`, each written by `write` (one value per item). Long arrays are written in
    /// chunks on all cores and joined in order, so the bytes do not depend on scheduling.
    public func array<Item: Sendable>(_ items: [Item], _ write: @Sendable (Item, JSONWriter) -> Void) {
        guard !items.isEmpty else { return out.appendLiteral("[]") }
        out.append(UInt8(ascii: "["))
        let chunks = items.count >= JSONEmitter.parallelItems ? 16 : 1
        let size = (items.count + chunks - 1) / chunks
        let parts = Parts(count: chunks)
        let (pretty, itemDepth) = (self.pretty, depth + 1)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            // A megabyte up front for parallel chunks (untouched pages cost nothing).
            let part = JSONWriter(pretty: pretty, depth: itemDepth, capacity: chunks > 1 ? 1 << 20 : 4096)
            for index in min(chunk * size, items.count)..<min((chunk + 1) * size, items.count) {
                if index > 0 { part.out.append(UInt8(ascii: ",")) }
                JSONEmitter.newline(itemDepth, pretty, &part.out)
                write(items[index], part)
            }
            parts.store(part.take(), at: chunk)
        }
        for chunk in 0..<chunks { out.attach(parts.take(chunk)) }
        JSONEmitter.newline(depth, pretty, &out)
        out.append(UInt8(ascii: "]"))
    }

    /// The document's bytes (with the final newline of pretty output).
    public func finish() -> Data { Data(joining: finishChunks()) }

    /// The document's bytes in the pieces they were written in, not joined: a large report is
    /// written out piece by piece. The writer is empty afterwards.
    public func finishChunks() -> [Data] {
        if pretty { out.append(UInt8(ascii: "\n")) }
        return out.takeChunks()
    }

    /// Hands over the bytes written (the writer is empty afterwards).
    private func take() -> ByteWriter {
        let taken = out
        out = ByteWriter(capacity: 16)
        return taken
    }
}
