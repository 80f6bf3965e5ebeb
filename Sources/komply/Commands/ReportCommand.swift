import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline

extension Komply {
    /// `komply report`: one self-contained HTML file (and a JSON twin) a team reads.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write one self-contained HTML report: declared vs recommended vs observed CPU and memory, events, cost.",
            discussion: HelpText.paragraphs(
                """
                Per container of each app: what compose declares, what komply recommends and what the history
                observed (P50/P95/max per cluster and the local Docker host, charts over time with the request and
                limit lines), restarts, OOM kills and throttling, lint findings and drift; totals per app and cluster
                with a monthly cost from report.prices in komply.yaml. With environments in komply.yaml, each
                environment as its overlay renders (pods, autoscaler minimums, requests × resourceScale, namespace),
                with its totals and saving and the observed clusters matched to it; unmatched observations are listed.
                The file fetches nothing and is the same bytes for the same inputs. See docs/report.md.

                Examples:
                  komply report -o report.html --json report.json
                  komply report fixtures/generate/web-db/input -o report.html
                """))

        @OptionGroup var input: InputOptions
        @OptionGroup var options: HistoryOptions
        @Option(name: .shortAndLong, help: "Write the HTML here (atomically); default: standard output.")
        var output: String?
        @Option(help: "Also write the report as JSON here (atomically).")
        var json: String?

        func run() async throws {
            let config = try ProjectConfig.load()
            let (report, diagnostics) = try ReportFlow.report(
                sources: input.sourceRequest, config: config, history: options.history, now: try HistoryLocation.now(options.now))
            Komply.report(diagnostics)
            if let json { try Self.write(report.json(), to: json) }
            if let output {
                try Self.write(report.html(), to: output)
            } else {
                print(report.html(), terminator: "")
            }
        }

        /// Atomically, as every komply output: a FIFO or device (`-o /dev/stdout`) is written through, never
        /// replaced by a regular file (Foundation's atomic write renamed over it).
        static func write(_ text: String, to path: String) throws {
            do {
                try AtomicWriter.write(Data(text.utf8), to: path)
            } catch {
                throw CLIError(message: error.localizedDescription)
            }
        }
    }
}
