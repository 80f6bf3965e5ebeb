/// Names a Kubernetes object the way findings and reports show it.
public struct ObjectReference: Sendable, Hashable, Comparable {
    /// The object's `apiVersion` (empty when missing).
    public var apiVersion: String
    /// The object's `kind` (empty when missing).
    public var kind: String
    /// `metadata.name` (empty when missing).
    public var name: String
    /// `metadata.namespace`, or nil when not set.
    public var namespace: String?

    /// Creates a reference.
    public init(apiVersion: String, kind: String, name: String, namespace: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    /// `Deployment "shop/api"` (or `Deployment "api"` without a namespace).
    public var display: String {
        let qualified = namespace.map { "\($0)/\(name)" } ?? name
        return "\(kind) \"\(qualified)\""
    }

    public static func < (lhs: ObjectReference, rhs: ObjectReference) -> Bool {
        (lhs.namespace ?? "", lhs.kind, lhs.name, lhs.apiVersion) < (rhs.namespace ?? "", rhs.kind, rhs.name, rhs.apiVersion)
    }
}
