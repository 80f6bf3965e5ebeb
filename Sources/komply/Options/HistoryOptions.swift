import ArgumentParser
import KomplyPipeline
import KomplyPredict

/// Flags every history subcommand shares.
struct HistoryOptions: ParsableArguments {
    @Option(help: "The history file (default: predict.history in komply.yaml, else .komply/history.sqlite).")
    var history: String?

    @Option(help: "The time to treat as now (RFC 3339); default KOMPLY_NOW or the clock.")
    var now: String?

    /// The history file: `--history`, else komply.yaml's (the file validated whole, as every command does).
    func path() throws -> String {
        try HistoryLocation.resolve(history, config: ProjectConfig.load())
    }

    func open() throws -> HistoryStore {
        try HistoryStore.open(path: path())
    }
}
