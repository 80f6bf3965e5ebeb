import Foundation

/// Why a name, a value or a file counts as secret; its text never holds the value.
public struct SecretReason: Sendable, Hashable, CustomStringConvertible {
    /// What gave the secret away.
    public enum Kind: String, Sendable, Hashable {
        /// The variable's name (`DB_PASSWORD`).
        case name
        /// The value's shape (a URL with a password, a known token format, high entropy).
        case shape
        /// The value was interpolated from a secret variable (`${DB_PASS}`).
        case taint
        /// The user declared it (`x-komply.secretEnv`).
        case declared
    }

    /// What gave the secret away.
    public var kind: Kind
    /// The reason in words ("its name contains PASS"), safe to print.
    public var description: String

    /// Creates a reason.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// The one secret detector: decides by name, by value shape and by taint whether a value is secret,
/// without ever putting the value in what it returns.
public enum SecretDetector {
    /// Why the variable `name` holding `value` is secret, or nil when it is not.
    ///
    /// Taint wins (a value interpolated from a secret variable), then the name, unless it is a
    /// documented look-alike (`*_FILE`, `PUBLIC_KEY`…) or the value is a placeholder (empty, a
    /// reference such as `$(VAR)`, a boolean, a file path), then the shape of the value.
    public static func reason(name: String, value: String?) -> SecretReason? {
        if let value, let variable = SecretTaint.variables(in: value).first {
            return SecretReason(.taint, "its value is interpolated from the secret variable \(variable)")
        }
        guard let value else { return nil }
        if let word = nameReason(name), !isInert(value) { return word }
        // A look-alike's value may well be random (a public key, a client id); only named shapes count.
        return shapeReason(value, entropy: !isLookAlike(name))
    }

    /// Why a name alone says secret (`DB_PASS`, `STRIPE_API_KEY`), or nil for other names and look-alikes.
    public static func nameReason(_ name: String) -> SecretReason? {
        let upper = name.uppercased()
        guard !isLookAlike(upper) else { return nil }
        for word in nameWords where upper.contains(word) {
            return SecretReason(.name, "its name contains \(word)")
        }
        return nil
    }

    /// Whether a name that contains a secret word names something else (`*_FILE`, `PUBLIC_KEY`, `PWD`).
    public static func isLookAlike(_ name: String) -> Bool {
        let upper = name.uppercased()
        if lookAlikeNames.contains(upper) { return true }
        if lookAlikeSuffixes.contains(where: { upper.hasSuffix($0) }) { return true }
        return upper.contains("PUBLIC_KEY") || upper.contains("PUBKEY")
    }

    /// Why a value looks like a credential regardless of its name: a URL with a password, a
    /// connection string with one, a known token format, a private key, or a long random token.
    /// Without `entropy`, only the named shapes count (argv words: a long file name is not a token).
    public static func shapeReason(_ value: String, entropy: Bool = true) -> SecretReason? {
        // Every shape needs at least 8 bytes; short values skip the expressions.
        guard value.utf8.count >= 8 else { return nil }
        if let shape = shape(in: value) { return SecretReason(.shape, "its value is \(shape)") }
        if hasPasswordInURL(value) { return SecretReason(.shape, "its value is a URL with a password") }
        if hasPasswordParameter(value) { return SecretReason(.shape, "its value is a connection string with a password") }
        if entropy, hasRandomToken(value) { return SecretReason(.shape, "its value looks random (high entropy)") }
        return nil
    }

    /// Why a file's text holds a secret, naming the first line that does, or nil for ordinary files.
    ///
    /// A line counts when it holds a private key, a known token or a URL or connection string with
    /// a password, or assigns a non-empty value to a secret-looking key (`password=…`,
    /// `"apiKey": "…"`, `secret: …`). Whole-file entropy is not used: a minified `package.json` or a
    /// lock file's hashes are not secrets.
    public static func fileReason(_ text: String) -> SecretReason? {
        var number = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            guard line.utf8.count <= maxScannedLine else { continue }
            let line = String(line)
            if line.contains("PRIVATE KEY") && line.contains("-----BEGIN") {
                return SecretReason(.shape, "line \(number) starts a private key")
            }
            if line.utf8.count >= 8 {
                if let shape = shape(in: line) { return SecretReason(.shape, "line \(number) holds \(shape)") }
                if hasPasswordInURL(line) { return SecretReason(.shape, "line \(number) holds a URL with a password") }
                if hasPasswordParameter(line) {
                    return SecretReason(.shape, "line \(number) holds a connection string with a password")
                }
            }
            for assignment in assignments(in: line) {
                guard let word = nameReason(assignment.key), !isInert(assignment.value) else { continue }
                return SecretReason(.name, "line \(number) sets \(assignment.key), whose \(word.description.dropFirst(4))")
            }
        }
        return nil
    }

