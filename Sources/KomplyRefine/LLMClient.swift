import Foundation
import KomplyCore

/// Asks a model server once per prompt: size limits, timeouts, bounded retries with backoff and
/// jitter on 429 and 5xx (honouring `Retry-After`), no retry on an exhausted quota.
public struct LLMClient: Sendable {
    /// Provider, model, URL, limits.
    public var settings: RefineSettings
    /// The HTTP transport (AsyncHTTPClient unless a test replaces it).
    public var transport: any HTTPTransport
    /// Waits between retries (`Task.sleep` unless a test replaces it).
    public var sleep: @Sendable (Double) async -> Void

    /// A client for `settings`.
    public init(
        settings: RefineSettings, transport: any HTTPTransport = AsyncHTTPTransport(),
        sleep: @escaping @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(for: .seconds(seconds)) }
    ) {
        self.settings = settings
        self.transport = transport
        self.sleep = sleep
    }

    /// The request body `prompt` makes (what the cache key and tests see).
    public func request(for prompt: Prompt) -> HTTPPost {
        settings.provider.wire.request(prompt, schema: PatchSchema.schema(for: settings), settings: settings)
    }

    /// The model's answer to `prompt`; `seed` makes the jitter of this call reproducible.
    public func ask(_ prompt: Prompt, seed: UInt64) async throws(RefineError) -> LLMAnswer {
        if let variable = settings.missingKeyVariable { throw .missingAPIKey(variable: variable, provider: settings.provider.displayName) }
        let wire = settings.provider.wire
        let post = wire.request(prompt, schema: PatchSchema.schema(for: settings), settings: settings)
        let limit = settings.config.maxRequestBytes
        guard post.body.count <= limit else { throw .requestTooLarge(bytes: post.body.count, limit: limit) }
        let policy = RetryPolicy(maxRetries: settings.config.maxRetries)
        var random = SeededRandom(seed: seed)
        var attempt = 0
        while true {
            attempt += 1
            let retryable: RefineError
            var retryAfter: Double?
            do {
                let reply = try await transport.post(
                    post, timeoutSeconds: settings.config.timeoutSeconds, maxResponseBytes: settings.config.maxResponseBytes)
                let json = JSONValue.parse(reply.body)
                switch reply.status {
                case 200..<300:
                    guard let json else {
                        throw RefineError.noAnswer(provider: settings.provider.displayName, reason: "the reply is not JSON")
                    }
                    return LLMAnswer(text: try wire.answer(in: json), attempts: attempt)
                case 429, 500...599:
                    if wire.isQuotaError(json) { throw RefineError.quotaExhausted(url: settings.url, detail: Self.detail(json)) }
                    retryAfter = RetryPolicy.retryAfter(reply.headers["retry-after"])
                    retryable = .httpStatus(url: settings.url, status: reply.status, detail: Self.detail(json))
                default:
                    if wire.isQuotaError(json) { throw RefineError.quotaExhausted(url: settings.url, detail: Self.detail(json)) }
                    throw RefineError.httpStatus(url: settings.url, status: reply.status, detail: Self.detail(json))
                }
            } catch let error as RefineError {
                throw error
            } catch let failure as TransportFailure {
                switch failure {
                case .tooLarge(let limit): throw .responseTooLarge(url: settings.url, limit: limit)
                case .timedOut(let seconds): retryable = .unreachable(url: settings.url, reason: "no answer within \(seconds) s")
                case .failed(let reason): retryable = .unreachable(url: settings.url, reason: reason)
                }
            } catch {
                throw .unreachable(url: settings.url, reason: error.localizedDescription)
            }
            guard attempt <= policy.maxRetries, let wait = policy.delay(retry: attempt - 1, retryAfter: retryAfter, random: &random) else {
                throw retryable
            }
            await sleep(wait)
        }
    }
}

private extension LLMClient {
    /// The error message a server put in its JSON body (`error.message`), shortened; never the request.
    static func detail(_ json: ValueTree?) -> String {
        let message = json?.value(at: "error", "message")?.stringValue ?? json?["error"]?.stringValue ?? ""
        return AnswerSecrets.printable(String(message.prefix(300)))
    }
}
