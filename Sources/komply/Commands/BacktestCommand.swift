import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline
import KomplyPredict

extension Komply {
    /// `komply backtest`: how well each sizing strategy would have done on a history.
    struct BacktestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backtest",
            abstract: "Replay a history: fit on the earlier window, evaluate komply's tiers, the VPA formula, KRR and the declared values.",
            discussion: HelpText.paragraphs(
                """
                With more than one sizing source in the history (deterministic, llm, manual: who chose
                each recorded deployment's resources), a second table compares what each source
                deployed with the usage that followed; see docs/sizing.md, "Does the LLM help?".

                Examples:
                  # the measured fixture history
                  komply backtest fixtures/history/measured
                  komply backtest --history .komply/history.sqlite --fit 0.5 --format json
                  # deterministic vs LLM-adjusted deployments
                  komply backtest fixtures/history/feedback
                """)
        )

        /// Output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Argument(help: "History files or folders (.jsonl, .csv, …) to replay instead of the history file.")
        var paths: [String] = []

        @Option(help: "The history file, when no paths are given.")
        var history: String?

        @Option(help: "Fraction of the time span used for fitting, 0 < f < 1 (default: 2/3; the rest is evaluated).")
        var fit: Double?

        @Option(
            name: .customLong("cpu-limit"), help: "CPU limits for komply's tiers: none, or a ratio of at least 1 such as 2 (default: none)."
        )
        var cpuLimit: CPULimitPolicy?

        @Flag(help: "Also print each service's observed usage and every strategy's requests.")
        var details = false

        @Option(help: "Output format.")
        var format: Format = .text

        func validate() throws {
            if let fit, !(fit > 0 && fit < 1) { throw ValidationError("--fit must be between 0 and 1, not \(fit)") }
        }

        func run() async throws {
            // komply.yaml is checked whole even when --history or PATHs make its history path unused.
            let config = try ProjectConfig.load()
            let report = try { () throws -> BacktestReport in
                var batch = HistoryBatch()
                var label = ""
                if paths.isEmpty {
                    let path = try HistoryLocation.resolve(history, config: config)
                    guard HistoryStore.exists(at: path) else {
                        throw PredictError.unreadable(file: path, reason: "no such history file")
                    }
                    let store = try HistoryStore.open(path: path)
                    batch = HistoryBatch(deployments: try store.deployments(), samples: try store.samples(), events: try store.events())
                    label = path
                } else {
                    for file in try Self.expand(paths) { batch.append(try HistoryImporter().read(path: file)) }
                    label = paths.joined(separator: ", ")
                }
                return try Backtest(fitFraction: fit ?? 2.0 / 3.0, cpuLimit: cpuLimit ?? CPULimitPolicy.none).run(batch, file: label)
            }()
            switch format {
            case .text: print(report.text(details: details), terminator: "")
            case .json: print(JSONEmitter.emit(report.valueTree), terminator: "")
            }
        }

        /// Folders become their .jsonl and .csv files, sorted.
        static func expand(_ paths: [String]) throws(PredictError) -> [String] {
            var files: [String] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw .unreadable(file: path, reason: "no such file or folder")
                }
                if isDirectory.boolValue {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                    files += names.filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".csv") }.sorted().map {
                        (path as NSString).appendingPathComponent($0)
                    }
                } else {
                    files.append(path)
                }
            }
            return files
        }
    }
}
