import Foundation

/// One entry of a `komply.dev/ignore` annotation, `rule-id[/container]=reason[ until YYYY-MM-DD]`: the
/// codec the generator writes with (`annotationValue`) and the linter reads with (`parse`).
public struct Suppression: Sendable, Hashable {
    /// The annotation key.
    public static let annotation = "komply.dev/ignore"

    /// The rule id.
    public var ruleID: String
    /// The container it is limited to, or nil for the whole object.
    public var container: String?
    /// Why the finding is accepted.
    public var reason: String
    /// Last day the suppression works (`YYYY-MM-DD`), or nil.
    public var expires: String?

    /// Creates an entry.
    public init(ruleID: String, container: String? = nil, reason: String, expires: String? = nil) {
        self.ruleID = ruleID
        self.container = container
        self.reason = reason
        self.expires = expires
    }

    /// True when the suppression still works on `today` (`YYYY-MM-DD`).
    public func isActive(today: String) -> Bool { expires.map { today <= $0 } ?? true }

    /// An entry that could not be understood, with the problem.
    public struct Problem: Sendable, Hashable {
        /// The entry text.
        public var entry: String
        /// What is wrong and what was expected.
        public var problem: String
    }

    /// Parses an annotation value into suppressions and problems.
    public static func parse(_ value: String) -> (suppressions: [Suppression], problems: [Problem]) {
        var suppressions: [Suppression] = []
        var problems: [Problem] = []
        for entry in split(value) {
            guard let eq = entry.firstIndex(of: "=") else {
                problems.append(Problem(entry: entry, problem: "expected rule-id=reason"))
                continue
            }
            let target = entry[..<eq].trimmingCharacters(in: .whitespaces)
            var reason = entry[entry.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            var expires: String?
            if let range = reason.range(of: #"\s*\buntil\s+(\d{4}-\d{2}-\d{2})$"#, options: .regularExpression) {
                expires = String(reason[range].suffix(10))
                reason = String(reason[..<range.lowerBound])
                if !isValidDate(expires!) {
                    problems.append(Problem(entry: entry, problem: "\"\(expires!)\" is not a calendar date; expected until YYYY-MM-DD"))
                    continue
                }
            }
            let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
            guard let rule = parts.first, isValidRuleID(rule) else {
                problems.append(Problem(entry: entry, problem: "\"\(target)\" is not a rule id; expected rule-id or rule-id/container"))
                continue
            }
            guard !reason.isEmpty else {
                problems.append(Problem(entry: entry, problem: "no reason given; expected \(target)=<why this is accepted>"))
                continue
            }
            suppressions.append(Suppression(ruleID: rule, container: parts.count > 1 ? parts[1] : nil, reason: reason, expires: expires))
        }
        return (suppressions, problems)
    }

    /// The annotation value holding `entries` in the form `parse` reads back: `rule[/container]=reason[ until
    /// YYYY-MM-DD]`, separated by `; ` (a `;` inside a reason becomes `,`, since it separates entries).
    public static func annotationValue(_ entries: [Suppression]) -> String {
        entries.map { entry in
            let target = entry.container.map { "\(entry.ruleID)/\($0)" } ?? entry.ruleID
            let reason = entry.reason.replacingOccurrences(of: ";", with: ",")
            return "\(target)=\(reason)" + (entry.expires.map { " until \($0)" } ?? "")
        }.joined(separator: "; ")
    }

    /// True when `id` can name a rule: kebab-case (`^[a-z0-9]+(-[a-z0-9]+)*$`).
    public static func isValidRuleID(_ id: String) -> Bool {
        guard !id.isEmpty, !id.hasPrefix("-"), !id.hasSuffix("-"), !id.contains("--") else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

private extension Suppression {
    /// Entries are separated by newlines or `;`, or by a comma when the next entry starts with `id=`.
    static func split(_ value: String) -> [String] {
        var entries: [String] = []
        for chunk in value.split(whereSeparator: { $0 == "\n" || $0 == ";" }) {
            var rest = String(chunk)
            while let range = rest.range(of: #",\s*[a-z0-9]+(-[a-z0-9]+)*(/[A-Za-z0-9._-]+)?\s*="#, options: .regularExpression) {
                entries.append(String(rest[..<range.lowerBound]))
                rest = String(rest[rest.index(after: range.lowerBound)...])
            }
            entries.append(rest)
        }
        return entries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

}

extension Suppression {
    /// Whether `text` is a calendar date written `YYYY-MM-DD`.
    package static func isValidDate(_ text: String) -> Bool {
        guard text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { return false }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return false }
        let days = [
            31, parts[0] % 4 == 0 && (parts[0] % 100 != 0 || parts[0] % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ]
        return (1...days[parts[1] - 1]).contains(parts[2])
    }
}
