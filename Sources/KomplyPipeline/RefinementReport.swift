import KomplyCore
import KomplyRefine

/// What LLM refinement did in one run: the server asked, and per service what was accepted and rejected.
public struct RefinementReport: Sendable, Equatable {
    /// `openai gpt-4o-mini at https://… (json_schema)`, never the key.
    public var settings: String
    /// One entry per service refined, in app then service order.
    public var services: [ServiceRefinement]

    /// The lines `komply generate` prints to standard error: a notice when there was no answer, each
    /// accepted change and each rejection with its reason.
    public var lines: [String] {
        var lines: [String] = []
        for service in services {
            let name = (service.file.map { "\($0): " } ?? "") + "\(service.app)/\(service.service)"
            if let problem = service.problem {
                lines.append("refine: \(name): no refinement (\(problem)); the deterministic draft stands")
                continue
            }
            let origin = service.source == .cache ? "replayed from the cache" : "answered in \(String(format: "%.1f", service.seconds)) s"
            lines.append(
                "refine: \(name): \(service.review.accepted.count) change(s) accepted, \(service.review.rejected.count) rejected (\(origin), key \(service.key.prefix(12)))"
            )
            for change in service.review.accepted {
                lines.append(
                    "refine: \(name): accepted \(change.operation.summary)\(change.operation.reason.isEmpty ? "" : " (\(change.operation.reason))")"
                )
            }
            for rejection in service.review.rejected { lines.append("refine: \(name): rejected \(rejection)") }
        }
        return lines
    }

    /// `{"settings","services":[{"app","service","source","key","accepted":[{"operation","reason"}],"rejected":[{"operation",
    /// "reason"}],"problem","attempts","seconds"}]}`: `source` is cache, server or none; `seconds` is 0 from the cache.
    public var jsonValue: ValueTree {
        .members([
            ("settings", .string(settings)),
            (
                "services",
                .array(
                    services.map { service in
                        .members([
                            ("app", .string(service.app)), ("service", .string(service.service)),
                            ("source", .string(service.source.rawValue)), ("key", .string(service.key)),
                            (
                                "accepted",
                                .array(
                                    service.review.accepted.map {
                                        .members([("operation", .string($0.operation.summary)), ("reason", .string($0.operation.reason))])
                                    })
                            ),
                            (
                                "rejected",
                                .array(
                                    service.review.rejected.map {
                                        .members([("operation", .string($0.operation)), ("reason", .string($0.reason))])
                                    })
                            ),
                            ("problem", service.problem.map(ValueTree.string) ?? .null), ("attempts", .int(service.attempts)),
                            ("seconds", .double((service.seconds * 1000).rounded() / 1000)),
                        ])
                    })
            ),
        ])
    }

    /// Whether any service had no answer because the server could not be used.
    public var hadProblems: Bool { services.contains { $0.problem != nil } }
}
