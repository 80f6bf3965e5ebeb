import ArgumentParser
import Foundation
import KomplyGit
import KomplyServe

extension Komply {
    /// `komply serve`: a webhook receiver that regenerates on every push to a branch.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive GitHub and Gitea push webhooks and regenerate with komply sync for each pushed branch.",
            discussion: """
                POST /webhook takes push deliveries signed with the secret in KOMPLY_WEBHOOK_SECRET
                (X-Hub-Signature-256 or X-Gitea-Signature); GET /healthz answers ok; GET /metrics
                serves Prometheus metrics. Each accepted push is answered 202 at once and queued; one
                worker fetches the pushed branch into the repository and runs
                `komply sync --ref <commit> --base <branch> <arguments after -->` there. Pushes to a
                branch that is waiting coalesce into one run of the newest commit. SIGTERM or SIGINT
                stops accepting and lets the running regeneration finish.

                Examples:
                  KOMPLY_WEBHOOK_SECRET=… komply serve --listen 0.0.0.0:8080 -- --push --pr github
                  komply serve --repository /srv/shop --queue-capacity 16 -- --push
                """
        )

        @Option(help: "The address and port to listen on (HOST:PORT, [IPv6]:PORT; port 0 picks a free one).")
        var listen = "127.0.0.1:8080"

        @Option(help: "The local clone to fetch into and regenerate in (default: the current folder).")
        var repository = "."

        @Option(help: "The remote pushed branches are fetched from.")
        var remote = "origin"

        @Option(name: .customLong("queue-capacity"), help: "The most branches whose regeneration may wait; more are answered 503.")
        var queueCapacity = 64

        @Option(name: .customLong("max-body-bytes"), help: "The largest delivery accepted; larger ones are answered 413.")
        var maxBodyBytes = ServeConfiguration.defaultMaxBodyBytes

        @Option(name: .customLong("timeout"), help: "Seconds one komply sync run may take before it is stopped.")
        var timeout = 900

        @Argument(parsing: .postTerminator, help: "Arguments for komply sync, after --, for example -- --push --pr github.")
        var syncArguments: [String] = []

        func validate() throws {
            do {
                _ = try ServeConfiguration.listenAddress(listen)
            } catch {
                throw ValidationError(error.localizedDescription)
            }
            guard (1...100_000).contains(queueCapacity) else {
                throw ValidationError("--queue-capacity \(queueCapacity) is out of range; expected 1 to 100000")
            }
            guard maxBodyBytes >= 1024 else {
                throw ValidationError("--max-body-bytes \(maxBodyBytes) is too small; expected at least 1024")
            }
            guard timeout > 0 else { throw ValidationError("--timeout \(timeout) must be a positive number of seconds") }
            if let reserved = syncArguments.first(where: { ["--ref", "--base"].contains($0.split(separator: "=").first.map(String.init)) })
            {
                throw ValidationError("\(reserved) after -- is set by komply serve for each push; leave it out")
            }
        }

        func run() async throws {
            let secret = try ServeConfiguration.secret()
            let (host, port) = try ServeConfiguration.listenAddress(listen)
            let git = try GitRepository.discover(from: repository)
            guard let workdir = git.workdir else {
                throw CLIError(message: "\(git.gitDirectory): a bare repository; expected a clone with a worktree to regenerate in")
            }
            let remoteURL = try git.remoteURL(remote)
            let served = HostedRepository(remoteURL: remoteURL)?.path
            if served == nil {
                WebhookServer.standardError(
                    "cannot tell owner/name from \(RepositoryInfo.publicURL(remoteURL)); pushes of any repository are regenerated")
            }
            let configuration = ServeConfiguration(
                host: host, port: port, secret: secret, queueCapacity: queueCapacity, maxBodyBytes: maxBodyBytes,
                repositories: served.map { [$0] })
            let runner = SyncRunner(
                executable: try Self.executable(), workdir: workdir, remote: remote, arguments: syncArguments, timeout: .seconds(timeout))
            let server = WebhookServer(configuration: configuration, regenerate: { job in try await runner.run(job) })
            try await server.run { port in
                WebhookServer.standardError(
                    "listening on \(host.contains(":") ? "[\(host)]" : host):\(port) for \(served ?? "any repository") (regenerating in \(workdir))"
                )
            }
            WebhookServer.standardError("stopped")
        }

        /// This komply binary, to run `komply sync` with.
        static func executable() throws -> URL {
            if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                return URL(fileURLWithPath: link)
            }
            if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath() }
            guard let first = CommandLine.arguments.first else {
                throw CLIError(message: "cannot find the komply binary to run komply sync with")
            }
            return URL(fileURLWithPath: first, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                .resolvingSymlinksInPath()
        }
    }
}

