import Foundation

/// Fixed-size result slots that concurrent workers fill by index (each index written once).
final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value]
    private let lock = NSLock()

    init(count: Int, initial: Value) { storage = Array(repeating: initial, count: count) }

    subscript(index: Int) -> Value {
        get { lock.lock(); defer { lock.unlock() }; return storage[index] }
        set { lock.lock(); storage[index] = newValue; lock.unlock() }
    }

    /// All values, in index order.
    var values: [Value] { lock.lock(); defer { lock.unlock() }; return storage }
}
