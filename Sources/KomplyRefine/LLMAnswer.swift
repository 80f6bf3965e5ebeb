import Foundation
import KomplyCore

/// What the model said, as text holding (or meant to hold) the patch JSON, with the exchange's figures.
public struct LLMAnswer: Sendable, Equatable {
    /// The answer's text (for Anthropic, the forced tool's input as JSON).
    public var text: String
    /// HTTP attempts made (1 without retries).
    public var attempts: Int
}

/// One provider's wire format: the request body for a prompt and the answer in a reply.
protocol ProviderWire: Sendable {
    /// The URL, headers and body for `prompt` asking for JSON following `schema`.
    func request(_ prompt: Prompt, schema: ValueTree, settings: RefineSettings) -> HTTPPost
    /// The answer's text in a 2xx reply's JSON, or why there is none.
    func answer(in reply: ValueTree) throws(RefineError) -> String
    /// Whether an error reply means the quota is gone (never retried).
    func isQuotaError(_ reply: ValueTree?) -> Bool
}

extension LLMProvider {
    /// The wire format of the provider.
    var wire: any ProviderWire {
        switch self {
        case .openai: return OpenAIWire()
        case .anthropic: return AnthropicWire()
        case .ollama: return OllamaWire()
        }
    }
}

/// `base` + `/` + `path`, with one slash between them.
func joinURL(_ base: String, _ path: String) -> String {
    var base = base
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/" + path
}

/// The JSON body as compact bytes with members in the order built (deterministic).
func jsonBody(_ tree: ValueTree) -> Data { JSONEmitter.emitData(tree, pretty: false) }
