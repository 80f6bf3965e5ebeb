import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// What regenerates one branch; injected so that the CLI can run `komply sync` and tests can count runs.
public typealias Regenerate = @Sendable (PushJob) async throws -> Void

/// The `komply serve` HTTP server: `POST /webhook` for GitHub and Gitea push deliveries, `GET /healthz`,
/// `GET /metrics`; one background worker runs the queued regenerations. SIGTERM and SIGINT stop it
/// gracefully: no new connections, in-flight requests answered, the running regeneration finished.
public struct WebhookServer: Sendable {
    /// The in-memory store's queue and replay log, when the server uses it (the default).
    public var memory: MemoryServeStore? { store as? MemoryServeStore }

    /// The settings the server was made with.
    public let configuration: ServeConfiguration
    /// Where the replay log and the regeneration queue live.
    public let store: any ServeStore
    /// The counters behind `/metrics`.
    public let metrics: ServeMetrics

    private let regenerate: Regenerate
    private let log: @Sendable (String) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant

    /// A server that calls `regenerate` for each queued job and writes one line per delivery and per
    /// regeneration with `log` (standard error by default); `now` times the regenerations.
    /// The in-memory store (`MemoryServeStore`) is used unless `store` names another.
    public init(
        configuration: ServeConfiguration, store: (any ServeStore)? = nil, regenerate: @escaping Regenerate,
        log: @escaping @Sendable (String) -> Void = WebhookServer.standardError,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.configuration = configuration
        self.store =
            store ?? MemoryServeStore(capacity: configuration.queueCapacity, rememberedDeliveries: configuration.rememberedDeliveries)
        self.metrics = ServeMetrics()
        self.regenerate = regenerate
        self.log = log
        self.now = now
    }

    /// Serves until SIGTERM or SIGINT (when `handlesSignals`), `shutdown.trigger()`, or cancellation;
    /// the first two shut down gracefully. `onListening` gets the bound port once connections are accepted.
    public func run(
        handlesSignals: Bool = true, shutdown: ShutdownTrigger? = nil, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try configuration.validate()
        var logger = Logger(label: "komply.serve", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        let listening = Flag()
        let worker = RegenerationWorker(store: store, metrics: metrics, regenerate: regenerate, log: log, now: now)
        let application = Application(
            router: makeRouter(),
            server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [deadlineHandler()])),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            services: [worker],
            onServerRunning: { channel in
                listening.set()
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application], gracefulShutdownSignals: handlesSignals ? [.sigterm, .sigint] : [], logger: logger))
        let watcher = Task {
            guard let shutdown else { return }
            await shutdown.wait()
            if !Task.isCancelled { await group.triggerGracefulShutdown() }
        }
        defer { watcher.cancel() }
        do {
            try await group.run()
        } catch {
            // A failure before the server listened is the bind; name the address.
            guard !listening.isSet else { throw error }
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            throw ServeError.cannotListen(address: "\(host):\(configuration.port)", detail: "\(error)")
        }
    }

    /// Writes `line` to standard error, prefixed with `komply: `.
    public static func standardError(_ line: String) {
        FileHandle.standardError.write(Data("komply: \(line)\n".utf8))
    }
}

/// Asks a running `WebhookServer` to shut down gracefully, as SIGTERM does.
public final class ShutdownTrigger: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// A trigger not yet pulled.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// Starts the graceful shutdown.
    public func trigger() {
        continuation.yield()
        continuation.finish()
    }

    /// Returns once `trigger()` was called (or the task is cancelled).
    func wait() async {
        for await _ in stream { return }
    }
}

extension WebhookServer {
    /// The routes; exposed to the module for tests that skip the network.
    func makeRouter() -> Router<BasicRequestContext> {
        let handler = WebhookHandler(configuration: configuration, store: store, metrics: metrics, log: log)
        let limit = configuration.maxBodyBytes
        let store = store
        let metrics = metrics
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in Self.response(WebhookReply(status: 200, "ok")) }
        router.get("/metrics") { _, _ in
            let status = await store.status()
            let text = await metrics.render(queueDepth: status.depth, queueCapacity: store.capacity, running: status.running)
            return Self.response(status: 200, text, contentType: ServeMetrics.contentType)
        }
        router.post("/webhook") { request, _ in
            var headers: [String: String] = [:]
            for field in request.headers where headers[field.name.canonicalName] == nil {
                headers[field.name.canonicalName] = field.value
            }
            // Refuse an announced oversize body before reading any of it; count the rest as it arrives.
            if let length = headers["content-length"].flatMap(Int.init), length > limit {
                return Self.response(await handler.tooLarge(headers: headers), close: true)
            }
            var body = Data()
            for try await buffer in request.body {
                guard body.count + buffer.readableBytes <= limit else {
                    return Self.response(await handler.tooLarge(headers: headers), close: true)
                }
                body.append(contentsOf: buffer.readableBytesView)
            }
            return Self.response(await handler.handle(headers: headers, body: body))
        }
        return router
    }
}

private extension WebhookServer {
    /// The per-connection read deadlines, logging and counting each connection they close (idle ones quietly).
    func deadlineHandler() -> RequestDeadlineHandler {
        let (configuration, log, metrics) = (configuration, log, metrics)
        return RequestDeadlineHandler(headerTimeout: configuration.headerTimeout, bodyTimeout: configuration.bodyTimeout) {
            phase, client in
            switch phase {
            case .idle: return
            case .header:
                log("connection from \(client) closed: the request header was not complete within \(configuration.headerTimeout)")
                Task { await metrics.record(.header) }
            case .body:
                log("connection from \(client) closed: the request body was not complete within \(configuration.bodyTimeout)")
                Task { await metrics.record(.body) }
            }
        }
    }

    /// Set once the server accepts connections, so that a failure before it can be named as a bind failure.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false

        var isSet: Bool { lock.withLock { value } }

        func set() { lock.withLock { value = true } }
    }

    static func response(_ reply: WebhookReply, close: Bool = false) -> Response {
        var response = response(status: reply.status, reply.body, contentType: "text/plain; charset=utf-8")
        if let seconds = reply.retryAfter { response.headers[.retryAfter] = String(seconds) }
        // The rest of an oversize body is never read, so the connection cannot be reused.
        if close { response.headers[.connection] = "close" }
        return response
    }

    static func response(status: Int, _ text: String, contentType: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
