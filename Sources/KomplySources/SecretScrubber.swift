import Foundation
import KomplyCore

/// Takes literal secrets out of a project's argv strings (command, entrypoint, healthcheck test),
/// leaving secret markers (`SecretTaint`) so no reader hands a secret value to the generator.
///
/// Two kinds of literal are replaced: the value of a secret environment variable of the same
/// service wherever it appears as a whole (a `docker inspect` snapshot holds `Cmd` after compose
/// expanded `${DB_PASS}`), and a word with a credential's shape (a token, a URL with a password,
/// `--password=…`), which becomes the variable `<FIELD>_SECRET_<n>` the cluster must provide.
enum SecretScrubber {
    /// Replaces literal secrets in every service of `project` and records why each new variable is secret.
    static func scrub(_ project: inout ComposeProject) {
        for index in project.services.indices {
            var service = project.services[index]
            scrub(&service, reasons: &project.secretVariables)
            project.services[index] = service
        }
    }
}

private extension SecretScrubber {
    /// Flags whose value (`--password=x` or `--password x`) is a secret.
    static let secretFlags: Set<String> = [
        "--password", "--passwd", "--pass", "--token", "--secret", "--api-key", "--apikey", "--access-key", "--secret-key",
        "--auth-token", "--client-secret", "--requirepass", "--masterauth",
    ]

    static func scrub(_ service: inout ComposeService, reasons: inout [String: SecretReason]) {
        // Longer values first, so a value inside another is not cut out of it.
        let secretEnvironment = service.environment.compactMap { key, value -> (key: String, value: String)? in
            guard let value, !value.isEmpty, !SecretTaint.isTainted(value), SecretDetector.reason(name: key, value: value) != nil
            else { return nil }
            return (key, value)
        }.sorted { ($0.value.count, $0.key) > ($1.value.count, $1.key) }
        var literals: [String: String] = [:]
        func clean(_ words: [String], field: String, shell: Bool) -> [String] {
            var words = words
            for index in words.indices {
                for entry in secretEnvironment {
                    words[index] = replacingWhole(entry.value, in: words[index], with: SecretTaint.marker(entry.key))
                }
            }
            var flagPending = false
            for index in words.indices {
                words[index] = scrubWord(
                    words[index], field: field, shell: shell, flagPending: &flagPending, literals: &literals, reasons: &reasons)
            }
            return words
        }
        if let command = service.command { service.command = clean(command, field: "command", shell: false) }
        if let entrypoint = service.entrypoint { service.entrypoint = clean(entrypoint, field: "entrypoint", shell: false) }
        if let test = service.healthcheck?.test, let kind = test.first, kind == "CMD" || kind == "CMD-SHELL" {
            service.healthcheck?.test = [kind] + clean(Array(test.dropFirst()), field: "healthcheck", shell: kind == "CMD-SHELL")
        }
    }

    /// One argv word with literal secrets replaced; with `shell`, a script whose white-space separated
    /// words are read one by one, and only plain literals (no expansion, quoting aside) are replaced.
    static func scrubWord(
        _ word: String, field: String, shell: Bool, flagPending: inout Bool, literals: inout [String: String],
        reasons: inout [String: SecretReason], inScript: Bool = false
    ) -> String {
        if shell {
            var pending = false
            return word.split(separator: " ", omittingEmptySubsequences: false).map { part in
                scrubWord(
                    String(part), field: field, shell: false, flagPending: &pending, literals: &literals, reasons: &reasons,
                    inScript: true)
            }.joined(separator: " ")
        }
        let shell = inScript
        func marker(_ literal: String, _ why: String) -> String {
            let prefix = "\(field.uppercased())_SECRET_"
            let name = literals[literal] ?? prefix + String(literals.values.filter { $0.hasPrefix(prefix) }.count + 1)
            literals[literal] = name
            reasons[name] = SecretReason(.shape, "it was written literally in \(field) and \(why)")
            return SecretTaint.marker(name)
        }
        /// `value` with its literal part (inside matching quotes) replaced; nil when it is not a
        /// literal: a reference (`$VAR`, `$(…)`) or, in a shell script, anything the shell would expand.
        func replacingLiteral(_ value: String, _ why: (String) -> String?) -> String? {
            var inner = Substring(value)
            var quote = ""
            if shell, value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                inner = inner.dropFirst().dropLast()
                quote = String(first)
            }
            guard !inner.isEmpty, !inner.hasPrefix("$") else { return nil }
            if shell, inner.contains(where: { Self.shellSpecial.contains($0) }) { return nil }
            guard let reason = why(String(inner)) else { return nil }
            return quote + marker(String(inner), reason) + quote
        }
        let afterFlag = flagPending
        flagPending = false
        guard !word.isEmpty, !SecretTaint.isTainted(word) else { return word }
        if afterFlag, !word.hasPrefix("-"), let replaced = replacingLiteral(word, { _ in "it follows a password flag" }) {
            return replaced
        }
        if secretFlags.contains(word.lowercased()) {
            flagPending = true
            return word
        }
        if let equals = word.firstIndex(of: "="), secretFlags.contains(word[..<equals].lowercased()) {
            let value = String(word[word.index(after: equals)...])
            return replacingLiteral(value, { _ in "it is the value of \(word[..<equals])" }).map { String(word[...equals]) + $0 } ?? word
        }
        guard SecretDetector.shapeReason(word, entropy: false) != nil else { return word }
        if let equals = word.firstIndex(of: "="), SecretDetector.shapeReason(String(word[..<equals]), entropy: false) == nil,
            let replaced = replacingLiteral(
                String(word[word.index(after: equals)...]), { SecretDetector.shapeReason($0, entropy: false)?.description })
        {
            return String(word[...equals]) + replaced
        }
        return replacingLiteral(word, { SecretDetector.shapeReason($0, entropy: false)?.description }) ?? word
    }

    /// Characters a shell treats specially: a word holding one is not a literal komply may replace.
    static let shellSpecial: Set<Character> = ["$", "`", "(", ")", "\"", "'", "<", ">", "|", ";", "&", "\\", "*", "?"]

    /// `text` with every occurrence of `value` that is not part of a longer word replaced by `replacement`.
    static func replacingWhole(_ value: String, in text: String, with replacement: String) -> String {
        guard text.contains(value) else { return text }
        var result = ""
        var rest = text[...]
        while let range = rest.range(of: value) {
            let before = range.lowerBound == rest.startIndex ? result.last : rest[rest.index(before: range.lowerBound)]
            let after = range.upperBound == rest.endIndex ? nil : rest[range.upperBound]
            let bounded = !(before.map(isWordCharacter) ?? false) && !(after.map(isWordCharacter) ?? false)
            result += rest[..<range.lowerBound]
            result += bounded ? replacement : String(rest[range])
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }
}
