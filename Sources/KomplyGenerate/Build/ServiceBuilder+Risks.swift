import KomplyCore

// Risks compose asks for (root, privileged, capabilities, mutable image tags): kept visible to `komply lint`
// unless a person accepted them in `x-komply.accept` with a reason and an expiry date.
extension ServiceBuilder {
    /// Records a risk compose asks for: the rules in `ruleIDs` are suppressed only where `x-komply.accept`
    /// accepts them (and `policy.nonSuppressible` allows it); otherwise a warning shows the block that would.
    mutating func risk(_ ruleIDs: [String], because what: String, at key: String? = nil) {
        var unaccepted: [String] = []
        for rule in ruleIDs {
            acceptedRisks.insert(rule)
            guard let accepted = options.accept[rule] else {
                unaccepted.append(rule)
                continue
            }
            suppress(rule, accepted: accepted, by: "x-komply.accept.\(rule)")
        }
        guard !unaccepted.isEmpty else { return }
        let block = unaccepted.map { "\($0): {reason: \"<why>\", expires: <YYYY-MM-DD>}" }.joined(separator: ", ")
        let forbidden = unaccepted.filter { context.settings.nonSuppressible.contains($0) }
        output.notices.append(
            Diagnostic(
                .warning,
                "service \(service.name): \(what); komply lint reports \(unaccepted.joined(separator: ", "))"
                    + (forbidden.count == unaccepted.count
                        ? " (policy.nonSuppressible: it cannot be accepted)"
                        : " until a person accepts the risk: x-komply: {accept: {\(block)}}"),
                at: key.flatMap { service.komply.positions[$0] } ?? location))
    }

    /// Records a person's acceptance of `rule` as a `komply.dev/ignore` entry, unless `policy.nonSuppressible`
    /// forbids it (then a warning names the `x-komply` entry `key` and lint keeps reporting the rule).
    mutating func suppress(_ rule: String, accepted: ServiceOptions.Acceptance, by key: String) {
        guard !context.settings.nonSuppressible.contains(rule) else {
            notice(
                .warning, "\(key): policy.nonSuppressible forbids accepting \(rule); no suppression is written and komply lint reports it")
            return
        }
        ignores.append(Suppression(ruleID: rule, reason: accepted.reason, expires: accepted.expires))
        if let today = context.settings.today, accepted.expires < today {
            notice(
                .warning,
                "\(key) expired on \(accepted.expires): komply lint reports \(rule) again; fix the risk, or renew the acceptance with a new expiry and the reason it still holds",
                at: "x-komply.accept")
        }
    }

    /// Warns about `x-komply.accept` entries that accept a risk this service does not take.
    mutating func unusedAcceptances() {
        for rule in options.accept.keys.sorted() where !acceptedRisks.contains(rule) {
            notice(.warning, "x-komply.accept.\(rule) accepts nothing: compose asks for no such risk here (remove the entry)")
        }
    }
}
