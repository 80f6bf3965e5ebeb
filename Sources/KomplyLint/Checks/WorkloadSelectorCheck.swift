import KomplyCore

/// Flags workloads whose `spec.selector` does not match their own pod template labels (the API
/// server rejects them).
public struct WorkloadSelectorCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "WorkloadSelector"
    static let message = "has a selector that does not match its pod template labels"

    public init(parameters: Parameters) {}

    public var needsWorkload: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard object.kind != "Pod", object.kind != "CronJob", object.isWorkload, let pair = object.node["spec"]?.pair("selector") else {
            return []
        }
        // ReplicationController and OpenShift DeploymentConfig selectors are plain label maps.
        let plain =
            ["ReplicationController", "DeploymentConfig"].contains(object.kind) && pair.value["matchLabels"] == nil
            && pair.value["matchExpressions"] == nil
        let selector = plain ? LabelSelector(map: pair.value) : LabelSelector(labelSelector: pair.value)
        guard !selector.isEmpty, !selector.matches(object.podLabels) else { return [] }
        return [
            Violation(
                range: CheckSupport.range(pair), file: object.file, message: context.message(Self.message), container: nil,
                path: "spec.selector", fix: nil)
        ]
    }
}
