import KomplyCore

/// The recommendation card: every container's requests and limits with confidence, the warnings,
/// and the reasons folded away — Markdown for pull-request descriptions and comments.
public enum SizingCard {
    /// The card for `recommendations`, in the order given; "No containers." for none.
    public static func markdown(_ recommendations: [Recommendation]) -> String {
        let tiers = Set(recommendations.map(\.tier.rawValue)).sorted()
        var out = "#### komply sizing" + (tiers.isEmpty ? "" : " (tier \(tiers.joined(separator: ", ")))") + "\n\n"
        guard !recommendations.isEmpty else { return out + "No containers.\n" }
        out += "| container | cpu request | cpu limit | memory request | memory limit | confidence |\n"
        out += "|---|---|---|---|---|---|\n"
        for r in recommendations {
            out +=
                "| \(Markdown.code(name(r))) | \(r.cpuRequest) | \(r.cpuLimit?.description ?? "none") | \(r.memoryRequest) | \(r.memoryLimit) "
            out += "| \(JSONEmitter.number(r.confidence)) |\n"
        }
        let warnings = recommendations.flatMap { r in r.warnings.map { (r, $0) } }
        if !warnings.isEmpty {
            out += "\n"
            for (r, warning) in warnings {
                out += "- ⚠️ \(Markdown.code(name(r))) \(warning.code): \(Markdown.cell(warning.message))\n"
            }
        }
        out += "\n<details><summary>Why these numbers</summary>\n\n"
        for r in recommendations {
            out += Markdown.code(name(r)) + "\n"
            for reason in r.reasons { out += "- \(Markdown.cell(reason))\n" }
            out += "\n"
        }
        out += "</details>\n"
        return out
    }
}

private extension SizingCard {
    static func name(_ r: Recommendation) -> String {
        let base = "\(r.app)/\(r.service)"
        return r.container == r.service ? base : base + "/" + r.container
    }

}

extension SizingCard {
    /// `komply predict`'s text report: per container the numbers, warnings and reasons.
    public static func text(_ recommendations: [Recommendation]) -> String {
        recommendations.map(text).joined(separator: "\n")
    }

    /// `komply predict --format json`: `{"version": 1, "recommendations": [...]}`.
    public static func json(_ recommendations: [Recommendation]) -> String {
        JSONEmitter.emit(.members([("version", .int(1)), ("recommendations", .array(recommendations.map(\.valueTree)))]))
    }
}

private extension SizingCard {
    static func text(_ r: Recommendation) -> String {
        var out =
            "\(r.app)/\(r.service) container \(r.container): tier \(r.tier.rawValue), confidence \(JSONEmitter.number(r.confidence))\n"
        out +=
            "  cpu     request \(r.cpuRequest.description.padding(toLength: 8, withPad: " ", startingAt: 0)) limit \(r.cpuLimit?.description ?? "none")\n"
        out +=
            "  memory  request \(r.memoryRequest.description.padding(toLength: 8, withPad: " ", startingAt: 0)) limit \(r.memoryLimit)\n"
        for warning in r.warnings { out += "  warning [\(warning.code)]: \(warning.message)\n" }
        out += "  why:\n"
        for reason in r.reasons { out += "    - \(reason)\n" }
        return out
    }
}
