import ArgumentParser
import KomplyCore
import KomplyGit
import KomplyPipeline
import KomplyPredict

/// The flags `komply generate` and `komply sync` share: what to read, where to write, how to size.
struct GenerateOptions: ParsableArguments {
    @OptionGroup var input: InputOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output folder (default: komply.yaml's output, else deploy).")
    var output: String?

    @Option(name: .customLong("env"), help: "Only these environments from komply.yaml; repeatable.")
    var environments: [String] = []

    @Option(name: .customLong("config"), help: "The komply.yaml to use (default: found in the current folder or the repository root).")
    var config: String?

    @Option(name: .customLong("templates"), help: "A folder of <Kind>.yaml.mustache templates over the built-in ones.")
    var templates: String?

    @Option(name: .customLong("registry"), help: "Registry for build-only services (overrides komply.yaml).")
    var registry: String?

    @Option(help: "History file for sizing (default: predict.history in komply.yaml, else .komply/history.sqlite if present).")
    var history: String?

    @Option(help: "Sizing tier (default: from komply.yaml, else balanced).")
    var tier: Tier?

    @Flag(name: .customLong("no-predict"), help: "Size containers from role and runtime defaults instead of komply predict.")
    var noPredict = false

    /// The pipeline's request.
    var request: GenerateRequest {
        GenerateRequest(
            sources: input.sourceRequest, output: output, environments: environments, config: config, templates: templates,
            registry: registry, history: history, tier: tier, noPredict: noPredict)
    }
}

extension Tier: ExpressibleByArgument {}

extension CPULimitPolicy: ExpressibleByArgument {
    /// `none`, `2`, `2x` or `ratio:2`; anything else is a usage error.
    public init?(argument: String) { try? self.init(parsing: argument) }

    /// Completion offers `none` and common ratios.
    public static var defaultCompletionKind: CompletionKind { .list(["none", "1.5", "2", "4"]) }
}

/// `--pr github|gitea|gitlab`.
extension HostingKind: ExpressibleByArgument {}
