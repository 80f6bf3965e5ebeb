import Foundation
import KomplyCore

/// Flags RoleBindings and ClusterRoleBindings that grant cluster-admin: the `cluster-admin` role
/// itself, or a linted Role/ClusterRole that grants every verb on every resource of every API group.
public struct ClusterAdminBindingCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Bindings whose name matches are Kubernetes' own (`system:…`) and are not flagged.
        public var exemptNames: String?
    }

    public static let name = "ClusterAdminBinding"
    static let direct = "grants cluster-admin"
    static let equivalent = "grants %@, which allows every verb on every resource (cluster-admin)"
    static let allVerbs: Set<String> = ["get", "list", "watch", "create", "update", "patch", "delete"]

    let exemptNames: String?

    /// `exemptNames`, compiled once.
    let exempt: FullMatcher?

    public init(parameters: Parameters) {
        exemptNames = parameters.exemptNames
        exempt = parameters.exemptNames.map { RegexCache.shared.matcher($0) }
    }

    public var readsIndex: Bool { true }
    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        guard let pair = object.node.pair("roleRef"), let name = pair.value["name"]?.scalar else { return [] }
        if let exempt, exempt.matches(object.name) { return [] }
        let range = CheckSupport.range(pair)
        if name == "cluster-admin" {
            return [
                Violation(range: range, file: object.file, message: context.message(Self.direct), container: nil, path: "roleRef", fix: nil)
            ]
        }
        let kind = pair.value["kind"]?.scalar ?? "ClusterRole"
        let candidates =
            kind == "ClusterRole"
            ? context.index.objects(kind: "ClusterRole").filter { $0.name == name }
            : context.index.objects(kind: "Role", inNamespace: object.effectiveNamespace).filter { $0.name == name }
        guard let role = candidates.first, Self.grantsEverything(role) else { return [] }
        return [
            Violation(
                range: range, file: object.file, message: Self.equivalent.replacingPlaceholders(with: "\(kind) \"\(name)\""),
                container: nil, path: "roleRef", fix: nil)
        ]
    }

    static func grantsEverything(_ role: KubeObject) -> Bool {
        (role.node["rules"]?.sequence ?? []).contains { rule in
            let groups = (rule["apiGroups"]?.sequence ?? []).compactMap(\.scalar)
            let resources = (rule["resources"]?.sequence ?? []).compactMap(\.scalar)
            let verbs = Set((rule["verbs"]?.sequence ?? []).compactMap(\.scalar))
            return groups.contains("*") && resources.contains("*") && (verbs.contains("*") || allVerbs.isSubset(of: verbs))
        }
    }
}
