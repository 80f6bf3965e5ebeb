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
            discussion: """
                The branch (default komply/<app>, one per app) starts at --base (default: the checked-out
                branch) and gets one commit per run whose tree is its parent's with the output folder's
                komply-written files replaced; no commit when nothing changed. Commits carry provenance
                trailers (Komply-Version, Komply-Input-Digest, Komply-Rules-Digest, Komply-Sizing-Profile);
                a branch whose tip lacks Komply-Version was not made by komply and is never moved.

                --push pushes over HTTPS with a token from KOMPLY_GIT_TOKEN (or GITHUB_TOKEN, GITEA_TOKEN,
                GITLAB_TOKEN; user name from KOMPLY_GIT_USERNAME) or over SSH with the agent.
                --pr opens one pull request per branch, or updates the one already open.

                Examples:
                  komply sync                                 # commit onto komply/<app> locally
                  komply sync --push --remote origin
                  komply sync --push --pr github --base main
                  komply sync --ref origin/main --base main   # generate from a revision, not the worktree
                """
        )

        @OptionGroup var options: GenerateOptions

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

        @Option(help: "Open or update a pull request: github, gitea or gitlab (implies --push).")
        var pr: PullRequestHost?

        @Option(
            name: .customLong("api-url"),
            help: "The hosting API's base URL (default from the remote URL; for example https://api.github.com).")
        var apiURL: String?

        func validate() throws {
            if let branch, branch.isEmpty || branch.hasPrefix("-") || branch.contains("..") || branch.contains(" ") {
                throw ValidationError("--branch \"\(branch)\" is not a valid branch name; expected something like komply/shop")
            }
        }

        func run() async throws {
            let repository = try GitRepository.discover(from: FileManager.default.currentDirectoryPath)
            guard repository.workdir != nil else {
                throw CLIError(message: "\(repository.gitDirectory): a bare repository; expected a checkout to read the apps from")
            }
            var request = options.request
            if let ref {
                _ = try repository.commitID(ref)
                // History is evidence about the running system, not a source: keep reading the worktree's file.
                let history = try HistoryLocation.resolve(options.history)
                if FileManager.default.fileExists(atPath: history) {
                    request.history = URL(fileURLWithPath: history).standardizedFileURL.path
                }
            }
            let (generation, folder) = try SourceSnapshot.run(ref.map { .revision($0) } ?? .worktree, repository: repository) { root in
                var generation = try SyncGeneration.run(request)
                let folder = try Self.repositoryPath(of: generation.outputDirectory, in: root)
                try generation.lint(folder: folder)
                return (generation, folder)
            }
            for notice in generation.notices {
                FileHandle.standardError.write(Data("komply: \(notice)\n".utf8))
            }
            let startPoint = base ?? repository.headBranch ?? "HEAD"
            // From a revision, a new branch starts at that commit: its diff then shows only what generation changed,
            // even when the local base branch is behind (komply serve fetches into remote-tracking refs only).
            let branchStart = try ref.map { try repository.commitID($0) } ?? startPoint
            let remoteName = remote ?? "origin"
            let publishes = push || pr != nil
            let credentials = GitCredentials.fromEnvironment()
            let apps = generation.apps
            guard !apps.isEmpty else { throw CLIError(message: "nothing was generated; expected at least one app") }
            let groups: [(branch: String, apps: [(app: String, files: [String: Data])])] =
                branch.map { [($0, apps)] } ?? apps.map { ("komply/" + $0.app, [$0]) }

            let pullRequests = pr.map { PullRequestPublisher(host: $0, apiURL: apiURL) }
            for group in groups {
                let folders = group.apps.map { app in
                    GeneratedFolder(folder: folder.isEmpty ? app.app : folder + "/" + app.app, files: app.files) { data in
                        OutputTree.ownedByKomply(String(decoding: data.prefix(512), as: UTF8.self))
                    }
                }
                let names = group.apps.map(\.app).joined(separator: ", ")
                let remoteTip = publishes ? try repository.fetch(branch: group.branch, from: remoteName, credentials: credentials) : nil
                let message = CommitMessage.make(
                    subject: "komply: regenerate \(names)",
                    body: "Generated by komply sync from \(ref ?? startPoint) into \(folder.isEmpty ? "." : folder)/.",
                    trailers: generation.trailers)
                let outcome = try repository.commit(
                    folders, onto: group.branch, startPoint: branchStart, remoteTip: remoteTip, message: message)
                let exists = try repository.commitIDIfPresent("refs/heads/" + group.branch) != nil
                switch outcome {
                case .committed(let commit, _):
                    Self.say("committed \(commit.prefix(12)) on \(group.branch) (\(names))")
                case .unchanged:
                    Self.say(
                        exists
                            ? "\(group.branch) is up to date; no commit"
                            : "\(names): nothing differs from \(ref ?? startPoint); no branch created")
                }
                guard publishes, exists, let tip = try repository.commitIDIfPresent("refs/heads/" + group.branch) else { continue }
                if tip != remoteTip {
                    try repository.push(branch: group.branch, to: remoteName, credentials: credentials)
                    Self.say("pushed \(group.branch) to \(RepositoryInfo.publicURL(remoteName))")
                } else {
                    Self.say("\(RepositoryInfo.publicURL(remoteName)) already has \(group.branch) at \(tip.prefix(12))")
                }
                if let pullRequests {
                    let request = try await pullRequests.publish(
                        remoteURL: try repository.remoteURL(remoteName), branch: group.branch, base: startPoint,
                        title: "komply: regenerate \(names)",
                        body: generation.pullRequestBody(apps: group.apps.map(\.app), folder: folder))
                    Self.say("\(request.created ? "opened" : "updated") \(request.url)")
                }
            }
        }

        static func say(_ text: String) {
            FileHandle.standardError.write(Data("komply: \(text)\n".utf8))
        }

        /// `folder` as a path inside the repository at `workdir`; refuses folders outside it.
        static func repositoryPath(of folder: String, in workdir: String) throws -> String {
            let root = Paths.canonical(workdir)
            guard let inside = Paths.relative(Paths.canonical(folder), to: root) else {
                throw CLIError(message: "\(folder): the output folder is outside the repository \(root); expected a folder inside it")
            }
            return inside
        }
    }
}
