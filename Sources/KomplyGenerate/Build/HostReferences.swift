import Foundation
import KomplyCore

/// Host names a value mentions, for the traffic graph (`db`, `redis://cache:6379`, `jdbc:postgresql://payments-db:5432/x`).
enum HostReferences {
    /// Host names mentioned in a value; secret markers count as neither host nor separator.
    static func hosts(in value: String) -> [String] {
        let value = SecretTaint.replacing(value) { _ in "secret" }
        var result: [String] = []
        let range = NSRange(value.startIndex..., in: value)
        for match in urlHost.matches(in: value, range: range) {
            if let hostRange = Range(match.range(at: 1), in: value) { result.append(String(value[hostRange])) }
        }
        // A bare host or host:port value (`DB_HOST=db`, `REDIS=cache:6379`).
        if bareHost.firstMatch(in: value, range: range) != nil {
            result.append(String(value.split(separator: ":")[0]))
        }
        return result
    }
}

private extension HostReferences {
    // Compiled once: these run for every environment value of every service.
    static let urlHost = regex(#"(?:[a-z][a-z0-9+.-]*:)*//(?:[^@/\s]*@)?([A-Za-z0-9._-]+)"#)
    static let bareHost = regex(#"^[A-Za-z0-9_-]+(:[0-9]+)?$"#)

    static func regex(_ pattern: String) -> NSRegularExpression {
        // Built-in patterns; failing to compile one is a bug in this file.
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { preconditionFailure("bad pattern \(pattern)") }
        return compiled
    }
}
