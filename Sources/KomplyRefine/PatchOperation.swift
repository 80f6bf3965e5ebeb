import Foundation
import KomplyCore

/// One change the model proposes: `op` on `path` (a service path such as
/// `/containers/api/resources/limits/memory`) to `value`, and why.
public struct PatchOperation: Sendable, Hashable {
    /// `replace` or `add`.
    public var op: String
    /// The service path.
    public var path: String
    /// The new value: a string or a number, as the model wrote it.
    public var value: ValueTree
    /// The model's reason (shown to the reviewer, never trusted).
    public var reason: String

    /// Creates an operation.
    public init(op: String, path: String, value: ValueTree, reason: String) {
        self.op = op
        self.path = path
        self.value = value
        self.reason = reason
    }

    /// `replace /replicas = 3`.
    public var summary: String { "\(op) \(path) = \(value.compactJSON)" }
}
