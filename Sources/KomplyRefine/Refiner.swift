import Foundation
import KomplyCore

/// What refinement did for one service: where the answer came from, what was accepted and rejected, why.
public struct ServiceRefinement: Sendable, Hashable {
    /// Where the answer came from.
    public enum Source: String, Sendable, Hashable {
        /// The replay cache.
        case cache
        /// The server (and it was recorded).
        case server
        /// No answer (unreachable, no answer, unparseable): the draft stands.
        case none
    }

    /// The app.
    public var app: String
    /// The service.
    public var service: String
    /// The replay-cache key of the prompt.
    public var key: String
    /// Where the answer came from.
    public var source: Source
    /// The review of the proposal (empty when there was none).
    public var review: PatchReview
    /// The model's rationale.
    public var rationale: String
    /// Why there is no answer, when there is none.
    public var problem: String?
    /// HTTP attempts made (0 from the cache).
    public var attempts: Int
    /// Seconds the server took, 0 from the cache.
    public var seconds: Double
    /// The server cannot be used at all (unreachable, no key, no quota): later services skip it.
    public var serverUnusable = false
    /// The manifest file the workload was read from (`komply lint --fix`); nil for generated services.
    public var file: String?

    /// A service that was not asked about, and why (`problem`).
    public init(app: String, service: String, file: String? = nil, problem: String) {
        self.init(
            app: app, service: service, key: "", source: .none, review: PatchReview(accepted: [], rejected: []), rationale: "",
            problem: problem, attempts: 0, seconds: 0)
        self.file = file
    }

    init(
        app: String, service: String, key: String, source: Source, review: PatchReview, rationale: String, problem: String?, attempts: Int,
        seconds: Double
    ) {
        self.app = app
        self.service = service
        self.key = key
        self.source = source
        self.review = review
        self.rationale = rationale
        self.problem = problem
        self.attempts = attempts
        self.seconds = seconds
    }
}

/// Refines one service at a time: prompt, replay cache, server, parse, validate. Never throws for a server
/// that is down or talks nonsense (the draft stands, with a notice); throws only for `--llm-offline` misses
/// and broken cache files, which are the user's input.
public struct Refiner: Sendable {
    /// The resolved settings.
    public var settings: RefineSettings
    /// The server client.
    public var client: LLMClient
    /// The replay cache.
    public var cache: ReplayCache
    /// The prompt builder.
    public var prompts: PromptBuilder
    /// The validator.
    public var validator: PatchValidator

    /// A refiner for `settings`.
    public init(settings: RefineSettings, client: LLMClient, prompts: PromptBuilder) {
        self.settings = settings
        self.client = client
        self.cache = ReplayCache(directory: settings.cacheDirectory)
        self.prompts = prompts
        self.validator = PatchValidator(resourceFactor: settings.config.resourceFactor)
    }

    /// Refines `draft`; `skipServer` (after the server was found unreachable) answers from the cache only.
    public func refine(_ draft: ServiceDraft, service: ComposeService?, examples: [String] = [], skipServer: Bool = false)
        async throws(RefineError)
        -> ServiceRefinement
    {
        let prompt = prompts.prompt(for: draft, service: service, examples: examples)
        let key = ReplayCache.key(prompt, settings: settings)
        var outcome = ServiceRefinement(
            app: draft.app, service: draft.service, key: key, source: .none, review: PatchReview(accepted: [], rejected: []), rationale: "",
            problem: nil, attempts: 0, seconds: 0)
        var text: String?
        if !settings.refresh, let cached = try cache.answer(for: key) {
            outcome.source = .cache
            // An entry written by hand or by an older komply is scanned as a fresh answer is.
            if let leak = AnswerSecrets.leak(in: cached) {
                outcome.problem = "the cached answer \(cache.path(for: key)) was discarded: \(leak); delete the file"
                return outcome
            }
            text = cached
        } else if settings.offline {
            throw .cacheMiss(key: key, path: cache.path(for: key))
        } else if skipServer {
            outcome.problem = "skipped: the server was not reachable for an earlier service"
            return outcome
        } else {
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                let answer = try await client.ask(prompt, seed: UInt64(key.prefix(16), radix: 16) ?? 0)
                outcome.attempts = answer.attempts
                outcome.source = .server
                // The cache is committed: an answer echoing a credential is neither stored, applied nor printed.
                if let leak = AnswerSecrets.leak(in: answer.text) {
                    outcome.problem = "the answer was discarded and not cached: \(leak)"
                } else {
                    text = answer.text
                    try cache.record(answer.text, for: key, settings: settings)
                }
            } catch {
                outcome.problem = error.localizedDescription
                switch error {
                case .unreachable, .missingAPIKey, .quotaExhausted: outcome.serverUnusable = true
                default: break
                }
            }
            outcome.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
        guard let text else { return outcome }
        guard let proposal = PatchProposal.parse(text) else {
            outcome.problem = "the answer holds no JSON object with an operations list"
            return outcome
        }
        outcome.rationale = proposal.rationale
        outcome.review = validator.review(proposal, draft: draft)
        return outcome
    }
}
