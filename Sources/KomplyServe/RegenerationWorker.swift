import Foundation
import ServiceLifecycle

/// The one background worker of this process: takes jobs from the store and runs them one at a time,
/// renewing the store's claim on the running job as often as the store asks. On graceful shutdown it finishes the
/// running job, runs no other, and logs what the store leaves waiting. A store that cannot be reached is
/// logged and retried, waiting longer each time (up to 30 seconds).
struct RegenerationWorker: Service {
    let store: any ServeStore
    let metrics: ServeMetrics
    let regenerate: Regenerate
    let log: @Sendable (String) -> Void
    let now: @Sendable () -> ContinuousClock.Instant

    func run() async {
        let store = store
        await withGracefulShutdownHandler {
            var pause = Duration.milliseconds(250)
            while !Task.isCancelled {
                let job: PushJob?
                do {
                    job = try await store.next()
                    pause = .milliseconds(250)
                } catch {
                    log("cannot take the next job from \(store.description): \(Self.reason(for: error)); retrying in \(pause)")
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(30))
                    continue
                }
                guard let job else { break }
                let failure = await runOne(job)
                do {
                    try await store.finish(job, failure: failure)
                } catch {
                    log("cannot record the end of \(describe(job)) in \(store.description): \(Self.reason(for: error))")
                }
            }
        } onGracefulShutdown: {
            Task { await store.close() }
        }
        for line in await store.shutdownReport() { log(line) }
    }
}

private extension RegenerationWorker {
    /// Runs `job` while renewing its claim; returns the failure reason, nil on success.
    func runOne(_ job: PushJob) async -> String? {
        let start = now()
        let outcome: ServeMetrics.Outcome
        let failure: String?
        let renewing = Task { [store, log] in
            let renewal = store.renewal
            while !Task.isCancelled {
                try? await Task.sleep(for: renewal)
                guard !Task.isCancelled else { return }
                do {
                    if try await !store.renew(job) {
                        log("\(describe(job)): another replica took over the job (its claim had expired)")
                        return
                    }
                } catch {
                    log("cannot renew the claim on \(describe(job)) in \(store.description): \(Self.reason(for: error))")
                }
            }
        }
        do {
            try await regenerate(job)
            (outcome, failure) = (.success, nil)
        } catch {
            (outcome, failure) = (.failure, Self.reason(for: error))
        }
        renewing.cancel()
        let duration = now() - start
        await metrics.record(outcome, duration: duration)
        let covers = job.pushes > 1 ? " (\(job.pushes) pushes)" : ""
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let took = String(format: "%.2fs", seconds)
        if let failure {
            log("regeneration of \(describe(job))\(covers) failed after \(took): \(failure)")
        } else {
            log("regenerated \(describe(job))\(covers) in \(took)")
        }
        return failure
    }

    func describe(_ job: PushJob) -> String {
        "\(job.repository) \(job.branch) at \(job.commit.prefix(12))"
    }
}

extension RegenerationWorker {
    /// The longest failure reason logged, in characters.
    static let maxReasonLength = 2000

    /// Why a regeneration failed, for one log line: the error's own description (a type that has none is
    /// named with its value, never "The operation could not be completed"), with credentials in URLs
    /// masked, control characters shown as `?`, and cut to `maxReasonLength` characters.
    static func reason(for error: any Error) -> String {
        let text: String
        if let described = (error as? any LocalizedError)?.errorDescription, !described.isEmpty {
            text = described
        } else {
            text = "\(type(of: error)): \(String(describing: error))"
        }
        var cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { PushEvent.isInvisible($0) ? "?" : $0 }))
        cleaned = maskingCredentials(cleaned)
        return cleaned.count > maxReasonLength ? cleaned.prefix(maxReasonLength) + "…" : cleaned
    }

    /// `scheme://user:token@host` written as `scheme://***@host`: a fetch error may quote its remote URL.
    static func maskingCredentials(_ text: String) -> String {
        text.replacing(/(?<scheme>[A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\/\s@]+@/) { match in "\(match.output.scheme)***@" }
    }
}
