/// The wire protocols komply speaks to a model server.
public enum LLMProvider: String, Sendable, Hashable, CaseIterable, Codable {
    /// OpenAI Chat Completions and the servers that copy it (vLLM, llama.cpp, llama-cpp-python, LM Studio, Ollama `/v1`).
    case openai
    /// Anthropic Messages, with the answer forced through a tool's `input_schema`.
    case anthropic
    /// Ollama's native `/api/chat`, with `format` as the JSON schema.
    case ollama

    /// The server used when neither `--llm-url` nor `refine.url` names one.
    public var defaultURL: String {
        switch self {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com"
        case .ollama: return "http://127.0.0.1:11434"
        }
    }

    /// The model used when neither `--llm-model` nor `refine.model` names one.
    public var defaultModel: String {
        switch self {
        case .openai: return "gpt-4o-mini"
        case .anthropic: return "claude-haiku-4-5"
        case .ollama: return "qwen2.5:3b"
        }
    }

    /// The environment variable the API key is read from unless `refine.apiKeyEnv` names another.
    public var defaultKeyVariable: String? {
        switch self {
        case .openai: return "OPENAI_API_KEY"
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .ollama: return nil
        }
    }

    /// How messages name the provider ("OpenAI-compatible server").
    public var displayName: String {
        switch self {
        case .openai: return "OpenAI-compatible server"
        case .anthropic: return "Anthropic"
        case .ollama: return "Ollama"
        }
    }
}

/// How an OpenAI-compatible server is asked for JSON that follows the patch schema.
public enum StructuredOutputDialect: String, Sendable, Hashable, CaseIterable, Codable {
    /// `response_format: {type: json_schema, json_schema: {name, strict: true, schema}}` (OpenAI, vLLM, LM Studio, llama.cpp).
    case jsonSchema = "json_schema"
    /// `response_format: {type: json_object, schema}` (llama-cpp-python's server).
    case jsonObject = "json_object"
    /// No `response_format`: the schema is in the prompt and the JSON is found in the reply's text.
    case none
}
