import KomplyCore

/// What the validator made of a proposal: the changes it accepts (resolved to a document and a path in
/// it) and every operation it rejects, with why.
public struct PatchReview: Sendable, Hashable {
    /// One accepted operation, resolved.
    public struct Change: Sendable, Hashable {
        /// The operation as proposed.
        public var operation: PatchOperation
        /// The document of the service's file it changes.
        public var document: Int
        /// Where in that document.
        public var path: [TreeStep]
        /// The value written there (a quantity in canonical form, an env entry…).
        public var value: ValueTree
        /// Which constraint group it belongs to (`api/memory`, `autoscaling`): a broken constraint drops its group's changes.
        var group: String
    }

    /// One rejected operation and why.
    public struct Rejection: Sendable, Hashable, CustomStringConvertible {
        /// The operation as the model wrote it (`replace /replicas = 3`), or which item was malformed.
        public var operation: String
        /// Why it was rejected, in words.
        public var reason: String

        /// Creates a rejection.
        public init(operation: String, reason: String) {
            self.operation = operation
            self.reason = reason
        }

        public var description: String { "\(operation): \(reason)" }
    }

    /// Accepted changes, in the model's order.
    public var accepted: [Change]
    /// Rejected operations, in the model's order, then those dropped by a later check.
    public var rejected: [Rejection]

    /// A review of `accepted` changes and `rejected` operations.
    public init(accepted: [Change], rejected: [Rejection]) {
        self.accepted = accepted
        self.rejected = rejected
    }

    /// `documents` with the accepted changes applied.
    public func applied(to documents: [ValueTree]) -> [ValueTree] {
        var documents = documents
        for change in accepted where documents.indices.contains(change.document) {
            documents[change.document] = documents[change.document].setting(change.value, at: change.path)
        }
        return documents
    }

    /// Moves the accepted changes for which `drop` returns a reason to the rejected list.
    public mutating func drop(where drop: (Change) -> String?) {
        var kept: [Change] = []
        for change in accepted {
            if let reason = drop(change) {
                rejected.append(Rejection(operation: change.operation.summary, reason: reason))
            } else {
                kept.append(change)
            }
        }
        accepted = kept
    }
}
