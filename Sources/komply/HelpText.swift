/// Help text as written in the sources, laid out for ArgumentParser, which breaks each line at the
/// terminal's width but never joins lines: the lines of a paragraph are joined so that it wraps as
/// one, while indented lines (examples) and blank lines stay as they are.
enum HelpText {
    /// `text` with each paragraph on one line.
    static func paragraphs(_ text: String) -> String {
        var lines: [String] = []
        var joinable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let indented = line.hasPrefix(" ")
            if joinable, !indented, !line.isEmpty, let last = lines.last, !last.hasSuffix(":") {
                lines[lines.count - 1] = last + " " + line
            } else {
                lines.append(line)
            }
            joinable = !indented && !line.isEmpty
        }
        return lines.joined(separator: "\n")
    }
}
