import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline
import KomplyPredict

extension Komply {
    /// `komply observe`: what every cluster's containers and the local Docker host used, into the history.
    struct ObserveClusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "observe",
            abstract: "Record what each cluster's containers used (Prometheus) and local docker stats, from where the last run stopped.",
            discussion: HelpText.paragraphs(
                """
                Per cluster: CPU, working-set memory, restarts, OOM kills and CPU throttling per container, each pod
                mapped to its workload through kube-state-metrics' owner series (pods deleted in the window included).
                Clusters come from komply.yaml (observe.clusters, with tokens from the environment variables named
                there) and --cluster. See docs/observe.md.

                Examples:
                  komply observe --cluster prod-eu=http://127.0.0.1:9090
                  komply observe --since 2w --history .komply/history.sqlite
                  # local containers, one snapshot
                  komply observe --docker-stats stats.jsonl
                """))

        @Option(name: .customLong("cluster"), help: "A cluster to observe, NAME=URL of its Prometheus (repeatable).")
        var clusters: [String] = []
        @Option(help: "How far back a cluster's first observation reads: 30m, 12h, 7d, 2w (default: observe.since, else 7d).")
        var since: String?
        @Option(name: .customLong("docker-stats"), help: "A docker stats JSON lines file, or - for standard input (repeatable).")
        var dockerStats: [String] = []
        @OptionGroup var options: HistoryOptions

        func run() async throws {
            let config = try ProjectConfig.load()
            var request = ObserveFlow.Request(
                historyPath: try HistoryLocation.resolve(options.history, config: config), now: try HistoryLocation.now(options.now),
                config: config, environment: ProcessInfo.processInfo.environment)
            request.clusterFlags = clusters
            request.since = since
            request.dockerStats = dockerStats
            if dockerStats.contains("-") { request.dockerStatsInput = FileHandle.standardInput.readDataToEndOfFile() }
            let report = try await ObserveFlow.run(request)
            for warning in report.warnings { FileHandle.standardError.write(Data("komply: warning: \(warning)\n".utf8)) }
            for source in report.sources { print(Self.describe(source)) }
            for note in report.sources.flatMap({ source in source.notes.map { "\(source.name): \($0)" } }) {
                FileHandle.standardError.write(Data("komply: note: \(note)\n".utf8))
            }
            for warning in report.sources.flatMap({ source in source.summary.dropped.map { "\(source.name): \($0)" } }) {
                FileHandle.standardError.write(Data("komply: warning: \(warning)\n".utf8))
            }
            guard report.failures.isEmpty else {
                throw CLIError(message: "could not observe:\n" + report.failures.map { "  \($0)" }.joined(separator: "\n"))
            }
        }

        static func describe(_ source: ObserveFlow.SourceReport) -> String {
            let recorded = "+\(source.summary.samples) sample(s), +\(source.summary.events) event(s)"
            guard let window = source.window else {
                return source.name.hasPrefix("docker stats")
                    ? "\(source.name): \(recorded)" : "\(source.name): nothing new since the last observation"
            }
            let series = source.series.keys.sorted().map { "\($0) \(source.series[$0]!)" }.joined(separator: ", ")
            return
                "\(source.name): \(Timestamp.format(window.start)) … \(Timestamp.format(window.end)) every \(JSONEmitter.number(window.step)) s; "
                + "series: \(series); \(source.mappedPods) pod(s) mapped to workloads; \(recorded)"
        }
    }
}
