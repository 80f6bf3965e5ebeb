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