/// Regenerates one push: fetches the branch from the remote, then runs
/// `komply sync --ref <commit> --base <branch> <arguments>` in the clone.
struct SyncRunner: Sendable {
    /// The komply binary.
    var executable: URL
    /// The clone's worktree.
    var workdir: String
    /// The remote to fetch from.
    var remote: String
    /// What follows `--` on the serve command line.
    var arguments: [String]
    /// How long one `komply sync` may run.
    var timeout: Duration

    /// Fetches and regenerates; throws with the end of komply sync's output when it fails.
    func run(_ job: PushJob) async throws {
        try await fetch(job)
        let arguments = ["sync", "--ref", job.commit, "--base", job.branch] + arguments
        let (status, output) = try await Subprocess.run(
            executable, arguments, in: workdir, timeout: timeout, environment: Self.childEnvironment())
        guard status == 0 else {
            let tail = output.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
            throw CLIError(message: "komply sync exited with status \(status)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
    }
}

private extension SyncRunner {
    /// Brings the pushed commit into the clone (libgit2 blocks, so off the cooperative pool).
    func fetch(_ job: PushJob) async throws {
        let (workdir, remote) = (workdir, remote)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let repository = try GitRepository(path: workdir)
                        guard try repository.fetch(branch: job.branch, from: remote, credentials: .fromEnvironment()) != nil else {
                            throw CLIError(
                                message: "\(RepositoryInfo.publicURL(remote)) has no branch \(job.branch) any more; nothing to regenerate")
                        }
                        guard try repository.commitIDIfPresent(job.commit) != nil else {
                            throw CLIError(
                                message: "commit \(job.commit) is not on \(job.branch) after fetching; expected the pushed commit")
                        }
                    })
            }
        }
    }

    /// The environment komply sync runs with: this one without the webhook secret.
    static func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment[ServeConfiguration.secretVariable] = nil
        return environment
    }
}

/// Runs a program to its end without blocking a thread, collecting standard output and error together.
enum Subprocess {
    /// The exit status (or 128 + signal) and the combined output; the program is terminated on cancellation
    /// or after `timeout`.
    static func run(
        _ executable: URL, _ arguments: [String], in directory: String, timeout: Duration, environment: [String: String]
    ) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("komply-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let box = ProcessBox(process)
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { finished in
                    let signaled = finished.terminationReason == .uncaughtSignal
                    continuation.resume(returning: signaled ? 128 + finished.terminationStatus : finished.terminationStatus)
                }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: CLIError(message: "cannot run \(executable.path): \(error.localizedDescription)"))
                    return
                }
                let deadline = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
                DispatchQueue.global().asyncAfter(deadline: deadline) { box.terminate(timedOut: true) }
            }
        } onCancel: {
            box.terminate()
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        if box.timedOut {
            throw CLIError(message: "\(executable.lastPathComponent) \(arguments.first ?? "") took longer than \(timeout) and was stopped")
        }
        return (status, text)
    }

    /// Lets the cancellation handler and the timer reach the process.
    private final class ProcessBox: @unchecked Sendable {
        private let process: Process
        private let lock = NSLock()
        private var stoppedForTime = false

        init(_ process: Process) { self.process = process }

        /// Whether the timer stopped the process.
        var timedOut: Bool { lock.withLock { stoppedForTime } }

        func terminate(timedOut: Bool = false) {
            lock.withLock {
                guard process.isRunning else { return }
                stoppedForTime = stoppedForTime || timedOut
                process.terminate()
            }
        }
    }
}
