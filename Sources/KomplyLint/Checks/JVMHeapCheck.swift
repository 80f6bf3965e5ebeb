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
            container.node.withValue(forKey: "env") { env in
                env.forEachItem { item in
                    item.withPair(forKey: "value") { pair in if Self.mentionsXmx(pair.value) { sources.append((pair.value, CheckSupport.range(pair))) } }
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

    /// The byte size of the last `-Xmx` flag in `text`.
    static func heapBytes(in text: String) -> Int? {
        // Only a token starting with -Xmx counts, so text without those bytes has none.
        guard text.utf8.count >= 4, text.utf8.withContiguousStorageIfAvailable({ Self.containsXmx($0) }) ?? true else { return nil }
        var result: Int?
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) where token.hasPrefix("-Xmx") {
            let value = token.dropFirst(4)
            guard let last = value.last else { continue }
            let multipliers: [Character: Int] = [
                "k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30, "t": 1 << 40, "T": 1 << 40,
            ]
            if let multiplier = multipliers[last], let n = Int(value.dropLast()) {
                result = n * multiplier
            } else if let n = Int(value) {
                result = n
            }
        }
        return result
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
