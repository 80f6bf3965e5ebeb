import KomplyCore

/// Flags objects whose apiVersion is removed (`mode: removed`) or deprecated but still served
/// (`mode: deprecated`) in the target Kubernetes version (`policy.kubernetesVersion`).
public struct DeprecatedAPICheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Which condition to flag.
        public var mode: Mode
        /// Overrides the configured target version for this rule.
        public var kubernetesVersion: String?
    }

    /// Modes.
    public enum Mode: String, Decodable, Sendable { case removed, deprecated }

    /// One API version's lifecycle.
    struct Entry {
        let apiVersion: String
        let kinds: [String]?
        let deprecated: Int
        let removed: Int
        let replacement: String
    }

    public static let name = "DeprecatedAPI"
    static let removedMessage = "uses %@, removed in Kubernetes 1.%d; use %@"
    static let deprecatedMessage = "uses %@, deprecated since Kubernetes 1.%d and removed in 1.%d; use %@"
    let parameters: Parameters

    public init(parameters: Parameters) { self.parameters = parameters }

    public func applies(kind: String, apiVersion: String) -> Bool { Self.entry(kind: kind, apiVersion: apiVersion) != nil }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        // The table first: most objects use no deprecated API, and then the version need not be read.
        guard let entry = Self.entry(kind: object.kind, apiVersion: object.reference.apiVersion) else { return [] }
        let version = parameters.kubernetesVersion ?? context.settings.kubernetesVersion
        guard let minor = Int(version.split(separator: ".").last ?? ""), let pair = object.node.pair("apiVersion") else { return [] }
        let text: String
        switch parameters.mode {
        case .removed:
            guard entry.removed <= minor else { return [] }
            text = "uses \(entry.apiVersion) \(object.kind), removed in Kubernetes 1.\(entry.removed); use \(entry.replacement)"
        case .deprecated:
            guard entry.deprecated <= minor, minor < entry.removed else { return [] }
            text =
                "uses \(entry.apiVersion) \(object.kind), deprecated since Kubernetes 1.\(entry.deprecated) and removed in 1.\(entry.removed); use \(entry.replacement)"
        }
        return [Violation(range: CheckSupport.range(pair), file: object.file, message: text, container: nil, path: "apiVersion", fix: nil)]
    }

    /// The table's entry for a kind and API version, if it lists them.
    static func entry(kind: String, apiVersion: String) -> Entry? {
        entries[apiVersion]?.first { $0.kinds?.contains(kind) ?? true }
    }

    static let workloads = ["Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"]
    /// `table` by API version, each list in table order.
    static let entries: [String: [Entry]] = Dictionary(grouping: table, by: \.apiVersion)
    static let table: [Entry] = [
        Entry(apiVersion: "extensions/v1beta1", kinds: workloads, deprecated: 9, removed: 16, replacement: "apps/v1"),
        Entry(apiVersion: "extensions/v1beta1", kinds: ["NetworkPolicy"], deprecated: 9, removed: 16, replacement: "networking.k8s.io/v1"),
        Entry(
            apiVersion: "extensions/v1beta1", kinds: ["PodSecurityPolicy"], deprecated: 10, removed: 16,
            replacement: "policy/v1beta1 (itself removed in 1.25)"),
        Entry(apiVersion: "extensions/v1beta1", kinds: ["Ingress"], deprecated: 14, removed: 22, replacement: "networking.k8s.io/v1"),
        Entry(apiVersion: "apps/v1beta1", kinds: nil, deprecated: 9, removed: 16, replacement: "apps/v1"),
        Entry(apiVersion: "apps/v1beta2", kinds: nil, deprecated: 9, removed: 16, replacement: "apps/v1"),
        Entry(apiVersion: "networking.k8s.io/v1beta1", kinds: nil, deprecated: 19, removed: 22, replacement: "networking.k8s.io/v1"),
        Entry(
            apiVersion: "rbac.authorization.k8s.io/v1beta1", kinds: nil, deprecated: 17, removed: 22,
            replacement: "rbac.authorization.k8s.io/v1"),
        Entry(
            apiVersion: "rbac.authorization.k8s.io/v1alpha1", kinds: nil, deprecated: 17, removed: 22,
            replacement: "rbac.authorization.k8s.io/v1"),
        Entry(apiVersion: "apiextensions.k8s.io/v1beta1", kinds: nil, deprecated: 16, removed: 22, replacement: "apiextensions.k8s.io/v1"),
        Entry(
            apiVersion: "apiregistration.k8s.io/v1beta1", kinds: nil, deprecated: 19, removed: 22, replacement: "apiregistration.k8s.io/v1"),
        Entry(
            apiVersion: "admissionregistration.k8s.io/v1beta1", kinds: nil, deprecated: 16, removed: 22,
            replacement: "admissionregistration.k8s.io/v1"),
        Entry(apiVersion: "scheduling.k8s.io/v1beta1", kinds: nil, deprecated: 14, removed: 22, replacement: "scheduling.k8s.io/v1"),
        Entry(apiVersion: "scheduling.k8s.io/v1alpha1", kinds: nil, deprecated: 14, removed: 17, replacement: "scheduling.k8s.io/v1"),
        Entry(
            apiVersion: "storage.k8s.io/v1beta1", kinds: ["CSIStorageCapacity"], deprecated: 24, removed: 27,
            replacement: "storage.k8s.io/v1"),
        Entry(apiVersion: "storage.k8s.io/v1beta1", kinds: nil, deprecated: 19, removed: 22, replacement: "storage.k8s.io/v1"),
        Entry(apiVersion: "coordination.k8s.io/v1beta1", kinds: nil, deprecated: 19, removed: 22, replacement: "coordination.k8s.io/v1"),
        Entry(apiVersion: "certificates.k8s.io/v1beta1", kinds: nil, deprecated: 19, removed: 22, replacement: "certificates.k8s.io/v1"),
        Entry(apiVersion: "batch/v1beta1", kinds: nil, deprecated: 21, removed: 25, replacement: "batch/v1"),
        Entry(apiVersion: "batch/v2alpha1", kinds: nil, deprecated: 8, removed: 21, replacement: "batch/v1"),
        Entry(apiVersion: "discovery.k8s.io/v1beta1", kinds: nil, deprecated: 21, removed: 25, replacement: "discovery.k8s.io/v1"),
        Entry(apiVersion: "events.k8s.io/v1beta1", kinds: nil, deprecated: 19, removed: 25, replacement: "events.k8s.io/v1"),
        Entry(apiVersion: "autoscaling/v2beta1", kinds: nil, deprecated: 22, removed: 25, replacement: "autoscaling/v2"),
        Entry(apiVersion: "autoscaling/v2beta2", kinds: nil, deprecated: 23, removed: 26, replacement: "autoscaling/v2"),
        Entry(
            apiVersion: "policy/v1beta1", kinds: ["PodSecurityPolicy"], deprecated: 21, removed: 25, replacement: "Pod Security Admission"),
        Entry(apiVersion: "policy/v1beta1", kinds: nil, deprecated: 21, removed: 25, replacement: "policy/v1"),
        Entry(apiVersion: "node.k8s.io/v1beta1", kinds: nil, deprecated: 20, removed: 25, replacement: "node.k8s.io/v1"),
        Entry(apiVersion: "node.k8s.io/v1alpha1", kinds: nil, deprecated: 14, removed: 16, replacement: "node.k8s.io/v1"),
        Entry(
            apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", kinds: nil, deprecated: 23, removed: 26,
            replacement: "flowcontrol.apiserver.k8s.io/v1"),
        Entry(
            apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2", kinds: nil, deprecated: 26, removed: 29,
            replacement: "flowcontrol.apiserver.k8s.io/v1"),
        Entry(
            apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kinds: nil, deprecated: 29, removed: 32,
            replacement: "flowcontrol.apiserver.k8s.io/v1"),
    ]
}
