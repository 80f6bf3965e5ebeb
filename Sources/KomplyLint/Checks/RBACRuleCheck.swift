import Foundation
import KomplyCore

/// Flags Role and ClusterRole rules that grant `verbs` on `resources` (a `*` in the rule grants
/// everything); with `wildcard: true`, flags any `*` in apiGroups, resources or verbs.
public struct RBACRuleCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Resources to watch for (`secrets`, `pods/exec`).
        public var resources: [String]?
        /// Verbs to watch for.
        public var verbs: [String]?
        /// Flag wildcards instead.
        public var wildcard: Bool?
        /// Roles whose name matches are Kubernetes' own (`system:…`, `admin`) and are not flagged.
        public var exemptNames: String?
    }

    public static let name = "RBACRule"
    static let grants = "grants %@ on %@"
    static let wildcardMessage = "grants \"*\" in %@"
    let parameters: Parameters

    /// `exemptNames`, compiled once.
    let exempt: FullMatcher?

    public init(parameters: Parameters) {
        self.parameters = parameters
        exempt = parameters.exemptNames.map { RegexCache.shared.matcher($0) }
    }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        if let exempt, exempt.matches(object.name) { return [] }
        var violations: [Violation] = []
        for (index, rule) in (object.node["rules"]?.sequence ?? []).enumerated() {
            let resources = (rule["resources"]?.sequence ?? []).compactMap(\.scalar)
            let verbs = (rule["verbs"]?.sequence ?? []).compactMap(\.scalar)
            if parameters.wildcard == true {
                for key in ["apiGroups", "resources", "verbs"] {
                    guard let list = rule.pair(key), (list.value.sequence ?? []).contains(where: { $0.scalar == "*" }) else { continue }
                    violations.append(
                        Violation(
                            range: CheckSupport.range(list), file: object.file,
                            message: context.message(Self.wildcardMessage).replacingPlaceholders(with: key),
                            container: nil, path: "rules[\(index)].\(key)", fix: nil))
                }
                continue
            }
            let wantedResources = parameters.resources ?? []
            let wantedVerbs = parameters.verbs ?? []
            let hitResources = resources.contains("*") ? wantedResources : wantedResources.filter(resources.contains)
            let hitVerbs = verbs.contains("*") ? wantedVerbs : wantedVerbs.filter(verbs.contains)
            guard !hitResources.isEmpty, !hitVerbs.isEmpty else { continue }
            let anchor = rule.pair("resources").map(CheckSupport.range) ?? rule.range
            let text = context.rule.message ?? "grants \(hitVerbs.joined(separator: ", ")) on \(hitResources.joined(separator: ", "))"
            violations.append(Violation(range: anchor, file: object.file, message: text, container: nil, path: "rules[\(index)]", fix: nil))
        }
        return violations
    }
}
