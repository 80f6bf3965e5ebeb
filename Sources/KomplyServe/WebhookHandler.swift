import Foundation

/// The answer to one HTTP request: status, plain-text body, and when to retry.
public struct WebhookReply: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The plain-text body (one line, newline-terminated).
    public var body: String
    /// The `Retry-After` seconds, for a 503.
    public var retryAfter: Int?

    /// A reply with `status` and the one-line `message`.
    public init(status: Int, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.body = message + "\n"
        self.retryAfter = retryAfter
    }
}

/// Decides what a webhook delivery does, independent of HTTP plumbing: checks the signature, drops
/// replays, ignores what is not a branch push, and queues the rest. Logs one line per delivery.
public struct WebhookHandler: Sendable {
    /// The event header names, GitHub's first (Gitea sends it too).
    public static let eventHeaders = ["x-github-event", "x-gitea-event", "x-forgejo-event", "x-gogs-event"]
    /// The delivery id header names.
    public static let deliveryHeaders = ["x-github-delivery", "x-gitea-delivery", "x-forgejo-delivery", "x-gogs-delivery"]

    let signature: WebhookSignature
    let store: any ServeStore
    let metrics: ServeMetrics
    let configuration: ServeConfiguration
    let log: @Sendable (String) -> Void

    /// A handler sharing `store` (the replay log and the queue) and `metrics` with the server.
    public init(
        configuration: ServeConfiguration, store: any ServeStore, metrics: ServeMetrics, log: @escaping @Sendable (String) -> Void
    ) {
        self.signature = WebhookSignature(secret: configuration.secret)
        self.configuration = configuration
        self.store = store
        self.metrics = metrics
        self.log = log
    }

    /// A handler sharing `deliveries`, `queue` and `metrics` with the server (the in-memory store).
    public init(
        configuration: ServeConfiguration, deliveries: DeliveryLog, queue: JobQueue, metrics: ServeMetrics,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.init(configuration: configuration, store: MemoryServeStore(deliveries: deliveries, queue: queue), metrics: metrics, log: log)
    }

    /// Handles a delivery whose header names are lowercased.
    public func handle(headers: [String: String], body: Data) async -> WebhookReply {
        let delivery = Self.first(of: Self.deliveryHeaders, in: headers)
        let label = "delivery \(delivery.map(Self.printable) ?? "(no id)")"
        // Nothing about the request is trusted, or explained, before the signature checks out.
        guard signature.isValid(body: body, headers: headers) else {
            return await answer(
                .unauthorized, WebhookReply(status: 401, "unauthorized"), log: "\(label): refused, bad or missing signature")
        }
        guard let event = Self.first(of: Self.eventHeaders, in: headers) else {
            return await reject(ServeError.missingHeader("X-GitHub-Event (or X-Gitea-Event)"), label: label)
        }
        guard let delivery, Self.isValidDeliveryID(delivery) else {
            let error =
                delivery == nil
                ? ServeError.missingHeader("X-GitHub-Delivery (or X-Gitea-Delivery)")
                : ServeError.invalidField(
                    field: "delivery id", value: "\"\(Self.printable(delivery ?? ""))\"", expected: "at most 200 visible ASCII characters")
            return await reject(error, label: label)
        }
        let kind = Self.printable(event)
        let claimed: Bool
        do {
            claimed = try await store.claimDelivery(delivery)
        } catch {
            return await unavailable(error, label: "\(label) \(kind)")
        }
        guard claimed else {
            return await answer(
                .duplicate, WebhookReply(status: 200, "duplicate delivery ignored"), log: "\(label) \(kind): duplicate, ignored")
        }
        guard event == "push" else {
            let message =
                event == "ping"
                ? "pong: the webhook reaches komply; it acts on push events" : "ignored: komply acts on push events, not \(kind)"
            return await answer(.ignored, WebhookReply(status: 200, message), log: "\(label) \(kind): ignored")
        }
        let parsed: PushEvent.Parsed
        do {
            parsed = try PushEvent.parse(body, contentType: headers["content-type"])
        } catch {
            await release(delivery)
            return await reject(error, label: "\(label) push")
        }
        switch parsed {
        case .ignored(let reason):
            return await answer(.ignored, WebhookReply(status: 200, "ignored: \(reason)"), log: "\(label) push: ignored, \(reason)")
        case .branch(let push):
            if let allowed = configuration.repositories, !allowed.contains(push.repository.lowercased()) {
                let reason = "\(push.repository) is not a repository this server regenerates"
                return await answer(.ignored, WebhookReply(status: 200, "ignored: \(reason)"), log: "\(label) push: ignored, \(reason)")
            }
            let target = "\(push.repository) \(push.branch) at \(push.commit.prefix(12))"
            let outcome: JobQueue.Outcome
            do {
                outcome = try await store.enqueue(PushJob(push, delivery: delivery))
            } catch {
                await release(delivery)
                return await unavailable(error, label: "\(label) push \(target)")
            }
            switch outcome {
            case .queued(let depth, let behindRunning):
                let detail = behindRunning ? "queued behind the running regeneration of the branch" : "queued, \(depth) waiting"
                return await answer(
                    .accepted, WebhookReply(status: 202, "accepted: \(target), \(detail)"),
                    log: "\(label) push \(target): accepted, \(detail)")
            case .coalesced(let previous):
                let detail = "replaces \(previous.prefix(12)) in the waiting regeneration"
                return await answer(
                    .accepted, WebhookReply(status: 202, "accepted: \(target), \(detail)"),
                    log: "\(label) push \(target): accepted, \(detail)")
            case let outcome:
                await release(delivery)
                let reason =
                    outcome == .full
                    ? "the regeneration queue is full (\(store.capacity) branches waiting)" : "the server is shutting down"
                let reply = WebhookReply(
                    status: 503, "unavailable: \(reason); redeliver later", retryAfter: configuration.retryAfterSeconds)
                return await answer(.rejected, reply, log: "\(label) push \(target): refused, \(reason)")
            }
        }
    }

