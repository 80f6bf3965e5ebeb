import Foundation
import KomplyCore

/// The secret scan of a model's answer before it is cached, applied or printed: a model can echo a
/// credential from anything it read, and the replay cache is committed to git. komply's one secret
/// detector (`SecretDetector`) judges every string of the answer; an answer with a credential-looking
/// value is discarded whole (not cached, not applied, not printed), and the reason names where it sits,
/// never the value.
public enum AnswerSecrets {
    /// Where a credential-looking value sits in an answer and why.
    public struct Leak: Sendable, Hashable, CustomStringConvertible {
        /// A JSON path in the answer (`/operations/0/reason`), or `line 3 of the answer` outside JSON.
        public var place: String
        /// Why it looks secret; never holds the value.
        public var reason: SecretReason

        public var description: String { "\(place) looks like a credential (\(reason))" }
    }

    /// The first credential-looking value of `text`, nil when there is none.
    ///
    /// Every string of each JSON object the answer holds is judged by its shape (known token formats, URLs
    /// and connection strings with a password, private keys, long random tokens; `path` and `op` by named
    /// shapes only), an operation's `value` also by the variable or field its path names (`…/env/DB_PASSWORD`),
    /// and each line of the whole text as the detector reads config files (`password=…`).
    public static func leak(in text: String) -> Leak? {
        for candidate in PatchProposal.candidates(text) {
            guard let tree = JSONValue.parse(candidate) else { continue }
            if let found = leak(in: tree, at: "") { return found }
        }
        if let reason = SecretDetector.fileReason(text) { return Leak(place: "the answer's text", reason: reason) }
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if let reason = SecretDetector.shapeReason(String(line), entropy: false) {
                return Leak(place: "line \(number) of the answer", reason: reason)
            }
        }
        return nil
    }

    /// `text`, or a note that it was withheld: for words a server sends back (an error message, a refusal).
    public static func printable(_ text: String) -> String {
        if SecretTaint.holdsMarkerCharacter(text) { return "(withheld: it holds a secret reference)" }
        if let reason = SecretDetector.fileReason(text) ?? SecretDetector.shapeReason(text, entropy: true) {
            return "(withheld: \(reason))"
        }
        return text
    }
}

private extension AnswerSecrets {
    /// The first leak in `tree`, whose JSON pointer is `path`.
    static func leak(in tree: ValueTree, at path: String, key: String? = nil) -> Leak? {
        switch tree {
        case .string(let text):
            // `op` and `path` hold allow-list words: only named credential shapes count there, not entropy.
            let plain = key == "op" || key == "path"
            if SecretTaint.holdsMarkerCharacter(text) {
                return Leak(place: path, reason: SecretReason(.taint, "it holds a secret reference marker"))
            }
            if let reason = SecretDetector.shapeReason(text, entropy: !plain) ?? SecretDetector.fileReason(text) {
                return Leak(place: path, reason: reason)
            }
            if let key, let reason = SecretDetector.nameReason(key), !SecretDetector.isPlaceholder(text) {
                return Leak(place: path, reason: reason)
            }
            return nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = leak(in: item, at: "\(path)/\(index)") { return found }
            }
            return nil
        case .object(let members):
            // An operation's value is judged by the name its path ends with, as an environment variable is.
            if let target = tree["path"]?.stringValue, let value = tree["value"]?.stringValue {
                let name = target.split(separator: "/").last.map(String.init) ?? ""
                if let reason = SecretDetector.reason(name: name, value: value) {
                    return Leak(place: "\(path)/value", reason: reason)
                }
            }
            for member in members {
                let pointer = path + "/" + member.key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                if let found = leak(in: member.value, at: pointer, key: member.key) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
