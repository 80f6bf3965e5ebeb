import Foundation
import KomplyCore

/// Flags JVM containers whose maximum heap (`-Xmx` in command, args or `JAVA_OPTS`-style
/// environment values) is at least `maxFraction` of the container's memory limit, which gets
/// the container OOM-killed before the JVM collects garbage.
public struct JVMHeapCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// The largest heap allowed as a fraction of the memory limit (default 1.0).
        public var maxFraction: Double?
    }

    public static let name = "JVMHeap"
    static let message = "sets a JVM heap of %@, not below its memory limit of %@"
    let maxFraction: Double

    public init(parameters: Parameters) { maxFraction = parameters.maxFraction ?? 1.0 }

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        context.containers(of: object).compactMap { container -> Violation? in
            // Most containers set no -Xmx: find the values that mention one before reading the limit.
            var sources: [(Node, SourceRange)] = []
            for key in ["command", "args"] {
                container.node.withValue(forKey: key) { list in
                    list.forEachItem { item in if Self.mentionsXmx(item) { sources.append((item, item.range)) } }
                }
            }
            container.forEachEnvItem { item in
                item.withPair(forKey: "value") { pair in
                    if Self.mentionsXmx(pair.value) { sources.append((pair.value, CheckSupport.range(pair))) }
                }
            }
            guard !sources.isEmpty, let limitNode = container.node.value(at: ["resources", "limits", "memory"]),
                let limit = CheckSupport.quantity(limitNode)
            else { return nil }
            for (node, range) in sources {
                guard let text = node.scalar, let heap = Self.heapBytes(in: text) else { continue }
                guard Double(heap) >= Double(limit.bytes) * maxFraction else { continue }
                let filled = Self.fill(context.message(Self.message), [Quantity(bytes: heap).description, limitNode.scalar ?? ""])
                return Violation(
                    range: range, file: object.file, message: filled, container: container.name, path: "\(container.path).jvm.xmx", fix: nil
                )
            }
            return nil
        }
    }

    /// True when the node is a scalar whose text has `-Xmx` in it.
    static func mentionsXmx(_ node: Node) -> Bool {
        guard case .scalar(let text, _) = node.content, text.utf8.count >= 4 else { return false }
        return text.utf8.withContiguousStorageIfAvailable { Self.containsXmx($0) } ?? true
    }

    /// The byte size of the last `-Xmx` flag in `text` (tokens split at spaces, tabs and line feeds).
    static func heapBytes(in text: String) -> Int? {
        guard text.utf8.count >= 4 else { return nil }
        var text = text
        return text.withUTF8 { bytes -> Int? in
            // Only a token starting with -Xmx counts, so text without those bytes has none.
            guard Self.containsXmx(bytes) else { return nil }
            var result: Int?
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "\t"), bytes[end] != UInt8(ascii: "\n")
                {
                    end += 1
                }
                if end - start > 4, bytes[start..<(start + 4)].elementsEqual("-Xmx".utf8) {
                    let value = UnsafeBufferPointer(rebasing: bytes[(start + 4)..<end])
                    if let multiplier = Self.multiplier(value[value.count - 1]),
                        let n = Self.integer(UnsafeBufferPointer(rebasing: value[..<(value.count - 1)]))
                    {
                        // Beyond Int: as large as a heap can be said to be.
                        let (size, overflow) = n.multipliedReportingOverflow(by: multiplier)
                        result = overflow ? (n < 0 ? Int.min : Int.max) : size
                    } else if let n = Self.integer(value) {
                        result = n
                    }
                }
                start = end + 1
            }
            return result
        }
    }

    /// The bytes a `-Xmx` size suffix stands for (`k`, `m`, `g`, `t`, either case).
    static func multiplier(_ suffix: UInt8) -> Int? {
        switch suffix {
        case UInt8(ascii: "k"), UInt8(ascii: "K"): return 1 << 10
        case UInt8(ascii: "m"), UInt8(ascii: "M"): return 1 << 20
        case UInt8(ascii: "g"), UInt8(ascii: "G"): return 1 << 30
        case UInt8(ascii: "t"), UInt8(ascii: "T"): return 1 << 40
        default: return nil
        }
    }

    /// A decimal integer with an optional sign, as `Int(_:)` reads it; nil when it is not one or
    /// does not fit.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    static func fill(_ template: String, _ values: [String]) -> String { CheckSupport.fill(template, values) }

    static func containsXmx(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        for i in 0...(bytes.count - 4)
        where bytes[i] == UInt8(ascii: "-") && bytes[i + 1] == UInt8(ascii: "X") && bytes[i + 2] == UInt8(ascii: "m")
            && bytes[i + 3] == UInt8(ascii: "x")
        {
            return true
        }
        return false
    }
}
