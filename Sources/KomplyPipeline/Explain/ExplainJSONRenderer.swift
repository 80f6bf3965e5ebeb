import KomplyCore

/// `komply explain --format json`: `{"version": 1, "environment", "sizingProfile", "refinement", "services": [...]}`.
public struct ExplainJSONRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// The card as pretty JSON.
    public func render(_ card: ExplainCard) -> String {
        JSONEmitter.emit(
            .members([
                ("version", .int(1)), ("environment", .string(card.environment)), ("sizingProfile", .string(card.sizingProfile)),
                ("refinement", card.refinement.map(ValueTree.string) ?? .null), ("services", .array(card.services.map(service))),
            ]))
    }
}

private extension ExplainJSONRenderer {
    func service(_ s: ExplainCard.ServiceCard) -> ValueTree {
        let a = s.availability
        let sec = s.security
        return .members([
            ("app", .string(s.app)), ("service", .string(s.service)), ("kind", fact(s.kind)), ("role", s.role.map(fact) ?? .null),
            ("runtime", s.runtime.map(fact) ?? .null),
            (
                "resources",
                .array(
                    s.resources.map { r in
                        .members([
                            ("container", .string(r.container)), ("cpuRequest", optional(r.cpuRequest)), ("cpuLimit", optional(r.cpuLimit)),
                            ("memoryRequest", optional(r.memoryRequest)), ("memoryLimit", optional(r.memoryLimit)),
                            ("source", .string(r.source)), ("reasons", strings(r.reasons)),
                        ])
                    })
            ),
            ("similar", strings(s.similar)),
            (
                "availability",
                .members([
                    ("replicas", a.replicas.map(ValueTree.int) ?? .null), ("minReplicas", a.minReplicas.map(ValueTree.int) ?? .null),
                    ("maxReplicas", a.maxReplicas.map(ValueTree.int) ?? .null), ("targets", strings(a.targets)),
                    ("disruptionBudget", optional(a.disruptionBudget)),
                ])
            ),
            (
                "security",
                .members([
                    ("runAsUser", sec.runAsUser.map(ValueTree.int) ?? .null), ("runAsNonRoot", .bool(sec.runAsNonRoot)),
                    ("readOnlyRootFilesystem", .bool(sec.readOnlyRootFilesystem)),
                    ("allowPrivilegeEscalation", .bool(sec.allowPrivilegeEscalation)),
                    ("capabilitiesDropped", strings(sec.capabilitiesDropped)), ("capabilitiesAdded", strings(sec.capabilitiesAdded)),
                    ("podSecurityLevel", optional(sec.podSecurityLevel)),
                    (
                        "acceptedRisks",
                        .array(
                            sec.acceptedRisks.map { risk in
                                .members([
                                    ("rule", .string(risk.rule)), ("container", optional(risk.container)), ("reason", .string(risk.reason)),
                                    ("expires", optional(risk.expires)),
                                ])
                            })
                    ),
                ])
            ),
            (
                "health",
                .array(
                    s.health.map { probe in
                        .members([
                            ("container", .string(probe.container)), ("type", .string(probe.type)), ("handler", .string(probe.handler)),
                            ("origin", .string(probe.origin)),
                        ])
                    })
            ),
            ("traffic", .members([("inbound", strings(s.inbound)), ("outbound", strings(s.outbound))])),
            ("confidence", s.confidence.map(ValueTree.double) ?? .null),
        ])
    }

    func fact(_ fact: ExplainCard.Fact) -> ValueTree {
        .members([("value", .string(fact.value)), ("evidence", .string(fact.evidence))])
    }

    func optional(_ text: String?) -> ValueTree { text.map(ValueTree.string) ?? .null }

    func strings(_ items: [String]) -> ValueTree { .array(items.map(ValueTree.string)) }
}
