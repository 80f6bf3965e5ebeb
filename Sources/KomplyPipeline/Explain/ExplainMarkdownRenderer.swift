import KomplyCore

/// `komply explain --format markdown` (the default) and the pull-request body's sizing section: one section per
/// service, safe for GitHub-flavoured Markdown.
public struct ExplainMarkdownRenderer: Sendable {
    /// The heading level of each service (`####` in a pull-request body).
    public var heading: String

    /// Creates a renderer.
    public init(heading: String = "###") { self.heading = heading }

    /// The card as Markdown.
    public func render(_ card: ExplainCard) -> String {
        var out = "\(heading) komply recommendation card (environment \(Markdown.code(card.environment)), sizing \(card.sizingProfile))\n\n"
        if let refinement = card.refinement {
            out += "Refined by \(Markdown.cell(refinement)); the engine kept only allow-listed, in-bounds changes.\n\n"
        }
        guard !card.services.isEmpty else { return out + "No services.\n" }
        for service in card.services { out += section(service) }
        return out
    }
}

private extension ExplainMarkdownRenderer {
    func section(_ s: ExplainCard.ServiceCard) -> String {
        var out = "\(heading)# \(Markdown.code("\(s.app)/\(s.service)"))"
        out += s.confidence.map { " — confidence \(JSONEmitter.number($0))" } ?? ""
        out += "\n\n"
        out += "- **Type**: \(s.kind.value) (\(Markdown.cell(s.kind.evidence)))"
        if let role = s.role { out += "; role \(role.value) (\(Markdown.cell(role.evidence)))" }
        if let runtime = s.runtime { out += "; runtime \(runtime.value) (\(Markdown.cell(runtime.evidence)))" }
        out += "\n"
        let a = s.availability
        var availability: [String] = []
        if let replicas = a.replicas { availability.append("\(replicas) replica(s)") }
        if let min = a.minReplicas, let max = a.maxReplicas {
            availability.append("HPA \(min)–\(max)\(a.targets.isEmpty ? "" : " on \(a.targets.joined(separator: ", "))")")
        }
        availability.append(a.disruptionBudget.map { "PDB \($0)" } ?? "no PDB")
        out += "- **Availability**: \(availability.joined(separator: "; "))\n"
        let sec = s.security
        var security = [sec.runAsUser.map { "uid \($0)" } ?? "uid from the image"]
        security.append(sec.runAsNonRoot ? "non-root" : "may run as root")
        security.append(sec.readOnlyRootFilesystem ? "read-only root filesystem" : "writable root filesystem")
        if sec.allowPrivilegeEscalation { security.append("privilege escalation allowed") }
        if !sec.capabilitiesDropped.isEmpty { security.append("drops \(sec.capabilitiesDropped.joined(separator: ", "))") }
        if !sec.capabilitiesAdded.isEmpty { security.append("adds \(sec.capabilitiesAdded.joined(separator: ", "))") }
        security.append("Pod Security \(sec.podSecurityLevel ?? "not labelled")")
        out += "- **Security**: \(security.joined(separator: "; "))\n"
        for risk in sec.acceptedRisks {
            out += "  - accepted risk \(Markdown.code(risk.rule))\(risk.container.map { " (container \($0))" } ?? ""): "
            out += "\(Markdown.cell(risk.reason))\(risk.expires.map { ", expires \($0)" } ?? ", no expiry")\n"
        }
        out += "- **Traffic in**: \(s.inbound.isEmpty ? "none" : s.inbound.map(Markdown.cell).joined(separator: "; "))\n"
        out += "- **Traffic out**: \(s.outbound.isEmpty ? "DNS only" : s.outbound.map(Markdown.cell).joined(separator: "; "))\n"
        if s.health.isEmpty {
            out += "- **Health checks**: none\n"
        } else {
            out += "- **Health checks**:\n"
            for probe in s.health {
                out += "  - \(probe.type) \(Markdown.code(probe.handler)) (\(Markdown.cell(probe.origin)))\n"
            }
        }
        out += "\n| container | cpu request | cpu limit | memory request | memory limit | source |\n|---|---|---|---|---|---|\n"
        for r in s.resources {
            out += "| \(Markdown.code(r.container)) | \(r.cpuRequest ?? "none") | \(r.cpuLimit ?? "none") | \(r.memoryRequest ?? "none") "
            out += "| \(r.memoryLimit ?? "none") | \(r.source) |\n"
        }
        out += "\n<details><summary>Why these resources</summary>\n\n"
        for r in s.resources {
            for reason in r.reasons { out += "- \(Markdown.code(r.container)): \(Markdown.cell(reason))\n" }
        }
        out += s.similar.isEmpty ? "- no similar services in the history store\n" : ""
        for example in s.similar { out += "- similar: \(Markdown.cell(example))\n" }
        out += "\n</details>\n\n"
        return out
    }
}
