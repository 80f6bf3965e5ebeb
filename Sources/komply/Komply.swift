import ArgumentParser
import KomplyCore

/// The root command: lists subcommands and nothing else.
struct Komply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "komply",
        abstract: "Turn compose files and docker inspect snapshots into production-grade Kubernetes manifests.",
        discussion: HelpText.paragraphs(
            """
            The daily loop: `generate` writes the kustomize tree (base, overlays,
            Argo CD) from your compose apps, `lint` holds it and any other manifests
            to policy, and `sync` commits it to a branch and pull request that
            Argo CD deploys once merged.

            Examples (the paths exist in komply's repository):
              komply generate fixtures/generate/web-db/input --dry-run
              komply lint fixtures/lint/clean       # findings at file:line:column
              komply sync --push --pr github        # commit, push, open a PR
              komply sources fixtures/generate/web-db/input --format yaml
              komply predict fixtures/inspect/payment-api.inspect.json

            Exit status: 0 success, 1 findings or drift, 2 bad input or usage
            (with file:line:column).
            """),
        version: KomplyVersion.current + " (" + (buildCommit.map { "commit \($0)" } ?? "unknown commit") + ")",
        subcommands: [
            Generate.self, Lint.self, Sync.self, Explain.self, Images.self, SourcesCommand.self, Predict.self, History.self,
            BacktestCommand.self,
            Rules.self, Serve.self, ObserveClusters.self, Report.self, Bench.self,
        ]
    )
}
