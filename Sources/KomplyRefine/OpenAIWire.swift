import Foundation
import KomplyCore

/// OpenAI Chat Completions (`POST {url}/chat/completions`), with the structured-output dialect of the server.
struct OpenAIWire: ProviderWire {
    func request(_ prompt: Prompt, schema: ValueTree, settings: RefineSettings) -> HTTPPost {
        var members: [(String, ValueTree?)] = [
            ("model", .string(settings.model)),
            (
                "messages",
                .array([
                    .members([("role", .string("system")), ("content", .string(prompt.system))]),
                    .members([("role", .string("user")), ("content", .string(prompt.user))]),
                ])
            ),
            ("temperature", .int(0)),
            ("max_tokens", .int(settings.config.maxTokens)),
            ("stream", .bool(false)),
        ]
        switch settings.dialect {
        case .jsonSchema:
            members.append(
                (
                    "response_format",
                    .members([
                        ("type", .string("json_schema")),
                        (
                            "json_schema",
                            .members([("name", .string(PatchSchema.name)), ("strict", .bool(true)), ("schema", schema)])
                        ),
                    ])
                ))
        case .jsonObject:
            // llama-cpp-python's server reads the schema next to the type; OpenAI's spec has no such member.
            members.append(("response_format", .members([("type", .string("json_object")), ("schema", schema)])))
        case .none:
            break
        }
        var headers = [HTTPPost.HTTPHeader("Content-Type", "application/json"), HTTPPost.HTTPHeader("Accept", "application/json")]
        if let key = settings.apiKey { headers.append(HTTPPost.HTTPHeader("Authorization", "Bearer \(key)")) }
        return HTTPPost(url: joinURL(settings.url, "chat/completions"), headers: headers, body: jsonBody(.members(members)))
    }

    func answer(in reply: ValueTree) throws(RefineError) -> String {
        let provider = LLMProvider.openai.displayName
        guard let choice = reply["choices"]?.arrayItems?.first else {
            throw .noAnswer(provider: provider, reason: "the reply has no choices")
        }
        switch choice["finish_reason"]?.stringValue {
        case "length"?: throw .noAnswer(provider: provider, reason: "the answer was cut off (finish_reason length; raise refine.maxTokens)")
        case "content_filter"?: throw .noAnswer(provider: provider, reason: "the answer was filtered (finish_reason content_filter)")
        default: break
        }
        if let refusal = choice.value(at: "message", "refusal")?.stringValue, !refusal.isEmpty {
            throw .noAnswer(provider: provider, reason: "the model refused (\(AnswerSecrets.printable(String(refusal.prefix(200)))))")
        }
        guard let content = choice.value(at: "message", "content")?.stringValue, !content.isEmpty else {
            throw .noAnswer(provider: provider, reason: "the reply's message has no content")
        }
        return content
    }

    func isQuotaError(_ reply: ValueTree?) -> Bool {
        reply?.value(at: "error", "code")?.stringValue == "insufficient_quota"
            || reply?.value(at: "error", "type")?.stringValue == "insufficient_quota"
    }
}
