import ArgumentParser
import KomplyRefine

/// `--llm*`: optional LLM refinement of the generated manifests (docs/llm.md).
struct LLMFlags: ParsableArguments {
    @Option(
        name: .customLong("llm"),
        help: "Refine with an LLM provider; openai also covers compatible servers (default: komply.yaml's refine.provider).")
    var provider: LLMProvider?

    @Option(name: .customLong("llm-url"), help: "The model server's base URL (default: refine.url, else the provider's).")
    var url: String?

    @Option(name: .customLong("llm-model"), help: "The model (default: refine.model, else the provider's).")
    var model: String?

    @Option(
        name: .customLong("llm-dialect"),
        help: "How an OpenAI-compatible server is asked for structured output (see docs/llm.md, Dialects).")
    var dialect: StructuredOutputDialect?

    @Flag(name: .customLong("llm-refresh"), help: "Ask the server even when the replay cache (.komply/llm-cache) has the answer.")
    var refresh = false

    @Flag(name: .customLong("llm-offline"), help: "Answer only from the replay cache; a missing entry is an error (exit 2).")
    var offline = false

    @Flag(name: .customLong("no-llm"), help: "No LLM refinement, even when komply.yaml configures it.")
    var disabled = false

    func validate() throws {
        if refresh && offline { throw ValidationError("--llm-refresh and --llm-offline cannot be combined") }
        if disabled && provider != nil { throw ValidationError("--no-llm and --llm cannot be combined") }
        if let url, !RefineConfig.checkURL(url) {
            throw ValidationError("--llm-url must be an http:// or https:// URL with a host and no query, not \(url)")
        }
    }

    /// The refinement options the pipeline takes.
    var options: LLMOptions {
        LLMOptions(provider: provider, url: url, model: model, dialect: dialect, refresh: refresh, offline: offline, disabled: disabled)
    }
}

extension LLMProvider: ExpressibleByArgument {}
extension StructuredOutputDialect: ExpressibleByArgument {}
