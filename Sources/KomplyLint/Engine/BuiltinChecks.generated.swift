// GENERATED FILE. DO NOT EDIT.
// scripts/generate writes it from Sources/KomplyLint/Checks/*Check.swift (one check template per file).

/// The check templates komply ships.
extension CheckRegistry {
    /// Every built-in check template.
    public static let builtin: CheckRegistry = {
        var registry = CheckRegistry()
        registry.register(AssertCheck.self)
        registry.register(CapabilitiesCheck.self)
        registry.register(ClusterAdminBindingCheck.self)
        registry.register(DanglingSelectorCheck.self)
        registry.register(DefaultDenyNetworkPolicyCheck.self)
        registry.register(DeprecatedAPICheck.self)
        registry.register(DuplicateEnvCheck.self)
        registry.register(ImageTagCheck.self)
        registry.register(JVMHeapCheck.self)
        registry.register(NetworkPolicyCoverageCheck.self)
        registry.register(PodDisruptionBudgetCheck.self)
        registry.register(PrivilegedPortCheck.self)
        registry.register(ProbeCheck.self)
        registry.register(ProbePortCheck.self)
        registry.register(RBACRuleCheck.self)
        registry.register(RequestsWithinLimitsCheck.self)
        registry.register(RunAsRootCheck.self)
        registry.register(ScaleTargetCheck.self)
        registry.register(SeccompProfileCheck.self)
        registry.register(SecretValueCheck.self)
        registry.register(ServiceAccountReferenceCheck.self)
        registry.register(ServiceAccountTokenCheck.self)
        registry.register(SpreadCheck.self)
        registry.register(SuppressionAuditCheck.self)
        registry.register(WorkloadSelectorCheck.self)
        return registry
    }()
}
