import Foundation
import KomplyCore

/// Flags a namespace that runs workloads but has no NetworkPolicy with `podSelector: {}` denying
/// both ingress and egress (one policy, or one per direction). Reported once per namespace, on its
/// first workload; the fix writes a default-deny policy file beside it.
public struct DefaultDenyNetworkPolicyCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "DefaultDenyNetworkPolicy"
    static let message = "is in namespace \"%@\", which has no default-deny NetworkPolicy (podSelector: {} denying ingress and egress)"

    public init(parameters: Parameters) {}

    public var readsIndex: Bool { true }
    public var needsWorkload: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard object.isWorkload else { return [] }
        let namespace = object.effectiveNamespace
        guard let first = context.index.firstWorkload(inNamespace: namespace), first.node.file == object.node.file,
            first.node.range == object.node.range
        else { return [] }
        let policies = NetworkPolicyView.policies(in: namespace, index: context.index).filter(\.selectsAllPods)
        if policies.contains(where: \.deniesAllIngress), policies.contains(where: \.deniesAllEgress) { return [] }
        let anchor =
            object.metadata?.pair("namespace").map(CheckSupport.range) ?? object.node.pair("metadata").map(CheckSupport.range)
            ?? object.node.range
        let text = Self.policy(namespace: namespace)
        let directory = (object.file as NSString).deletingLastPathComponent
        let file = directory.isEmpty ? "default-deny.networkpolicy.yaml" : directory + "/default-deny.networkpolicy.yaml"
        return [
            Violation(
                range: anchor, file: object.file,
                message: context.message(Self.message).replacingPlaceholders(with: namespace), container: nil,
                path: "namespace(\(namespace)).networkPolicy",
                fix: Fix(
                    summary: "write \(file) with a default-deny NetworkPolicy", edits: [], newFile: Fix.NewFile(path: file, text: text)))
        ]
    }

    /// A default-deny policy for a namespace.
    static func policy(namespace: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: default-deny
          namespace: \(YAMLEmitter.scalar(namespace))
        spec:
          podSelector: {}
          policyTypes:
            - Ingress
            - Egress

        """
    }
}
