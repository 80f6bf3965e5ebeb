import ArgumentParser
import Foundation
import KomplyCore
import KomplyGenerate
import KomplyGit
import KomplyPipeline
import KomplyPredict

extension Komply {
    /// `komply sync`: generate, then commit the generated tree onto a branch (and push, and open a PR).
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate, then commit the manifests onto a branch without touching the worktree or index.",
            discussion: HelpText.paragraphs(
                """
                The branch (default komply/<app>, one per app) starts at --base (default: the checked-out
                branch) and gets one commit per run whose tree is its parent's with the output folder's
                komply-written files replaced; no commit when nothing changed. Commits carry provenance
                trailers (Komply-Version, Komply-Input-Digest, Komply-Rules-Digest, Komply-Sizing-Profile);
                a branch whose tip lacks Komply-Version was not made by komply and is never moved.

                --push pushes over HTTPS with a token from KOMPLY_GIT_TOKEN (or GITHUB_TOKEN, GITEA_TOKEN,
                GITLAB_TOKEN; user name from KOMPLY_GIT_USERNAME) or over SSH with the agent.
                --pr opens one pull request per branch, or updates the one already open.

                Examples:
                  # commit onto komply/<app> locally
                  komply sync
                  komply sync --push --remote origin
                  komply sync --push --pr github --base main
                  # generate from a revision, not the worktree
                  komply sync --ref origin/main --base main
                """)
        )

        @OptionGroup var options: GenerateOptions

        @OptionGroup(title: "LLM refinement") var llm: LLMFlags

        @Option(help: "The branch to commit to (default: komply/<app>, one per app); all apps go to it.")
        var branch: String?

        @Option(help: "What a pull request targets, and where a new branch starts without --ref (default: the checked-out branch).")
        var base: String?

        @Option(help: "Generate from the sources at this commit, branch or tag instead of the worktree (nothing is checked out).")
        var ref: String?

        @Option(help: "The remote to push to (a name or URL; default origin).")
        var remote: String?

        @Flag(help: "Push the branch to the remote (never forced).")
        var push = false

        @Option(help: "Open or update a pull request on this kind of host (implies --push; the API and token are checked first).")
        var pr: HostingKind?

        @Option(
            name: .customLong("api-url"),
            help: "The hosting API's base URL (default from the remote URL; for example https://api.github.com).")
        var apiURL: String?

        @Option(
            help:
                "What to print on standard output: a JSON report of branches, commits, pushes and pull requests (docs/gitops.md), or by default nothing (progress goes to standard error)."
        )
        var format: SyncFormat = .text

        @OptionGroup var verbosity: VerbosityOptions

        /// `--format`.
        enum SyncFormat: String, CaseIterable, ExpressibleByArgument { case text, json }

        func validate() throws {
            if let branch, branch.isEmpty || branch.hasPrefix("-") || branch.contains("..") || branch.contains(" ") {
                throw ValidationError("--branch \"\(branch)\" is not a valid branch name; expected something like komply/shop")
            }
        }

        func run() async throws {
            let request = SyncRequest(
                generate: options.request, branch: branch, base: base, ref: ref, remote: remote, push: push, pullRequestHost: pr,
                apiURL: apiURL, llm: llm.options)
            let console = verbosity.console
            let report = try await SyncFlow.run(
                request, from: FileManager.default.currentDirectoryPath, notify: { if format == .text { console.report($0) } },
                say: { console.status($0) })
            if format == .json { print(report.json, terminator: "") }
            if !report.failures.isEmpty { throw PipelineError.appsNotSynced(report.failures) }
        }
    }
}
