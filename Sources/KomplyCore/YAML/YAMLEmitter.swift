/// Writes a `ValueTree` as block-style YAML, byte-stable.
///
/// Strings that a YAML 1.1 or 1.2 reader could take for anything else (`on`, `yes`, `1.0`,
/// `0755`, `null`, `1e3`, …) are quoted, so every string reads back as the same string.
public enum YAMLEmitter {
    /// The YAML text of one document, ending with a newline.
    public static func emit(_ value: ValueTree) -> String {
        var out = ""
        switch value {
        case .array(let items) where !items.isEmpty:
            writeSequence(items, indent: 0, into: &out)
        case .object(let members) where !members.isEmpty:
            writeMapping(members, indent: 0, into: &out)
        default:
            out += inline(value, indent: 0) + "\n"
        }
        return out
    }

    /// Several documents separated by `---`.
    public static func emit(documents: [ValueTree]) -> String {
        documents.map(emit).joined(separator: "---\n")
    }

    /// A scalar string as it appears in YAML: plain when that is unambiguous, else double-quoted.
    public static func scalar(_ text: String) -> String {
        isSafePlain(text) ? text : doubleQuoted(text)
    }
}

private extension YAMLEmitter {
    static func writeMapping(_ members: [ValueTree.Member], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for member in members {
            out += pad + scalar(member.key) + ":"
            writeValue(member.value, indent: indent, into: &out)
        }
    }

    static func writeSequence(_ items: [ValueTree], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            out += pad + "-"
            switch item {
            case .object(let members) where !members.isEmpty:
                var nested = ""
                writeMapping(members, indent: indent + 2, into: &nested)
                out += " " + nested.dropFirst(indent + 2)
            case .array(let inner) where !inner.isEmpty:
                var nested = ""
                writeSequence(inner, indent: indent + 2, into: &nested)
                out += " " + nested.dropFirst(indent + 2)
            default:
                writeValue(item, indent: indent, into: &out)
            }
        }
    }

    /// Writes what follows `key:` or `-`: an inline scalar, or a newline and a nested block.
    static func writeValue(_ value: ValueTree, indent: Int, into out: inout String) {
        switch value {
        case .object(let members) where !members.isEmpty:
            out += "\n"
            writeMapping(members, indent: indent + 2, into: &out)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            writeSequence(items, indent: indent + 2, into: &out)
        case .string(let s) where isLiteralBlockCandidate(s):
            out += " " + literalBlock(s, indent: indent + 2)
        default:
            out += " " + inline(value, indent: indent) + "\n"
        }
    }

    static func inline(_ value: ValueTree, indent: Int) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
            let text = JSONEmitter.number(d)
            return text
        case .string(let s): return scalar(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if ScalarResolver.isAmbiguous(text) { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if first == "-" {
            let second = text.unicodeScalars.dropFirst().first
            if second == nil || second == " " || text.hasPrefix("---") { return false }
        }
        if text.hasPrefix("...") { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFEFF { return false }
            if (0x80...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 { return false }
        }
        return true
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0xFEFF || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Multi-line text without control characters reads best as a literal block.
    static func isLiteralBlockCandidate(_ text: String) -> Bool {
        guard text.contains("\n"), let first = text.unicodeScalars.first, first != " ", first != "\n" else { return false }
        for scalar in text.unicodeScalars where scalar != "\n" {
            if scalar.value < 0x20 && scalar != "\t" { return false }
            if scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF
                || scalar.value == 0x2028 || scalar.value == 0x2029
            {
                return false
            }
        }
        // A first line starting with a space would need an indentation indicator; such text is quoted.
        return true
    }

    static func literalBlock(_ text: String, indent: Int) -> String {
        var body = Substring(text)
        var trailing = 0
        while body.last == "\n" {
            body = body.dropLast()
            trailing += 1
        }
        let chomp = trailing == 0 ? "-" : (trailing == 1 ? "" : "+")
        var out = "|" + chomp + "\n"
        let pad = String(repeating: " ", count: indent)
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            out += line.isEmpty ? "\n" : pad + line + "\n"
        }
        if trailing > 1 { out += String(repeating: "\n", count: trailing - 1) }
        return out
    }
}
