import Foundation

/// Commit messages with trailers (`Key: value` lines in the last paragraph, as git-interpret-trailers reads them).
public enum CommitMessage {
    /// `subject`, a blank line, `body` (if any), a blank line and the trailers, ending with a newline.
    public static func make(subject: String, body: String = "", trailers: [(key: String, value: String)]) -> String {
        var message = subject.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if !body.isEmpty { message += "\n" + body + "\n" }
        if !trailers.isEmpty {
            message += "\n" + trailers.map { "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n"
        }
        return message
    }

    /// The trailers of `message`: every line of its last paragraph when all of them are `Key: value`.
    public static func trailers(of message: String) -> [(key: String, value: String)] {
        let paragraphs = message.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n")
        guard paragraphs.count > 1, let last = paragraphs.last else { return [] }
        var trailers: [(key: String, value: String)] = []
        for line in last.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { return [] }
            let key = line[..<colon]
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return [] }
            trailers.append((String(key), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return trailers
    }
}
