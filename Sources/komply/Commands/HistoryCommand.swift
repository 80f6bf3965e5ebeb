import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline
import KomplyPredict

extension Komply {
    /// `komply history`: record deployments, observe usage, import and export the history file.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Keep the sizing history: deployments, usage samples, events (SQLite, exportable as JSON lines).",
            discussion: HelpText.paragraphs(
                """
                History is keyed by app (compose project), service and container; see docs/sizing.md, "Per-app history".

                Examples:
                  komply history import fixtures/history/measured/deployments.jsonl
                  komply history observe fixtures/inspect/shop-stack.stats.jsonl \\
                    --at 2026-11-20T10:00:00Z
                  komply history record app/ --env production --commit "$(git rev-parse HEAD)"
                  # JSON lines, stable order, for review in git
                  komply history export -o history.jsonl
                """),
            subcommands: [Record.self, Observe.self, Import.self, Export.self]
        )
    }
}

extension Komply.History {
    /// `komply history record`: record what was deployed.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a deployment of the given apps (declared resources, or komply's recommendation with --recommended).",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  komply history record fixtures/generate/web-db/input --env staging
                  komply history record app/ --recommended --env production --outcome healthy
                  # what komply generate -o deploy wrote, LLM changes marked llm
                  komply history record app/ --manifests deploy --env production
                """))

        @OptionGroup var input: InputOptions
        @OptionGroup var options: HistoryOptions

        @Option(name: .customLong("env"), help: "Environment deployed to.")
        var environment: String?
        @Option(help: "Cluster deployed to.")
        var cluster: String?
        @Option(help: "The git commit deployed.")
        var commit: String?
        @Option(help: "Outcome, once known (healthy, oom_killed, rolled_back…).")
        var outcome: String?
        @Flag(help: "Record komply's balanced recommendation as the deployed resources instead of the declared ones.")
        var recommended = false
        @Option(
            help: ArgumentHelp(
                "Record the resources in the manifests komply generate wrote to this folder, each container's source (llm, manual, deterministic) from komply's annotations.",
                valueName: "folder"))
        var manifests: String?

        func validate() throws {
            if recommended, manifests != nil {
                throw ValidationError("--recommended and --manifests both say what was deployed; give one")
            }
        }

        func run() async throws {
            // No paths: komply.yaml's sources, as its help and every other command say (it read the folder only).
            let (features, diagnostics) = try PredictInput.load(ProjectConfig.sources(input.sourceRequest, config: ProjectConfig.load()))
            Komply.report(diagnostics)
            let now = try HistoryLocation.now(options.now)
            let store = try options.open()
            let deployed = try manifests.map { folder throws in try DeployedManifests.read(folder: folder, environment: environment) }
            if let deployed, let folder = manifests {
                // A folder that is not what generate wrote for these apps would otherwise pass as recorded.
                let missing = features.filter { deployed.entry(app: $0.app, service: $0.service, container: $0.container) == nil }
                    .map { "\($0.app)/\($0.service)" + ($0.container == $0.service ? "" : " (container \($0.container))") }
                if !missing.isEmpty {
                    Komply.report([
                        Diagnostic(
                            .warning,
                            "\(folder) holds no manifest for \(missing.joined(separator: ", ")); recorded with the resources its sources declare",
                            at: nil)
                    ])
                }
            }
            let records = DeploymentRecording.records(
                for: features,
                context: .init(environment: environment, cluster: cluster, commit: commit, outcome: outcome, time: now),
                recommended: recommended, histories: recommended ? try store.serviceHistories() : [], manifests: deployed)
            try ImportOptions.write(HistoryBatch(deployments: records), to: store, now: now)
        }
    }

    /// `komply history observe`: add usage samples and events.
    struct Observe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add observed usage: CSV, docker stats, Prometheus query_range files, or a live Prometheus query.",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  komply history observe usage.csv
                  komply history observe shop.stats.jsonl --at 2026-11-20T10:00:00Z
                  komply history observe my-shop.stats.jsonl --app my-shop \\
                    --at 2026-11-20T10:00:00Z
                  komply history observe --prometheus-url http://127.0.0.1:9090 \\
                    --metric memory \\
                    --query 'container_memory_working_set_bytes{namespace="shop"}' \\
                    --start 2026-11-19T00:00:00Z --end 2026-11-20T00:00:00Z
                """))

        @Argument(help: "Usage files.")
        var files: [String] = []
        @OptionGroup var options: HistoryOptions
        @OptionGroup var importOptions: ImportOptions

        @Option(name: .customLong("prometheus-url"), help: "A Prometheus server to query (query_range).")
        var prometheusURL: String?
        @Option(help: "The PromQL query.")
        var query: String?
        @Option(help: "Query start, RFC 3339.")
        var start: String?
        @Option(help: "Query end, RFC 3339 (default: now).")
        var end: String?
        @Option(help: "Query step in seconds.")
        var step: Double = 60

        func validate() throws {
            if files.isEmpty, prometheusURL == nil {
                throw ValidationError("give usage files, or --prometheus-url with --query and --start")
            }
            if prometheusURL != nil, query == nil || start == nil { throw ValidationError("--prometheus-url needs --query and --start") }
        }

        func run() async throws {
            let now = try HistoryLocation.now(options.now)
            let prometheus = prometheusURL.map {
                HistoryIngest.PrometheusQuery(url: $0, query: query ?? "", start: start ?? "", end: end, step: step)
            }
            let batch = try await HistoryIngest.batch(
                files: files, importer: try importOptions.importer(), prometheus: prometheus, now: now)
            try ImportOptions.write(batch, to: try options.open(), now: now)
        }
    }

    /// `komply history import`: add anything komply can read.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import kubectl -o json dumps, docker inspect/stats snapshots, Prometheus responses, CSV or komply JSON lines.",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  komply history import fixtures/history/measured/events.jsonl
                  komply history import fixtures/inspect/shop-stack.inspect.json
                  # kubectl get pods -o json
                  komply history import pods.json --env production --cluster eu-1
                """))

        @Argument(help: "Files to import.")
        var files: [String]
        @OptionGroup var options: HistoryOptions
        @OptionGroup var importOptions: ImportOptions

        func run() async throws {
            let now = try HistoryLocation.now(options.now)
            let batch = try await HistoryIngest.batch(files: files, importer: try importOptions.importer(), now: now)
            try ImportOptions.write(batch, to: try options.open(), now: now)
        }
    }

    /// `komply history export`: the history as JSON lines.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the history as JSON lines (stable order, for review in git).",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  # the default history file, to standard output
                  komply history export
                  komply history export --history other.sqlite -o history.jsonl
                """))

        @OptionGroup var options: HistoryOptions
        @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
        var output: String?

        func run() async throws {
            let path = try options.path()
            guard HistoryStore.exists(at: path) else { throw CLIError(message: "\(path): no such history file") }
            let text = try HistoryStore.open(path: path).exportJSONLines()
            if let output {
                do {
                    // As every komply output: a FIFO or device is written through, never replaced by a file.
                    try AtomicWriter.write(Data(text.utf8), to: output)
                } catch {
                    throw CLIError(message: error.localizedDescription)
                }
            } else {
                print(text, terminator: "")
            }
        }
    }
}
