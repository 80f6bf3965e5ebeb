import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline
import KomplyPredict

extension Komply {
    /// `komply predict`: CPU and memory requests and limits per container, with confidence and reasons.
    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "predict",
            abstract: "Recommend CPU and memory requests and limits per container, with confidence, reasons and warnings.",
            discussion: HelpText.paragraphs(
                """
                Evidence, strongest first: the service's own usage history, similar services in history (named in the
                reasons), local docker stats, runtime flags (-Xmx, MaxRAMPercentage, --max-old-space-size, GOMAXPROCS,
                worker counts), the image family. See docs/sizing.md for every formula.

                Without PATH or -f, the apps are komply.yaml's sources (else the compose files of the current folder).

                Examples:
                  komply predict                                   # komply.yaml's sources
                  komply predict fixtures/inspect/payment-api.inspect.json
                  komply predict app/ --history .komply/history.sqlite --tier performance
                """)
        )

        /// Output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

        @OptionGroup var input: InputOptions

        @Option(help: "The history file (default: predict.history in komply.yaml, else .komply/history.sqlite).")
        var history: String?

        @Option(help: "Sizing tier (default: the tier komply.yaml gives --env, else balanced).")
        var tier: Tier?

        @Option(name: .customLong("env"), help: "Environment whose tier komply.yaml's predict.tiers sets.")
        var environment: String?

        @Option(name: .customLong("cpu-limit"), help: "CPU limits: none, or a ratio of at least 1 to the request such as 2.")
        var cpuLimit: CPULimitPolicy?

        @Option(help: "Output format (markdown: the recommendation card for pull requests).")
        var format: Format = .text

        @Option(help: "The time to treat as now (RFC 3339), for reproducible runs; default KOMPLY_NOW or the clock.")
        var now: String?

        func run() async throws {
            // Sizing reads stored profiles and does not depend on "now", but a bad time is still bad input.
            _ = try HistoryLocation.now(now)
            let config = try ProjectConfig.load()
            let (features, diagnostics) = try PredictInput.load(ProjectConfig.sources(input.sourceRequest, config: config))
            Komply.report(diagnostics)
            let recommender = try PredictInput.recommender(
                config: config, history: history, tier: tier, environment: environment,
                cpuLimit: cpuLimit)
            let recommendations = features.map(recommender.recommend)
            switch format {
            case .json: print(SizingCard.json(recommendations), terminator: "")
            case .markdown: print(SizingCard.markdown(recommendations), terminator: "")
            case .text: print(SizingCard.text(recommendations), terminator: "")
            }
        }
    }
}
