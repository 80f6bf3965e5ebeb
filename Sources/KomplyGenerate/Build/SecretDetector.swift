import Foundation

/// Decides which environment values are secrets, by name or by shape, without ever printing them.
public enum SecretDetector {
    /// Why a variable counts as secret, or nil when it does not.
    public static func reason(name: String, value: String?) -> String? {
        let upper = name.uppercased()
        for word in nameWords where upper.contains(word) {
            // `*_FILE` variables name a file (docker secrets convention), not the secret itself.
            if upper.hasSuffix("_FILE") || upper.hasSuffix("_PATH") { return nil }
            return "its name contains \(word)"
        }
        guard let value, !value.isEmpty else { return nil }
        return shapeReason(value)
    }

    /// Why a value looks like a credential regardless of its name.
    public static func shapeReason(_ value: String) -> String? {
        if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") { return "its value is a private key" }
        if let url = URLComponents(string: value), url.scheme != nil, let password = url.password, !password.isEmpty {
            return "its value is a URL with a password"
        }
        if matches(awsKey, value) { return "its value is an AWS access key id" }
        if matches(apiToken, value) { return "its value is an API token" }
        if matches(jwt, value) { return "its value is a JSON Web Token" }
        if value.count >= 24, !value.contains(" "), !value.contains("/"), entropyPerCharacter(value) >= 4.0 {
            return "its value looks random (high entropy)"
        }
        return nil
    }

    /// Host names mentioned in a value (`db`, `redis://cache:6379`, `jdbc:postgresql://payments-db:5432/x`).
    public static func hosts(in value: String) -> [String] {
        var result: [String] = []
        let range = NSRange(value.startIndex..., in: value)
        for match in urlHost.matches(in: value, range: range) {
            if let hostRange = Range(match.range(at: 1), in: value) { result.append(String(value[hostRange])) }
        }
        // A bare host or host:port value (`DB_HOST=db`, `REDIS=cache:6379`).
        if matches(bareHost, value) {
            result.append(String(value.split(separator: ":")[0]))
        }
        return result
    }
}

private extension SecretDetector {
    // Compiled once: these run for every environment value of every service.
    static let awsKey = regex(#"^(AKIA|ASIA)[A-Z0-9]{16}$"#)
    static let apiToken = regex(#"^(ghp|gho|ghs|github_pat|glpat|xox[abpr]|sk_live|sk_test|rk_live)[_-][A-Za-z0-9_-]{10,}$"#)
    static let jwt = regex(#"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"#)
    static let urlHost = regex(#"(?:[a-z][a-z0-9+.-]*:)*//(?:[^@/\s]*@)?([A-Za-z0-9._-]+)"#)
    static let bareHost = regex(#"^[A-Za-z0-9_-]+(:[0-9]+)?$"#)

    static func regex(_ pattern: String) -> NSRegularExpression {
        // Built-in patterns; failing to compile one is a bug in this file.
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { preconditionFailure("bad pattern \(pattern)") }
        return compiled
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static let nameWords = [
        "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY",
        "CREDENTIAL", "AUTH_KEY", "CLIENT_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "MASTER_KEY", "DSN", "CONNECTION_STRING",
    ]

    static func entropyPerCharacter(_ text: String) -> Double {
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        let total = Double(text.count)
        return counts.values.reduce(0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
    }
}
