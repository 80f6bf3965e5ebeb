import Foundation
import KomplyCore

/// An answer read as patch operations: the well-formed ones, the malformed ones with why, and the rationale.
public struct PatchProposal: Sendable, Hashable {
    /// Well-formed operations, in the model's order.
    public var operations: [PatchOperation]
    /// Items of `operations` that were not `{op, path, value, reason}`, with why.
    public var malformed: [String]
    /// The model's rationale.
    public var rationale: String

    /// Reads an answer: JSON on its own, in a code fence, or the first JSON object in prose. Nil when
    /// no JSON object with an `operations` list is found.
    public static func parse(_ text: String) -> PatchProposal? {
        for candidate in candidates(text) {
            guard let tree = JSONValue.parse(candidate), let items = tree["operations"]?.arrayItems else { continue }
            var proposal = PatchProposal(
                operations: [], malformed: [], rationale: String((tree["rationale"]?.stringValue ?? "").prefix(2_000)))
            for (index, item) in items.enumerated() {
                guard let op = item["op"]?.stringValue, let path = item["path"]?.stringValue, let value = item["value"] else {
                    proposal.malformed.append("operation \(index + 1) lacks op, path or value")
                    continue
                }
                switch value {
                case .string, .int, .double: break
                default:
                    proposal.malformed.append("operation \(index + 1) (\(path)): value must be a string or a number")
                    continue
                }
                proposal.operations.append(
                    PatchOperation(op: op, path: path, value: value, reason: String((item["reason"]?.stringValue ?? "").prefix(500))))
            }
            return proposal
        }
        return nil
    }
}

extension PatchProposal {
    /// The whole text, then each fenced block, then each balanced `{…}` starting at a `{` in prose.
    static func candidates(_ text: String) -> [String] {
        var found = [text.trimmingCharacters(in: .whitespacesAndNewlines)]
        let parts = text.components(separatedBy: "```")
        if parts.count >= 3 {
            for index in stride(from: 1, to: parts.count - 1, by: 2) {
                var block = Substring(parts[index])
                // ```json\n{…}: drop the info string.
                if let newline = block.firstIndex(of: "\n"), !block[..<newline].contains("{") {
                    block = block[block.index(after: newline)...]
                }
                found.append(block.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        var start = text.startIndex
        while let open = text[start...].firstIndex(of: "{"), found.count < 12 {
            if let object = balanced(text, from: open) { found.append(object) }
            start = text.index(after: open)
        }
        return found
    }

    /// The balanced JSON object starting at `open`, strings and escapes respected.
    static func balanced(_ text: String, from open: String.Index) -> String? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = open
        while index < text.endIndex {
            let c = text[index]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "{" {
                depth += 1
            } else if c == "}" {
                depth -= 1
                if depth == 0 { return String(text[open...index]) }
            }
            index = text.index(after: index)
        }
        return nil
    }
}
