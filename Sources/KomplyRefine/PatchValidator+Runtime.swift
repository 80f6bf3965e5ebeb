import Foundation
import KomplyCore

extension PatchValidator {
    /// Environment variables whose memory flags refinement may set, and what they hold.
    static let runtimeVariables: Set<String> = ["JAVA_TOOL_OPTIONS", "JAVA_OPTS", "NODE_OPTIONS", "GOMEMLIMIT"]

    /// `/containers/<name>/env/<VAR>`: only memory flags change (every other token must already be in the
    /// draft's value); the heap itself is checked against the memory limit once all changes are in.
    func runtimeFlag(
        _ operation: PatchOperation, _ rest: [String], container: String, at path: [TreeStep], workload: Int, _ draft: ServiceDraft,
        _ original: ServiceDraft
    ) throws -> PatchReview.Change {
        guard rest.count == 2, Self.runtimeVariables.contains(rest[1]) else {
            throw Rejected(
                "\(operation.path) is not on the allow-list: only the memory flags in \(Self.runtimeVariables.sorted().joined(separator: ", ")) may change"
            )
        }
        let name = rest[1]
        guard case .string(let value) = operation.value, value.count <= 500, !value.contains(where: \.isNewline) else {
            throw Rejected("\(name) must be one line of flags")
        }
        let current = Self.environmentValue(name, container: path, workload: workload, in: original) ?? ""
        let kept = Set(current.split(whereSeparator: \.isWhitespace).map(String.init))
        if name == "GOMEMLIMIT" {
            guard Self.bytes(goMemoryLimit: value) != nil else { throw Rejected("GOMEMLIMIT must be a size such as 400MiB") }
        } else {
            for token in value.split(whereSeparator: \.isWhitespace).map(String.init) where !kept.contains(token) {
                guard Self.isMemoryFlag(token, variable: name) else {
                    throw Rejected("\(name) may only change memory flags; \(token) is new and is not one")
                }
            }
        }
        let env = (draft.documents[workload].value(at: path + [.key("env")])?.arrayItems) ?? []
        if let index = env.firstIndex(where: { $0["name"]?.stringValue == name }) {
            guard env[index]["valueFrom"] == nil else {
                throw Rejected("\(name) comes from a reference, which refinement does not replace")
            }
            return PatchReview.Change(
                operation: operation, document: workload, path: path + [.key("env"), .index(index), .key("value")], value: .string(value),
                group: "\(container)/memory")
        }
        // An entry in `env` wins over the ConfigMap the container reads with envFrom, and rolls the pods.
        return PatchReview.Change(
            operation: operation, document: workload, path: path + [.key("env"), .append],
            value: .members([("name", .string(name)), ("value", .string(value))]), group: "\(container)/memory")
    }

    /// Whether `token` is a memory flag of the runtime `variable` configures, with a sane value.
    static func isMemoryFlag(_ token: String, variable: String) -> Bool {
        if variable == "NODE_OPTIONS" {
            guard token.hasPrefix("--max-old-space-size="), let mib = Int(token.dropFirst("--max-old-space-size=".count)) else {
                return false
            }
            return (16...1_048_576).contains(mib)
        }
        if token.hasPrefix("-Xmx") || token.hasPrefix("-Xms") { return javaBytes(String(token.dropFirst(4))) != nil }
        for flag in ["-XX:MaxRAMPercentage=", "-XX:InitialRAMPercentage=", "-XX:MinRAMPercentage="] where token.hasPrefix(flag) {
            guard let percent = Double(token.dropFirst(flag.count)), percent.isFinite else { return false }
            return (1...90).contains(percent)
        }
        return false
    }

    /// The heap the runtime flags in `value` allow, in bytes, given the memory limit; nil when they set none.
    static func heapBytes(variable: String, value: String, memoryLimit: Int?) -> Int? {
        if variable == "GOMEMLIMIT" { return bytes(goMemoryLimit: value) }
        var heap: Int?
        for token in value.split(whereSeparator: \.isWhitespace).map(String.init) {
            if variable == "NODE_OPTIONS", token.hasPrefix("--max-old-space-size="), let mib = Int(token.dropFirst(21)) {
                heap = mib << 20
            } else if token.hasPrefix("-Xmx") {
                heap = javaBytes(String(token.dropFirst(4)))
            } else if token.hasPrefix("-XX:MaxRAMPercentage="), let percent = Double(token.dropFirst(21)), let limit = memoryLimit {
                heap = Int(Double(limit) * percent / 100)
            }
        }
        return heap
    }

    /// `512m`, `2g`, `1048576` as the JVM reads -Xmx.
    static func javaBytes(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        let scale: Int
        var digits = Substring(text)
        switch last {
        case "k", "K": scale = 1 << 10
        case "m", "M": scale = 1 << 20
        case "g", "G": scale = 1 << 30
        default: scale = 1
        }
        if scale != 1 { digits = digits.dropLast() }
        guard let number = Int(digits), number > 0, number <= (1 << 40) / scale else { return nil }
        return number * scale
    }

    /// `400MiB`, `1GiB`, `1073741824` as Go's runtime reads GOMEMLIMIT.
    static func bytes(goMemoryLimit text: String) -> Int? {
        let units: [(String, Int)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            guard let number = Int(text.dropLast(unit.count)), number > 0, number <= (1 << 42) / scale else { return nil }
            return number * scale
        }
        guard let number = Int(text), number > 0 else { return nil }
        return number
    }

    /// A variable's value as the container sees it: its `env` entry, else the ConfigMap it reads with envFrom.
    static func environmentValue(_ name: String, container path: [TreeStep], workload: Int, in draft: ServiceDraft) -> String? {
        let container = draft.documents[workload].value(at: path)
        if let entry = container?["env"]?.arrayItems?.first(where: { $0["name"]?.stringValue == name }) {
            return entry["value"]?.stringValue
        }
        for source in container?["envFrom"]?.arrayItems ?? [] {
            guard let map = source.value(at: "configMapRef", "name")?.stringValue else { continue }
            for document in draft.documents
            where document["kind"]?.stringValue == "ConfigMap" && document.value(at: "metadata", "name")?.stringValue == map {
                if let value = document.value(at: "data", name)?.stringValue { return value }
            }
        }
        return nil
    }
}
