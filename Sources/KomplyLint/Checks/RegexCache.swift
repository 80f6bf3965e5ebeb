import Foundation

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
