import Foundation
import KomplyCore

/// Anthropic Messages (`POST {url}/v1/messages`): the answer is forced through one tool whose
/// `input_schema` is the patch schema, so the tool's input is the patch.
struct AnthropicWire: ProviderWire {
    /// The tool the model must call.
    static let tool = "propose_patch"
    /// The API version header komply speaks.
    static let version = "2023-06-01"

    func request(_ prompt: Prompt, schema: ValueTree, settings: RefineSettings) -> HTTPPost {
        let body: ValueTree = .members([
            ("model", .string(settings.model)),
            ("max_tokens", .int(settings.config.maxTokens)),
            ("system", .string(prompt.system)),
            ("messages", .array([.members([("role", .string("user")), ("content", .string(prompt.user))])])),
            (
                "tools",
                .array([
                    .members([
                        ("name", .string(Self.tool)),
                        ("description", .string("Propose patch operations on the allow-listed paths, each with a reason.")),
                        ("input_schema", schema),
                    ])
                ])
            ),
            ("tool_choice", .members([("type", .string("tool")), ("name", .string(Self.tool))])),
        ])
        var headers = [
            HTTPPost.HTTPHeader("Content-Type", "application/json"), HTTPPost.HTTPHeader("anthropic-version", Self.version),
        ]
        if let key = settings.apiKey { headers.append(HTTPPost.HTTPHeader("x-api-key", key)) }
        var base = settings.url
        while base.hasSuffix("/") { base.removeLast() }
        // `--llm-url https://api.anthropic.com/v1` and `…/` both name the same server.
        let path = base.hasSuffix("/v1") ? "messages" : "v1/messages"
        return HTTPPost(url: joinURL(base, path), headers: headers, body: jsonBody(body))
    }

    func answer(in reply: ValueTree) throws(RefineError) -> String {
        let provider = LLMProvider.anthropic.displayName
        switch reply["stop_reason"]?.stringValue {
        case "max_tokens"?:
            throw .noAnswer(provider: provider, reason: "the answer was cut off (stop_reason max_tokens; raise refine.maxTokens)")
        case "refusal"?: throw .noAnswer(provider: provider, reason: "the model refused (stop_reason refusal)")
        default: break
        }
        for block in reply["content"]?.arrayItems ?? [] where block["type"]?.stringValue == "tool_use" {
            guard block["name"]?.stringValue == Self.tool, let input = block["input"] else { continue }
            return JSONEmitter.emit(input, pretty: false)
        }
        throw .noAnswer(provider: provider, reason: "the reply has no \(Self.tool) tool call")
    }

    func isQuotaError(_ reply: ValueTree?) -> Bool {
        // Anthropic reports an exhausted credit balance as a 400 invalid_request_error saying so.
        let message = reply?.value(at: "error", "message")?.stringValue ?? ""
        return message.lowercased().contains("credit balance")
    }
}
