import Foundation
import KomplyCore
import KomplyGenerate
import KomplyGit
import KomplyRefine

/// What `komply sync` asks: generate (from the worktree or a revision), then commit each app's
/// tree onto its branch, optionally push and open or update a pull request.
public struct SyncRequest: Sendable {
    /// What to generate.
    public var generate: GenerateRequest
    /// One branch for every app; nil commits each app to `komply/<app>`.
    public var branch: String?
    /// What a pull request targets, and where a new branch starts without `ref`.
    public var base: String?
    /// Generate from this revision instead of the worktree.
    public var ref: String?
    /// The remote to push to (default `origin`).
    public var remote: String?
    /// Push the branches.
    public var push: Bool
    /// Open or update a pull request on this host (implies pushing).
    public var pullRequestHost: HostingKind?
    /// The hosting API's base URL (default from the remote URL).
    public var apiURL: String?
    /// Where tokens and credentials are looked up.
    public var environment: [String: String]
    /// LLM refinement as `--llm*` asks (komply.yaml's `refine` section applies as in `komply generate`).
    public var llm: LLMOptions

    /// Creates a request.
    public init(
        generate: GenerateRequest, branch: String? = nil, base: String? = nil, ref: String? = nil, remote: String? = nil,
        push: Bool = false, pullRequestHost: HostingKind? = nil, apiURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, llm: LLMOptions = LLMOptions()
    ) {
        self.generate = generate
        self.branch = branch
        self.base = base
        self.ref = ref
        self.remote = remote
        self.push = push
        self.pullRequestHost = pullRequestHost
        self.apiURL = apiURL
        self.environment = environment
        self.llm = llm
    }
}

/// What one `komply sync` did, for `--format json`: the generator's notices and, per branch, the commit,
/// the push and the pull request.
public struct SyncReport: Sendable, Equatable {
    /// One branch and what happened to it.
    public struct Branch: Sendable, Equatable {
        /// The branch (`komply/shop`).
        public var name: String
        /// The apps committed to it.
        public var apps: [String]
        /// The new commit; nil when nothing changed.
        public var commit: String?
        /// Files removed by the commit (no longer generated), repository-relative.
        public var removed: [String] = []
        /// Whether the branch was pushed by this run.
        public var pushed = false
        /// The remote it was pushed to or compared with (credentials removed); nil without --push.
        public var remote: String?
        /// The pull request's web URL; nil without --pr.
        public var pullRequest: String?
        /// Whether the pull request was opened (true) or updated (false) by this run.
        public var pullRequestCreated: Bool?

        /// Creates a branch's entry.
        public init(
            name: String, apps: [String], commit: String? = nil, removed: [String] = [], pushed: Bool = false,
            remote: String? = nil, pullRequest: String? = nil, pullRequestCreated: Bool? = nil
        ) {
            self.name = name
            self.apps = apps
            self.commit = commit
            self.removed = removed
            self.pushed = pushed
            self.remote = remote
            self.pullRequest = pullRequest
            self.pullRequestCreated = pullRequestCreated
        }
    }

    /// The generator's notes and warnings.
    public var notices: [Diagnostic] = []
    /// The branches, in the order they were committed.
    public var branches: [Branch] = []
    /// Apps that could not be read or generated: not synced (their committed output stays); the run fails.
    public var failures: [GeneratePipeline.AppFailure] = []

    /// Creates a report.
    public init(notices: [Diagnostic] = [], branches: [Branch] = []) {
        self.notices = notices
        self.branches = branches
    }
}