    /// The reply to a body over the limit (the HTTP layer stops reading it).
    public func tooLarge(headers: [String: String]) async -> WebhookReply {
        let delivery = Self.first(of: Self.deliveryHeaders, in: headers).map(Self.printable) ?? "(no id)"
        let error = ServeError.bodyTooLarge(limit: configuration.maxBodyBytes)
        return await answer(
            .rejected, WebhookReply(status: 413, error.localizedDescription),
            log: "delivery \(delivery): refused, body over \(configuration.maxBodyBytes) bytes")
    }
}

private extension WebhookHandler {
    func answer(_ result: ServeMetrics.DeliveryResult, _ reply: WebhookReply, log line: String) async -> WebhookReply {
        await metrics.record(result)
        log(line)
        return reply
    }

    /// Forgets a claimed id; a store that cannot is logged (the id then stays claimed until pruned).
    func release(_ delivery: String) async {
        do {
            try await store.releaseDelivery(delivery)
        } catch {
            log("delivery \(Self.printable(delivery)): cannot forget the id in \(store.description): \(error.localizedDescription)")
        }
    }

    /// A 503 for a store that cannot be reached: the host redelivers later.
    func unavailable(_ error: any Error, label: String) async -> WebhookReply {
        let reason = "the store \(store.description) is unavailable"
        let reply = WebhookReply(status: 503, "unavailable: \(reason); redeliver later", retryAfter: configuration.retryAfterSeconds)
        return await answer(.rejected, reply, log: "\(label): refused, \(reason): \(error.localizedDescription)")
    }

    func reject(_ error: any Error, label: String) async -> WebhookReply {
        let message = error.localizedDescription
        return await answer(.rejected, WebhookReply(status: 400, message), log: "\(label): refused, \(message)")
    }

    static func first(of names: [String], in headers: [String: String]) -> String? {
        names.lazy.compactMap { headers[$0] }.first { !$0.isEmpty }
    }

    static func isValidDeliveryID(_ id: String) -> Bool {
        id.utf8.count <= 200 && id.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f }
    }

    /// `text` cut to 80 characters with anything but visible ASCII replaced, for log lines.
    static func printable(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.prefix(80).map { $0.value > 0x20 && $0.value < 0x7f ? $0 : "?" }))
        return text.unicodeScalars.count > 80 ? cleaned + "…" : cleaned
    }
}
