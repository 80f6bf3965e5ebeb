/// Escaping for text placed in GitHub-flavoured Markdown (pull-request bodies and comments).
public enum Markdown {
    /// Text safe as one line of a list item or a table cell: no line breaks, pipes escaped, no HTML.
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Text safe inside a code span in a table cell (backticks would end the span).
    public static func code(_ text: String) -> String {
        "`" + text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ") + "`"
    }
}
