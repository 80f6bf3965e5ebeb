import Foundation
import ServiceLifecycle

/// The one background worker: takes jobs from the queue and runs them one at a time. On graceful
/// shutdown it finishes the running job, runs no other, and logs the jobs left waiting.
struct RegenerationWorker: Service {
    let queue: JobQueue
    let metrics: ServeMetrics
    let regenerate: Regenerate
    let log: @Sendable (String) -> Void
    let now: @Sendable () -> ContinuousClock.Instant

    func run() async {
        let queue = queue
        await withGracefulShutdownHandler {
            while let job = await queue.next() {
                await runOne(job)
                await queue.finish()
            }
        } onGracefulShutdown: {
            Task { await queue.close() }
        }
        for job in await queue.pending {
            log("shutting down: \(describe(job)) was not regenerated; redeliver delivery \(job.delivery) to run it")
        }
    }
}

private extension RegenerationWorker {
    func runOne(_ job: PushJob) async {
        let start = now()
        let outcome: ServeMetrics.Outcome
        let failure: String?
        do {
            try await regenerate(job)
            (outcome, failure) = (.success, nil)
        } catch {
            (outcome, failure) = (.failure, Self.reason(for: error))
        }
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