    /// Whether a value holds nothing secret whatever its name: empty, a reference (`$(VAR)`, `${VAR}`),
    /// a boolean or null word, a file path (`/…`, `./…`, `../…`, `~/…`), a `<placeholder>` or a row of `*`/`x`.
    public static func isPlaceholder(_ value: String) -> Bool {
        isInert(value)
    }

    /// Longest line `fileReason` reads; longer lines (minified bundles) are data, not settings.
    public static let maxScannedLine = 4_096
}

private extension SecretDetector {
    /// Words that make a name secret, checked in this order (the first found is named).
    static let nameWords = [
        "PASSWORD", "PASSWD", "PASSPHRASE", "PASS", "PWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "APIKEY",
        "ACCESS_KEY", "SIGNING_KEY", "KEY", "CREDENTIAL", "AUTH", "DSN", "SESSION", "COOKIE", "SALT",
    ]

    /// Whole names that contain a secret word and name no secret.
    static let lookAlikeNames: Set<String> = ["PWD", "OLDPWD", "PASSENGER_APP_ENV", "AUTHOR", "AUTHORS", "KEYBOARD", "KEYMAP"]

    /// Suffixes of names that point at a secret or describe it without holding it (`*_KEY_FILE`,
    /// `*_PASSWORD_FILE`, `SESSION_TIMEOUT`, `AUTH_URL`). A value with a secret shape is still secret.
    static let lookAlikeSuffixes = [
        "_FILE", "_PATH", "_DIR", "_SOCK", "_URL", "_URI", "_HOST", "_PORT", "_ENDPOINT", "_USER", "_USERNAME", "_NAME", "_ID",
        "_TTL", "_TIMEOUT", "_EXPIRY", "_EXPIRES", "_LIFETIME", "_AGE", "_LENGTH", "_ENABLED", "_DISABLED", "_MODE",
        "_METHOD", "_TYPE", "_PROVIDER", "_ALGORITHM", "_HEADER", "_DOMAIN", "_SECURE", "_SAMESITE", "_HTTPONLY",
    ]

    /// A known credential format and how messages name it.
    struct Shape {
        let what: String
        let regex: NSRegularExpression
    }

