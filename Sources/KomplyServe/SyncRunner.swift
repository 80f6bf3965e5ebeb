import Foundation

/// Regenerates one push: fetches the branch into the clone (through the injected `fetch`), then runs
/// `komply sync --ref <commit> --base <branch> <arguments>` there as a subprocess.
///
/// The fetch is a closure so that KomplyServe stays independent of KomplyGit: the CLI, which links
/// both, brings the libgit2 fetch; tests bring a fake.
public struct SyncRunner: Sendable {
    /// What fetching the pushed branch found.
    public enum FetchOutcome: Sendable, Equatable {
        /// The branch was fetched and the pushed commit is in the clone.
        case fetched
        /// The remote has no such branch any more.
        case branchMissing
        /// The branch was fetched, but the pushed commit is not on it (a force push replaced it).
        case commitMissing
    }

    /// Fetches `job.branch` into the clone and says whether `job.commit` arrived; blocking is fine
    /// (it runs off the cooperative pool).
    public typealias Fetch = @Sendable (_ job: PushJob) throws -> FetchOutcome

    /// The komply binary.
    public var executable: URL
    /// The clone's worktree.
    public var workdir: String
    /// The remote fetched from, as messages may show it (no credentials).
    public var remote: String
    /// What follows `--` on the serve command line.
    public var arguments: [String]
    /// How long one `komply sync` may run.
    public var timeout: Duration
    /// The environment komply serve runs with; the child gets it without the webhook secret.
    public var environment: [String: String]
    /// Brings the pushed commit into the clone.
    public var fetch: Fetch

    /// A runner for one clone; `environment` defaults to this process's.
    public init(
        executable: URL, workdir: String, remote: String, arguments: [String], timeout: Duration,
        environment: [String: String] = ProcessInfo.processInfo.environment, fetch: @escaping Fetch
    ) {
        self.executable = executable
        self.workdir = workdir
        self.remote = remote
        self.arguments = arguments
        self.timeout = timeout
        self.environment = environment
        self.fetch = fetch
    }

    /// Fetches and regenerates; throws `ServeError` with the end of komply sync's output when it fails.
    public func run(_ job: PushJob) async throws {
        try await fetchOffPool(job)
        let (status, output) = try await Subprocess.run(
            executable, syncArguments(for: job), in: workdir, timeout: timeout, environment: childEnvironment)
        guard status == 0 else {
            let tail = output.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
            throw ServeError.syncFailed(status: status, tail: tail)
        }
    }

    /// The `komply sync` arguments for `job`: its commit and branch, then the user's arguments.
    public func syncArguments(for job: PushJob) -> [String] {
        ["sync", "--ref", job.commit, "--base", job.branch] + arguments
    }

    /// The environment komply sync runs with: `environment` without the webhook secret.
    public var childEnvironment: [String: String] {
        var child = environment
        child[ServeConfiguration.secretVariable] = nil
        return child
    }
}

private extension SyncRunner {
    /// Runs `fetch` on a dispatch queue (libgit2 blocks) and turns what it found into errors.
    func fetchOffPool(_ job: PushJob) async throws {
        let (fetch, remote) = (fetch, remote)
        let outcome = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<FetchOutcome, any Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try fetch(job) }) }
        }
        switch outcome {
        case .fetched: return
        case .branchMissing: throw ServeError.branchGone(remote: remote, branch: job.branch)
        case .commitMissing: throw ServeError.commitMissing(commit: job.commit, branch: job.branch)
        }
    }
}
