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

extension Array where Element: Sendable {
    /// `map` on all cores, in contiguous chunks; the results are in element order. Reporters build
    /// one value tree per finding this way (tens of thousands on a large run).
    func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        guard count >= 1024 else { return map(transform) }
        let chunks = 16
        let size = (count + chunks - 1) / chunks
        let parts = Slots<[T]>(count: chunks, initial: [])
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            parts[chunk] = self[Swift.min(chunk * size, count)..<Swift.min((chunk + 1) * size, count)].map(transform)
        }
        return Array<T>(parts.values.joined())
    }
}
