import Foundation

/// Masks secret values in source lines that reports and diffs show: the value of a `key: value`
/// pair that the secret detector calls secret (for `value:`, under the `name:` on its line or the
/// line before), and a whole line with a credential's shape.
public enum SecretMask {
    /// What a masked value is shown as.
    public static let mask = "********"

    /// `line` with its secret values masked; `previous` is the line before it (for `- name: X` / `value: …`).
    ///
    /// Block pairs (`key: value`) and flow or JSON pairs (`{"API_TOKEN": "…", LOG_LEVEL: info}`) are
    /// read; a `value` key is judged under the `name` on its own line or the line before.
    public static func masked(_ line: Substring, previous: Substring?) -> String {
        var text = String(line)
        let pairs = pairs(in: text)
        guard !pairs.isEmpty else { return SecretDetector.shapeReason(text) == nil ? text : maskedAfterIndent(text) }
        let ownName = pairs.first { $0.key == "name" }.map { unquoted(String(text[$0.value])) }
        // From the last pair back, so earlier ranges stay valid.
        for pair in pairs.reversed() {
            let value = unquoted(String(text[pair.value]))
            let name = pair.key == "value" ? ownName ?? previous.flatMap(envName) ?? pair.key : pair.key
            guard SecretDetector.reason(name: name, value: value) != nil else { continue }
            text.replaceSubrange(pair.value, with: mask)
        }
        return text
    }
}

private extension SecretMask {
    /// `  - key: value  # comment` (block YAML), capturing the key and the value up to a comment.
    static let keyValue = compiled(
        #"^\s*(?:-\s+)?("[^"]*"|'[^']*'|[^\s:#"'{\[,\-][^:#{\[,]*?)\s*:\s+("[^"]*"|'[^']*'|[^#{\[]*?[^\s#])(?:\s+#.*)?\s*$"#)
    /// `"key": "value"`, `key: value` inside `{…}` (JSON or YAML flow), capturing the key and the value.
    static let flowPair = compiled(
        #"(?:^|[{,])\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z_][\w.\-/]*)\s*:\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,{}\[\]"'][^,{}\[\]]*?)\s*(?=[,}]|$)"#
    )

    static func compiled(_ pattern: String) -> NSRegularExpression {
        // Built-in patterns; failing to compile one is a bug in this file.
        guard let regex = try? NSRegularExpression(pattern: pattern) else { preconditionFailure("bad pattern \(pattern)") }
        return regex
    }

    /// The key and value range of each pair on the line: the block pair, or every flow pair.
    static func pairs(in text: String) -> [(key: String, value: Range<String.Index>)] {
        let whole = NSRange(text.startIndex..., in: text)
        let matches =
            keyValue.firstMatch(in: text, range: whole).map { [$0] } ?? flowPair.matches(in: text, range: whole)
        return matches.compactMap { match in
            guard let key = Range(match.range(at: 1), in: text), let value = Range(match.range(at: 2), in: text) else { return nil }
            return (unquoted(String(text[key])), value)
        }
    }
    /// `- name: X` or `name: X`.
    static let nameLine = compiled(#"^\s*(?:-\s+)?name\s*:\s+["']?([^"'\s#]+)"#)

    static func envName(_ line: Substring) -> String? {
        let text = String(line)
        guard let match = nameLine.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" else { return value }
        return String(value.dropFirst().dropLast())
    }

    /// A line that is not `key: value` but holds a secret shape: everything after its indentation is masked.
    static func maskedAfterIndent(_ text: String) -> String {
        let indent = text.prefix { $0 == " " || $0 == "\t" || $0 == "-" }
        return indent + mask
    }
}
