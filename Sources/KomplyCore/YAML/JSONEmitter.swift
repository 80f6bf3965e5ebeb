/// Writes a `ValueTree` as JSON, byte-stable: members in tree order, two-space indentation.
public enum JSONEmitter {
    /// The JSON text; pretty output ends with a newline.
    public static func emit(_ value: ValueTree, pretty: Bool = true) -> String {
        var out = ""
        write(value, indent: 0, pretty: pretty, into: &out)
        if pretty { out += "\n" }
        return out
    }

    /// A JSON string literal for `text`.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A number as JSON writes it (integral doubles without a fraction, like Go).
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}

private extension JSONEmitter {
    static func write(_ value: ValueTree, indent: Int, pretty: Bool, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += number(d)
        case .string(let s): out += quote(s)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                newline(indent + 1, pretty, &out)
                write(item, indent: indent + 1, pretty: pretty, into: &out)
            }
            newline(indent, pretty, &out)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                newline(indent + 1, pretty, &out)
                out += quote(member.key)
                out += pretty ? ": " : ":"
                write(member.value, indent: indent + 1, pretty: pretty, into: &out)
            }
            newline(indent, pretty, &out)
            out += "}"
        }
    }

    static func newline(_ indent: Int, _ pretty: Bool, _ out: inout String) {
        guard pretty else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }
}