    // Compiled once: these run for every environment value, argument and mounted file line.
    static let shapes: [Shape] = [
        ("a private key", #"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----"#),
        ("an AWS access key id", #"\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b"#),
        ("an Azure storage key", #"\b(?i:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{20,}"#),
        ("a Google API key", #"\bAIza[0-9A-Za-z_-]{35}"#),
        ("a GitHub token", #"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"#),
        ("a GitLab token", #"\bgl(pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}"#),
        ("a Slack webhook", #"https://hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9/_-]{8,}"#),
        ("a Slack token", #"\bxox[abposr]-[A-Za-z0-9-]{10,}"#),
        ("a Stripe secret key", #"\b[rs]k_(live|test)_[A-Za-z0-9]{16,}"#),
        ("an npm token", #"\bnpm_[A-Za-z0-9]{36}"#),
        ("an OpenAI or Anthropic key", #"\bsk-(proj-|ant-[a-z0-9]+-)[A-Za-z0-9_-]{20,}"#),
        ("a JSON Web Token", #"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"#),
        ("a Sentry DSN", #"https?://[0-9a-f]{32}(:[0-9a-f]{32})?@[A-Za-z0-9.-]+(:[0-9]+)?/[0-9]+"#),
    ].map { Shape(what: $0.0, regex: regex($0.1)) }

    /// The fewest characters any of `shapes` matches.
    static let shortestShape = 15

    /// Every shape in one expression: most values match none, and one search is cheaper than thirteen.
    static let anyShape = regex(shapes.map { "(?:\($0.regex.pattern))" }.joined(separator: "|"))

    /// How messages name the first known credential format in `text`, nil when it holds none.
    static func shape(in text: String) -> String? {
        // The shortest shape (`xoxb-` and ten more) has 15 characters: shorter text skips the expression.
        guard text.utf8.count >= shortestShape, matches(anyShape, text) else { return nil }
        return shapes.first { matches($0.regex, text) }?.what
    }

    /// `scheme://user:password@host`, the password not a reference (`$(VAR)`, `${VAR}`).
    static let urlPassword = regex(#"[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:([^\s/@]+)@"#)
    /// `Password=…`, `pwd=…`, `?password=…` in ADO.NET, JDBC and query strings.
    static let passwordParameter = regex(
        #"(?i)(?:^|[;?&\s,])(?:password|passwd|pwd|pass|secret|apikey|api_key|token|access_token|auth_token)\s*=\s*([^;&\s,]+)"#)
    /// `key = value`, `key: value`, `"key": "value"`, `export KEY=value`, `<key>value</key>` lines of config files.
    static let assignmentPattern = regex(
        #"^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*[=:]\s*["']?([^"'\s,#;]*)"#)
    /// What may appear in a random token.
    static let tokenCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-=".unicodeScalars)

    static func regex(_ pattern: String) -> NSRegularExpression {
        // Built-in patterns; failing to compile one is a bug in this file.
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { preconditionFailure("bad pattern \(pattern)") }
        return compiled
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The first capture of every match of `regex` in `text`.
    static func captures(_ regex: NSRegularExpression, _ text: String) -> [String] {
        regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    static func hasPasswordInURL(_ value: String) -> Bool {
        value.contains("://") && captures(urlPassword, value).contains { !isInert($0) }
    }

    static func hasPasswordParameter(_ value: String) -> Bool {
        value.contains("=") && captures(passwordParameter, value).contains { !isInert($0) }
    }

    /// The keys and values assigned on one line of a config file: the line's own `key = value`, and
    /// every `"key": "value"` pair of JSON written on one line.
    static func assignments(in line: String) -> [(key: String, value: String)] {
        guard line.contains("=") || line.contains(":") else { return [] }
        let whole = NSRange(line.startIndex..., in: line)
        var result: [(key: String, value: String)] = []
        for match in assignmentPattern.matches(in: line, range: whole)
            + (line.contains("\"") ? jsonPair.matches(in: line, range: whole) : [])
        {
            guard let key = Range(match.range(at: 1), in: line), let value = Range(match.range(at: 2), in: line) else { continue }
            result.append((String(line[key]), String(line[value])))
        }
        return result
    }

    /// `"key": "value"` anywhere on a line (JSON, minified or not).
    static let jsonPair = regex(#""([A-Za-z_][A-Za-z0-9_.\-]*)"\s*:\s*"((?:[^"\\]|\\.)*)""#)

    /// Values that hold nothing secret: empty, a reference to another variable, a boolean, a path, a placeholder.
    static func isInert(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return true }
        // A Kubernetes `$(VAR)` reference or an envsubst `${VAR}` placeholder; a bare `$word` may be a password.
        if trimmed.hasPrefix("$(") || trimmed.hasPrefix("${") { return true }
        // A file path (`/run/secrets/db`, `./certs/tls.key`) points at a secret, it does not hold one.
        if ["/", "./", "../", "~/"].contains(where: trimmed.hasPrefix) && !trimmed.contains(" ") { return true }
        if trimmed.hasPrefix("<") && trimmed.hasSuffix(">") { return true }
        return inertWords.contains(trimmed.lowercased()) || trimmed.allSatisfy { $0 == "*" || $0 == "x" || $0 == "X" || $0 == "." }
    }

    /// Values that stand for no secret (compared in lower case).
    static let inertWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "nil", "none", "<nil>", "~", "\"\"", "''"]

    /// Whether a word of `value` (split at white space, quotes and separators) is a long random token:
    /// 24 or more token characters with upper case, lower case and digits and at least 4 bits of
    /// entropy per character. Hex digests and UUIDs (no upper case) are not tokens.
    static func hasRandomToken(_ value: String) -> Bool {
        guard value.utf8.count >= 24 else { return false }
        var word: [Unicode.Scalar] = []
        func check() -> Bool {
            defer { word.removeAll(keepingCapacity: true) }
            return word.count >= 24 && looksRandom(word)
        }
        for scalar in value.unicodeScalars {
            if tokenCharacters.contains(scalar) && scalar != "=" {
                word.append(scalar)
            } else if check() {
                return true
            }
        }
        return check()
    }

    static func looksRandom(_ word: [Unicode.Scalar]) -> Bool {
        var upper = false
        var lower = false
        var digit = false
        var counts: [Unicode.Scalar: Int] = [:]
        for scalar in word {
            switch scalar.value {
            case 0x41...0x5A: upper = true
            case 0x61...0x7A: lower = true
            case 0x30...0x39: digit = true
            default: break
            }
            counts[scalar, default: 0] += 1
        }
        guard upper, lower, digit else { return false }
        let total = Double(word.count)
        let entropy = counts.values.reduce(0.0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
        return entropy >= 4.0
    }
}