/// generate → lint the output → commit onto branches (never touching the worktree or index) →
/// push → open or update pull requests. `say` receives each line of progress as it happens; `notify` each
/// of the generator's notices (by default they are said as lines).
public enum SyncFlow {
    /// Runs `request` in the repository around `directory`.
    @discardableResult
    public static func run(
        _ request: SyncRequest, from directory: String, notify: ((Diagnostic) -> Void)? = nil, say: (String) -> Void
    ) async throws -> SyncReport {
        var report = SyncReport()
        let repository = try GitRepository.discover(from: directory)
        guard repository.workdir != nil else { throw PipelineError.bareRepository(gitDirectory: repository.gitDirectory) }
        let remoteName = request.remote ?? "origin"
        let pullRequests = request.pullRequestHost.map {
            PullRequestPublisher(host: $0, apiURL: request.apiURL, environment: request.environment)
        }
        // A wrong token or API URL must fail before a branch is pushed that no pull request would follow.
        if let pullRequests { try await pullRequests.check(remoteURL: try repository.remoteURL(remoteName)) }
        var generate = request.generate
        var locations: RepositoryPaths?
        if let ref = request.ref {
            _ = try repository.commitID(ref)
            // History is evidence about the running system, not a source: keep reading the worktree's file.
            let history = try HistoryLocation.resolve(generate.history)
            if FileManager.default.fileExists(atPath: history) {
                generate.history = URL(fileURLWithPath: history).standardizedFileURL.path
            }
            locations = try RepositoryPaths(repository: repository)
        }
        let (generation, folder) = try await SourceSnapshot.run(request.ref.map { .revision($0) } ?? .worktree, repository: repository) {
            root in
            // An absolute path into the worktree must read the revision's copy, never the worktree.
            var generation = try await SyncGeneration.run(
                locations.map { generate.moved(into: root, locations: $0) } ?? generate, llm: request.llm)
            // A revision is read from a temporary copy: name failed apps' files as the repository does.
            let prefixes = Set([Paths.canonical(root) + "/", root + "/"])
            generation.failures = generation.failures.map { failure in
                var failure = failure
                for prefix in prefixes {
                    failure.app = failure.app.replacingOccurrences(of: prefix, with: "")
                    failure.message = failure.message.replacingOccurrences(of: prefix, with: "")
                }
                return failure
            }
            let folder = try repositoryPath(of: generation.outputDirectory, in: root)
            try generation.lint(folder: folder)
            return (generation, folder)
        }
        report.notices = generation.notices
        for line in generation.refinement?.lines ?? [] { say(line) }
        for notice in generation.notices { if let notify { notify(notice) } else { say("\(notice)") } }
        let startPoint = request.base ?? repository.headBranch ?? "HEAD"
        // From a revision, a new branch starts at that commit: its diff then shows only what generation changed,
        // even when the local base branch is behind (komply serve fetches into remote-tracking refs only).
        let branchStart = try request.ref.map { try repository.commitID($0) } ?? startPoint
        let publishes = request.push || request.pullRequestHost != nil
        let credentials = GitCredentials.fromEnvironment(request.environment)
        let apps = generation.apps
        guard !apps.isEmpty else { throw PipelineError.nothingGenerated }
        let groups: [(branch: String, apps: [(app: String, files: [String: Data])])] =
            request.branch.map { [($0, apps)] } ?? apps.map { ("komply/" + $0.app, [$0]) }
        let failed = generation.failures.map { "- \($0.description.replacingOccurrences(of: "\n", with: " "))" }
        for group in groups {
            let folders = group.apps.map { app in
                GeneratedFolder(
                    folder: folder.isEmpty ? app.app : folder + "/" + app.app, files: app.files, scope: generation.scope(of: app.app)
                ) { data in
                    OutputTree.ownedByKomply(String(decoding: data.prefix(512), as: UTF8.self))
                }
            }
            let names = group.apps.map(\.app).joined(separator: ", ")
            let remoteTip = publishes ? try repository.fetch(branch: group.branch, from: remoteName, credentials: credentials) : nil
            var removals: [String] = []
            let outcome = try repository.commit(folders, onto: group.branch, startPoint: branchStart, remoteTip: remoteTip) {
                removed in
                removals = removed
                var body = "Generated by komply sync from \(request.ref ?? startPoint) into \(folder.isEmpty ? "." : folder)/."
                if !removed.isEmpty {
                    body += "\n\nRemoved (no longer generated):\n" + removed.map { "- \($0)" }.joined(separator: "\n")
                }
                if !failed.isEmpty {
                    body += "\n\nNot regenerated (failed; their committed output is unchanged):\n" + failed.joined(separator: "\n")
                }
                return CommitMessage.make(subject: "komply: regenerate \(names)", body: body, trailers: generation.trailers)
            }
            for path in removals { say("removed \(path) (no longer generated)") }
            var branch = SyncReport.Branch(name: group.branch, apps: group.apps.map(\.app), removed: removals)
            defer { report.branches.append(branch) }
            let exists = try repository.commitIDIfPresent("refs/heads/" + group.branch) != nil
            switch outcome {
            case .committed(let commit, _):
                branch.commit = commit
                say("committed \(commit.prefix(12)) on \(group.branch) (\(names))")
            case .unchanged:
                say(
                    exists
                        ? "\(group.branch) is up to date; no commit"
                        : "\(names): nothing differs from \(request.ref ?? startPoint); no branch created")
            }
            guard publishes, exists, let tip = try repository.commitIDIfPresent("refs/heads/" + group.branch) else { continue }
            branch.remote = RepositoryInfo.publicURL(remoteName)
            if tip != remoteTip {
                try repository.push(branch: group.branch, to: remoteName, credentials: credentials)
                branch.pushed = true
                say("pushed \(group.branch) to \(RepositoryInfo.publicURL(remoteName))")
            } else {
                say("\(RepositoryInfo.publicURL(remoteName)) already has \(group.branch) at \(tip.prefix(12))")
            }
            if let pullRequests {
                let published = try await pullRequests.publish(
                    remoteURL: try repository.remoteURL(remoteName), branch: group.branch, base: startPoint,
                    title: "komply: regenerate \(names)",
                    body: generation.pullRequestBody(apps: group.apps.map(\.app), folder: folder))
                branch.pullRequest = published.url
                branch.pullRequestCreated = published.created
                say("\(published.created ? "opened" : "updated") \(published.url)")
            }
        }
        // The other apps are committed (and pushed); the run still fails so CI shows the broken app. The report
        // names them, so `--format json` prints what did happen before the exit status says what did not.
        report.failures = generation.failures
        return report
    }

    /// `folder` as a path inside the repository at `workdir`; refuses folders outside it.
    static func repositoryPath(of folder: String, in workdir: String) throws -> String {
        let root = Paths.canonical(workdir)
        guard let inside = Paths.relative(Paths.canonical(folder), to: root) else {
            throw PipelineError.outputOutsideRepository(folder: folder, root: root)
        }
        return inside
    }
}
