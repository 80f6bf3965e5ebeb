import Foundation
import KomplyCore

/// Ollama's native chat (`POST {url}/api/chat`): `format` carries the JSON schema, `options.num_ctx` the window.
struct OllamaWire: ProviderWire {
    func request(_ prompt: Prompt, schema: ValueTree, settings: RefineSettings) -> HTTPPost {
        let body: ValueTree = .members([
            ("model", .string(settings.model)),
            (
                "messages",
                .array([
                    .members([("role", .string("system")), ("content", .string(prompt.system))]),
                    .members([("role", .string("user")), ("content", .string(prompt.user))]),
                ])
            ),
            ("stream", .bool(false)),
            ("format", schema),
            (
                "options",
                .members([
                    ("num_ctx", .int(settings.config.contextTokens)), ("num_predict", .int(settings.config.maxTokens)),
                    ("temperature", .int(0)), ("seed", .int(0)),
                ])
            ),
        ])
        let headers = [HTTPPost.HTTPHeader("Content-Type", "application/json")]
        return HTTPPost(url: joinURL(settings.url, "api/chat"), headers: headers, body: jsonBody(body))
    }

    func answer(in reply: ValueTree) throws(RefineError) -> String {
        let provider = LLMProvider.ollama.displayName
        if reply["done_reason"]?.stringValue == "length" {
            throw .noAnswer(provider: provider, reason: "the answer was cut off (done_reason length; raise refine.maxTokens)")
        }
        guard let content = reply.value(at: "message", "content")?.stringValue, !content.isEmpty else {
            throw .noAnswer(provider: provider, reason: "the reply's message has no content")
        }
        return content
    }

    func isQuotaError(_ reply: ValueTree?) -> Bool { false }
}
