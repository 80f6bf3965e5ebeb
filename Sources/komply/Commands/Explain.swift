import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline

extension Komply {
    /// `komply explain`: the recommendation card of every service, from the generation `komply generate` runs.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each service's recommendation card: type, resources and why, availability, security, probes, traffic.",
            discussion: HelpText.paragraphs(
                """
                Runs the same generation as `komply generate` (LLM refinement included when a provider is set,
                replayed from .komply/llm-cache when it can be) and writes nothing. Per service the card
                shows the workload kind, role and runtime with their evidence; requests and limits with
                the recommender's reasons, marked deterministic or llm-adjusted; the similar services of
                the history store; replicas, HPA bounds and the PodDisruptionBudget; uid, root filesystem,
                capabilities, the namespace's Pod Security level and accepted risks with their expiry;
                each probe and where it came from; the traffic edges in and out; and the confidence.
                Objects are read as the environment's overlay renders them (--env; default: the first
                environment of komply.yaml). `komply sync --pr` puts the same card in the pull request.

                Examples:
                  komply explain fixtures/generate/web-db/input
                  komply explain fixtures/generate/web-db/input --format json
                  # one environment's overlay of komply.yaml's sources
                  komply explain --env prod
                """)
        )

        @OptionGroup var options: GenerateOptions

        @OptionGroup(title: "LLM refinement") var llm: LLMFlags

        @Option(help: "What to print: the card as Markdown (for people and pull requests) or as JSON (docs/llm.md).")
        var format: ExplainFormat = .markdown

        @OptionGroup var verbosity: VerbosityOptions

        /// `--format`.
        enum ExplainFormat: String, CaseIterable, ExpressibleByArgument { case markdown, json }

        func validate() throws {
            if options.environments.count > 1 { throw ValidationError("komply explain reads one environment; pass one --env") }
        }

        func run() async throws {
            let pipeline = try await GeneratePipeline.run(options.request).refined(
                llm.options, templates: options.templates, history: options.history)
            let console = verbosity.console
            pipeline.result.notices.forEach(console.report)
            for line in pipeline.refinement?.lines ?? [] { console.status(line) }
            pipeline.failures.forEach { console.error("\($0)") }
            let card = try ExplainCard.make(pipeline, environment: options.environments.first, history: options.history)
            switch format {
            case .markdown: print(ExplainMarkdownRenderer().render(card), terminator: "")
            case .json: print(ExplainJSONRenderer().render(card), terminator: "")
            }
            if !pipeline.failures.isEmpty { throw ExitCode(2) }
        }
    }
}
