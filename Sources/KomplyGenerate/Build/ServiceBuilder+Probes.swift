import Foundation
import KomplyCore

// Startup, liveness and readiness probes.
extension ServiceBuilder {
    /// Startup, liveness and readiness probes, from the healthcheck first, then what the image is known to serve.
    mutating func probes() -> [(String, ValueTree)] {
        guard kind.hasProbes else { return [] }
        if let reason = options.probesDisabledReason {
            ignoreProbes("x-komply.probes.disable: \(reason)")
            return []
        }
        let ports = context.ports[service.name] ?? []
        if let check = service.healthcheck {
            if check.disable || check.test?.first == "NONE" {
                ignoreProbes("compose disables the healthcheck")
                notice(.warning, "compose disables the healthcheck, so the pod has no probes")
                return []
            }
            if let test = check.test, let handler = execHandler(test) {
                let period = max(1, (check.interval ?? ComposeDuration(nanoseconds: 30_000_000_000)).secondsRoundedUp)
                let timeout = max(1, (check.timeout ?? ComposeDuration(nanoseconds: 30_000_000_000)).secondsRoundedUp)
                let retries = max(1, check.retries ?? 3)
                return timedProbes(
                    handler, period: period, timeout: timeout, retries: retries, startPeriod: check.startPeriod,
                    startInterval: check.startInterval)
            }
        }
        if let path = options.probePath {
            let port = options.probePort ?? ports.first?.port
            guard let port else {
                // A person's mistake, not a decision: lint keeps reporting until x-komply.probes.port or an acceptance.
                risk(
                    Self.probeRules,
                    because: "x-komply.probes.path is set but no port is known (set x-komply.probes.port), so no probe is written",
                    at: "x-komply.probes")
                return []
            }
            return timedProbes(httpHandler(path, port), period: 10, timeout: 3, retries: 3, startPeriod: nil, startInterval: nil)
        }
        if let profile = classification.profile, let command = profile.probeCommand,
            probeCommandShipped(profile, command: command)
        {
            return timedProbes(
                .members([("exec", .members([("command", .array(command.map(ValueTree.string)))]))]),
                period: 10, timeout: 5, retries: 3, startPeriod: ComposeDuration(nanoseconds: 60_000_000_000), startInterval: nil)
        }
        if let path = classification.profile?.healthPath, let port = ports.first?.port {
            return timedProbes(
                httpHandler(path, port), period: 10, timeout: 3, retries: 3, startPeriod: ComposeDuration(nanoseconds: 60_000_000_000),
                startInterval: nil)
        }
        if let port = ports.first(where: { $0.proto.lowercased() == "tcp" }) {
            return timedProbes(
                .members([("tcpSocket", .members([("port", .string(port.name))]))]), period: 10, timeout: 3, retries: 3,
                startPeriod: ComposeDuration(nanoseconds: 60_000_000_000), startInterval: nil)
        }
        // Not recorded as accepted: only a person accepts running without probes (DESIGN: no suppression a human did
        // not write). The warning shows the healthcheck to add or the x-komply.accept block.
        risk(
            Self.probeRules,
            because:
                "no healthcheck and no TCP port: komply cannot infer a probe that works, so none is written (add a healthcheck to the compose service)"
        )
        return []
    }
}

private extension ServiceBuilder {
    /// Whether the image's version ships the profile's probe command; when it does not (or komply cannot tell), says
    /// so: the probe falls back to the port.
    mutating func probeCommandShipped(_ profile: ImageProfile, command: [String]) -> Bool {
        let availability = ImageKnowledge.probeCommandAvailability(profile, image: classification.image?.value)
        if !availability.ships {
            notice(.info, Self.probeCommandMissing(command.joined(separator: " "), availability.reason))
        }
        return availability.ships
    }

    /// The image's version may not ship the command its family is probed with.
    static func probeCommandMissing(_ command: String, _ reason: String) -> String {
        "probe \(command) not used: \(reason); a TCP probe on the port instead (add a compose healthcheck to choose)"
    }

    /// The rules a pod without probes breaks.
    static let probeRules = ["missing-liveness-probe", "missing-readiness-probe"]

    /// Records that the probe rules do not apply, with the reason (a person's `x-komply.probes.disable` or compose's
    /// disabled healthcheck).
    mutating func ignoreProbes(_ reason: String) {
        ignores.append(Suppression(ruleID: "missing-liveness-probe", reason: reason))
        ignores.append(Suppression(ruleID: "missing-readiness-probe", reason: reason))
    }

    /// An exec handler for a healthcheck `test` (`CMD` argv, `CMD-SHELL` through `sh -c`), nil for other forms.
    func execHandler(_ test: [String]) -> ValueTree? {
        guard let first = test.first else { return nil }
        let argv: [String]
        let variables = secretArguments
        switch first {
        case "CMD" where test.contains(where: SecretTaint.isTainted):
            // Kubernetes does not expand `$(VAR)` in probe commands: a shell reads the secret from the environment.
            let words = test.dropFirst().map { SecretReferences.quotedWord($0, variables: variables) }
            argv = ["sh", "-c", "exec " + words.joined(separator: " ")]
        case "CMD": argv = Array(test.dropFirst())
        case "CMD-SHELL": argv = ["sh", "-c", SecretReferences.script(test.dropFirst().joined(separator: " "), variables: variables)]
        default: return nil
        }
        guard !argv.isEmpty else { return nil }
        return .members([("exec", .members([("command", .array(argv.map(ValueTree.string)))]))])
    }

    /// An HTTP GET handler on a port.
    func httpHandler(_ path: String, _ port: Int) -> ValueTree {
        .members([("httpGet", .members([("path", .string(path)), ("port", .int(port))]))])
    }

    /// Readiness every period with compose's retries; liveness more tolerant; a startup probe covers the start period.
    func timedProbes(
        _ handler: ValueTree, period: Int, timeout: Int, retries: Int, startPeriod: ComposeDuration?,
        startInterval: ComposeDuration?
    ) -> [(String, ValueTree)] {
        func probe(_ extra: [(String, ValueTree?)]) -> ValueTree {
            guard case .object(let members) = handler else { return handler }
            return .object(members + ValueTree.members(extra).objectMembers!)
        }
        var result: [(String, ValueTree)] = []
        if let startPeriod, startPeriod.nanoseconds > 0 {
            let interval = max(1, startInterval?.secondsRoundedUp ?? min(period, 10))
            let threshold = max(1, (startPeriod.secondsRoundedUp + interval - 1) / interval) + retries
            result.append(
                (
                    "startupProbe",
                    probe([
                        ("periodSeconds", .int(interval)), ("timeoutSeconds", .int(timeout)), ("failureThreshold", .int(threshold)),
                    ])
                ))
        }
        result.append(
            (
                "livenessProbe",
                probe([
                    ("periodSeconds", .int(period)), ("timeoutSeconds", .int(timeout)), ("failureThreshold", .int(retries + 2)),
                ])
            ))
        result.append(
            (
                "readinessProbe",
                probe([
                    ("periodSeconds", .int(period)), ("timeoutSeconds", .int(timeout)), ("failureThreshold", .int(retries)),
                ])
            ))
        return result
    }
}
