/// Escaping for text placed in GitHub-flavoured Markdown (pull-request bodies and comments).
public enum Markdown {
    /// Text safe as one line of a list item or a table cell: no line breaks, pipes escaped, no HTML.
    public static func cell(_ text: String) -> String {
        text.escapingASCII { byte in
            switch byte {
            case UInt8(ascii: "\r"): return ""
            case UInt8(ascii: "\n"): return " "
            case UInt8(ascii: "|"): return "\\|"
            case UInt8(ascii: "<"): return "&lt;"
            case UInt8(ascii: ">"): return "&gt;"
            default: return nil
            }
        }
    }

    /// Text safe inside a code span in a table cell (backticks would end the span).
    public static func code(_ text: String) -> String {
        let inner = text.escapingASCII { byte in
            switch byte {
            case UInt8(ascii: "`"): return "'"
            case UInt8(ascii: "|"): return "\\|"
            case UInt8(ascii: "\r"): return ""
            case UInt8(ascii: "\n"): return " "
            default: return nil
            }
        }
        return "`" + inner + "`"
    }
}
