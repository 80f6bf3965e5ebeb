import Foundation

/// Results of a pure function by argument, shared across threads (for results that are slow to
/// compute and asked for again and again, such as regular-expression tests of recurring names).
final class Memo<Key: Hashable, Value>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = NSLock()
    /// Beyond this many entries new results are computed but not kept.
    private let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    /// The value for `key`, computed with `compute` the first time.
    func value(for key: Key, _ compute: (Key) -> Value) -> Value {
        lock.lock()
        if let value = values[key] {
            lock.unlock()
            return value
        }
        lock.unlock()
        let value = compute(key)
        lock.lock()
        if values.count < limit { values[key] = value }
        lock.unlock()
        return value
    }
}

/// Compiled regular expressions by pattern, shared across threads (compiling is the slow part).
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private var compiled: [String: NSRegularExpression] = [:]
    private let lock = NSLock()

    private var matchers: [String: FullMatcher] = [:]

    /// The whole-text matcher for `pattern`.
    func matcher(_ pattern: String) -> FullMatcher {
        lock.lock()
        if let matcher = matchers[pattern] {
            lock.unlock()
            return matcher
        }
        lock.unlock()
        let matcher = FullMatcher(pattern: pattern, regex: anchored(pattern))
        lock.lock()
        matchers[pattern] = matcher
        lock.unlock()
        return matcher
    }

    /// The expression matching the whole text for `pattern`.
    func anchored(_ pattern: String) -> NSRegularExpression {
        lock.lock()
        defer { lock.unlock() }
        if let regex = compiled[pattern] { return regex }
        let regex = CheckSupport.regex("^(?:" + pattern + ")$")
        compiled[pattern] = regex
        return regex
    }
}

/// Whether a whole text matches a pattern. Patterns that are alternations of literals, each
/// optionally followed by `.*` (`system:.*|admin|edit`, the usual `exemptNames`), are compared as
/// bytes: Foundation's expressions cost about 12 µs per call on Linux. Any other pattern, and any text
/// with a line terminator (which changes what `.` and `$` match), goes to the expression itself, so
/// the answer is always the expression's.
final class FullMatcher: Sendable {
    /// The literal alternatives (UTF-8) and whether each is a prefix (`literal.*`); nil when the
    /// pattern uses other syntax.
    let alternatives: [(literal: [UInt8], prefix: Bool)]?
    let regex: NSRegularExpression
    /// The expression's answers by text (several rules ask about the same names).
    private let answers = Memo<String, Bool>(limit: 1 << 16)

    init(pattern: String, regex: NSRegularExpression) {
        self.regex = regex
        alternatives = Self.alternatives(of: pattern)
    }

    func matches(_ text: String) -> Bool {
        guard let alternatives, !text.unicodeScalars.contains(where: Self.isLineTerminator) else {
            return answers.value(for: text) { CheckSupport.search(regex, $0) }
        }
        // Code point by code point, as the expression compares (not by canonical equivalence).
        return alternatives.contains { $0.prefix ? text.utf8.starts(with: $0.literal) : text.utf8.elementsEqual($0.literal) }
    }

    static func alternatives(of pattern: String) -> [(literal: [UInt8], prefix: Bool)]? {
        var result: [(literal: [UInt8], prefix: Bool)] = []
        for part in pattern.split(separator: "|", omittingEmptySubsequences: false) {
            var literal = part
            let prefix = literal.hasSuffix(".*")
            if prefix { literal = literal.dropLast(2) }
            guard !literal.unicodeScalars.contains(where: { "\\^$.|?*+()[]{}".unicodeScalars.contains($0) }) else { return nil }
            result.append((Array(literal.utf8), prefix))
        }
        return result
    }

    /// ICU's line terminators: `.` does not match them and `$` matches before a final one.
    static func isLineTerminator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
