import KomplyCore

/// Audits `komply.dev/ignore` annotations: `mode: invalid` flags entries without a rule id or a
/// reason, with a malformed date, naming an unknown rule, or naming a rule the config marks as not
/// suppressible; `mode: expired` flags entries past their `until` date (which stop working).
public struct SuppressionAuditCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// What to flag.
        public var mode: Mode
    }

    /// Modes.
    public enum Mode: String, Decodable, Sendable { case invalid, expired }

    public static let name = "SuppressionAudit"
    static let expired = "has a komply.dev/ignore entry for %@ that expired on %@ and no longer applies"
    static let unknown = "has a komply.dev/ignore entry for unknown rule %@"
    static let notSuppressible = "has a komply.dev/ignore entry for %@, which the config marks as not suppressible"
    static let malformed = "has a malformed komply.dev/ignore entry \"%@\": %@"
    let mode: Mode

    public init(parameters: Parameters) { mode = parameters.mode }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        var violations: [Violation] = []
        for pair in Suppression.annotationPairs(of: object) {
            let (suppressions, problems) = Suppression.parse(pair.value.scalar ?? "")
            func add(_ text: String) {
                violations.append(
                    Violation(
                        range: CheckSupport.range(pair), file: object.file, message: text, container: nil,
                        path: "metadata.annotations[\"\(Suppression.annotation)\"]", fix: nil))
            }
            switch mode {
            case .expired:
                for s in suppressions where !s.isActive(today: context.today) {
                    add(JVMHeapCheck.fill(Self.expired, [s.ruleID, s.expires ?? ""]))
                }
            case .invalid:
                for p in problems { add(JVMHeapCheck.fill(Self.malformed, [p.entry, p.problem])) }
                for s in suppressions {
                    if !context.settings.knownRules.isEmpty, !context.settings.knownRules.contains(s.ruleID) {
                        let hint = Suggestion.closest(to: s.ruleID, among: context.settings.knownRules).map { "; did you mean \($0)?" }
                        add(JVMHeapCheck.fill(Self.unknown, [s.ruleID]) + (hint ?? ""))
                    } else if context.settings.nonSuppressible.contains(s.ruleID) {
                        add(JVMHeapCheck.fill(Self.notSuppressible, [s.ruleID]))
                    }
                }
            }
        }
        return violations
    }
}
