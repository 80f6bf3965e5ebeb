import ArgumentParser
import KomplyCore

/// The root command: lists subcommands and nothing else.
struct Komply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "komply",
        abstract: "Turn compose files and docker inspect snapshots into production-grade Kubernetes manifests.",
        discussion: """
            Examples:
              komply sources fixtures/compose/shop            # what komply understood from a compose app
              komply sources app.inspect.json --format yaml   # a docker inspect snapshot in the same shape
              komply sources -f compose.yaml -f compose.prod.yaml --profile debug

            Exit status: 0 success, 1 findings or drift, 2 bad input or usage (with file:line:column).
            """,
        version: KomplyVersion.current,
        subcommands: [
            SourcesCommand.self, Generate.self, Images.self, Bench.self, Predict.self, History.self, BacktestCommand.self, Lint.self,
            Rules.self,
            Sync.self, Serve.self,
        ]
    )
}
