import KomplyCore

/// A rule: data from `rules/<category>/<rule-id>.yaml` naming the check template that runs it.
public struct Rule: Sendable {
    /// Which objects a rule applies to.
    public struct Scope: Sendable, Hashable {
        /// Kinds the rule applies to; nil means every kind.
        public var kinds: [String]?
        /// API groups the rule applies to (`apps`, `""` for core); nil means every group.
        public var apiGroups: [String]?
        /// Kinds the rule never applies to.
        public var excludeKinds: [String]
        /// Which containers container checks visit.
        public var containers: [ContainerType]

        /// Creates a scope.
        public init(
            kinds: [String]? = nil, apiGroups: [String]? = nil, excludeKinds: [String] = [],
            containers: [ContainerType] = [.container, .initContainer]
        ) {
            self.kinds = kinds
            self.apiGroups = apiGroups
            self.excludeKinds = excludeKinds
            self.containers = containers
        }

        /// True when `object` is in scope.
        public func includes(_ object: KubeObject) -> Bool {
            if excludeKinds.contains(object.kind) { return false }
            if let kinds, !kinds.contains(object.kind) { return false }
            if let apiGroups, !apiGroups.contains(object.apiGroup) { return false }
            return true
        }
    }

    /// Kebab-case id naming the flagged condition.
    public var id: String
    /// Category folder (`security`, `reliability`…).
    public var category: String
    /// Default severity.
    public var severity: Severity
    /// One-line description of what the rule flags.
    public var description: String
    /// What to do: a sentence ending with a period.
    public var remediation: String
    /// The predicate appended to the subject in messages (`runs as root`), when the check uses one.
    public var message: String?
    /// Longer help text (Markdown) for `rules show` and SARIF.
    public var help: String?
    /// Which objects and containers the rule visits.
    public var scope: Scope
    /// The registered check template's name (`Assert`, `RunAsRoot`…).
    public var check: String
    /// The check's parameters as written.
    public var params: ValueTree
    /// Whether the rule runs unless the config enables it.
    public var enabledByDefault: Bool
    /// Links to upstream documentation.
    public var references: [String]
    /// Equivalent checks in other linters (`polaris: runAsRootAllowed`), for the agreement script.
    public var equivalents: [String: [String]]
    /// Where the rule was defined.
    public var source: SourceLocation
    /// True for rules embedded in komply.
    public var isBuiltin: Bool
}
