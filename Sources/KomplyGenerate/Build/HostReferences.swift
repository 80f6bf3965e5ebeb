import Foundation
import KomplyCore

/// Host names a value mentions, for the traffic graph (`db`, `redis://cache:6379`, `jdbc:postgresql://payments-db:5432/x`).
enum HostReferences {
    /// Host names mentioned in a value; secret markers count as neither host nor separator. A bare word
    /// (`db`, `cache:6379`) counts only when `variable` may name a host: `MYSQL_DATABASE=wordpress`,
    /// `POSTGRES_USER=gitea` or `DB_NAME=app` name a database, a user or a schema, never a host.
    static func hosts(in value: String, variable: String? = nil) -> [String] {
        references(in: value, variable: variable).map(\.host)
    }

    /// Host names mentioned in a value with the port written beside them (`cache:6379`, `http://api:8080/x`).
    static func references(in value: String, variable: String? = nil) -> [(host: String, port: Int?)] {
        let value = SecretTaint.replacing(value) { _ in "secret" }
        var result: [(host: String, port: Int?)] = []
        let range = NSRange(value.startIndex..., in: value)
        for match in urlHost.matches(in: value, range: range) {
            guard let hostRange = Range(match.range(at: 1), in: value) else { continue }
            let port = Range(match.range(at: 2), in: value).flatMap { Int(value[$0]) }
            result.append((String(value[hostRange]), port.flatMap { (1...65535).contains($0) ? $0 : nil }))
        }
        // A bare host or host:port value (`DB_HOST=db`, `REDIS=cache:6379`).
        if bareHost.firstMatch(in: value, range: range) != nil, variable.map(mayNameHost) ?? true {
            let parts = value.split(separator: ":")
            let port = parts.count > 1 ? Int(parts[1]).flatMap { (1...65535).contains($0) ? $0 : nil } : nil
            result.append((String(parts[0]), port))
        }
        return result
    }
}

extension HostReferences {
    /// Host names an argv names (`command`, `entrypoint`, a healthcheck): URL hosts, `host:port` words, and
    /// the value of a host flag (`-h db`, `--host=db`, `-H db`, `--server db`); a shell string is split into words.
    static func commandReferences(in argv: [String]) -> [(host: String, port: Int?)] {
        let words = argv.flatMap { $0.split(whereSeparator: { $0.isWhitespace || "\"'();|&".contains($0) }).map(String.init) }
        var result: [(host: String, port: Int?)] = []
        for (index, word) in words.enumerated() {
            if word.contains("//") {
                result += references(in: word).filter { !$0.host.isEmpty }
            } else if hostPortWord.firstMatch(in: word, range: NSRange(word.startIndex..., in: word)) != nil {
                result += references(in: word)
            } else if let equals = word.firstIndex(of: "="), hostFlags.contains(String(word[..<equals])) {
                result += references(in: String(word[word.index(after: equals)...]))
            } else if hostFlags.contains(word), index + 1 < words.count {
                result += references(in: words[index + 1])
            }
        }
        return result
    }
}

private extension HostReferences {
    static let hostFlags: Set<String> = ["-h", "--host", "-H", "--hostname", "--server", "--addr", "--address"]
    static let hostPortWord = regex(#"^[A-Za-z][A-Za-z0-9_.-]*:[0-9]{1,5}$"#)

    /// Whether a variable's bare value can be a host: `*_HOST`, `*_ADDR`, `*_SERVER` can; a database, user,
    /// password or schema name cannot.
    static func mayNameHost(_ variable: String) -> Bool {
        let name = variable.uppercased()
        if ["HOST", "ADDR", "SERVER", "URL", "URI", "ENDPOINT"].contains(where: name.contains) { return true }
        return notHost.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) == nil
    }

    static let notHost = regex(#"USER|PASS|PWD|DATABASE|(^|_)DB$|(^|_)NAME$|SCHEMA|TABLE|BUCKET"#)
    // Compiled once: these run for every environment value of every service.
    // A scheme is tried only where a word starts: from every letter of a long value it backtracked (quadratic).
    static let urlHost = regex(#"(?<![a-z0-9+.:-])(?:[a-z][a-z0-9+.-]*:)*//(?:[^@/\s]*@)?([A-Za-z0-9._-]+)(?::([0-9]{1,5}))?"#)
    static let bareHost = regex(#"^[A-Za-z0-9_-]+(:[0-9]+)?$"#)

    static func regex(_ pattern: String) -> NSRegularExpression {
        // Built-in patterns; failing to compile one is a bug in this file.
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { preconditionFailure("bad pattern \(pattern)") }
        return compiled
    }
}
