import ArgumentParser
import Foundation
import KomplyPipeline
import KomplyServe

extension Komply {
    /// `komply serve`: a webhook receiver that regenerates on every push to a branch.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive GitHub and Gitea push webhooks and regenerate with komply sync for each pushed branch.",
            discussion: HelpText.paragraphs(
                """
                POST /webhook takes push deliveries signed with the secret in KOMPLY_WEBHOOK_SECRET
                (X-Hub-Signature-256 or X-Gitea-Signature); GET /healthz answers ok; GET /metrics
                serves Prometheus metrics. Each accepted push is answered 202 at once and queued; one
                worker fetches the pushed branch into the repository and runs
                `komply sync --ref <commit> --base <branch> <arguments after -->` there. Pushes to a
                branch that is waiting coalesce into one run of the newest commit. SIGTERM or SIGINT
                stops accepting and lets the running regeneration finish.

                With --store postgres://USER@HOST:PORT/DATABASE, several replicas share the replay
                log and the queue in PostgreSQL: each delivery is claimed by one replica, each job
                runs on one replica, and a job of a replica that died is run again when its lease
                expires. The default, --store memory, keeps them in this process.

                Examples:
                  KOMPLY_WEBHOOK_SECRET=… komply serve --listen 0.0.0.0:8080 -- \\
                    --push --pr github
                  komply serve --repository /srv/shop --queue-capacity 16 -- --push
                  PGPASSWORD=… komply serve --store postgres://komply@db:5432/komply \\
                    --listen 0.0.0.0:8080 -- --push --pr github
                """)
        )

        @Option(help: "The address and port to listen on (HOST:PORT, [IPv6]:PORT; port 0 picks a free one).")
        var listen = "127.0.0.1:8080"

        @Option(help: "The local clone to fetch into and regenerate in (default: the current folder).")
        var repository: String?

        @Option(help: "The remote pushed branches are fetched from.")
        var remote = "origin"

        @Option(name: .customLong("queue-capacity"), help: "The most branches whose regeneration may wait; more are answered 503.")
        var queueCapacity = 64

        @Option(name: .customLong("max-body-bytes"), help: "The largest delivery accepted; larger ones are answered 413.")
        var maxBodyBytes = ServeConfiguration.defaultMaxBodyBytes

        @Option(
            name: .customLong("header-timeout"),
            help:
                "Seconds a client may take to send a whole request header (and a kept-alive connection may stay idle); then the connection is closed."
        )
        var headerTimeout = 10

        @Option(
            name: .customLong("body-timeout"),
            help: "Seconds a client may take to send a whole request body after its header; then the connection is closed.")
        var bodyTimeout = 30

        @Option(
            name: .customLong("max-connections"),
            help: "The most connections open at once; further clients wait in the listen backlog until one closes.")
        var maxConnections = ServeConfiguration.defaultMaxConnections

        @Option(name: .customLong("timeout"), help: "Seconds one komply sync run may take before it is stopped.")
        var timeout = 900

        @Option(
            help:
                "Where the replay log and the queue live: memory (this process), or postgres://USER@HOST[:PORT]/DATABASE shared by replicas (password from PGPASSWORD or PGPASSFILE)."
        )
        var store = "memory"

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
            for (flag, seconds) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout)]
            where !(1...3600).contains(seconds) {
                throw ValidationError("\(flag) \(seconds) is out of range; expected 1 to 3600 seconds")
            }
            guard (1...100_000).contains(maxConnections) else {
                throw ValidationError("--max-connections \(maxConnections) is out of range; expected 1 to 100000")
            }
            guard timeout > 0 else { throw ValidationError("--timeout \(timeout) must be a positive number of seconds") }
            do {
                try PostgresServeStore.validate(store)
            } catch {
                throw ValidationError(error.localizedDescription)
            }
            if let reserved = syncArguments.first(where: { ["--ref", "--base"].contains($0.split(separator: "=").first.map(String.init)) })
            {
                throw ValidationError("\(reserved) after -- is set by komply serve for each push; leave it out")
            }
        }

        func run() async throws {
            var request = ServeRequest(
                listen: listen, repository: repository ?? ".", remote: remote, queueCapacity: queueCapacity, maxBodyBytes: maxBodyBytes,
                timeout: .seconds(timeout), syncArguments: syncArguments, executable: try Self.executable())
            request.headerTimeout = .seconds(headerTimeout)
            request.bodyTimeout = .seconds(bodyTimeout)
            request.maxConnections = maxConnections
            request.store = store
            try await ServeFlow.run(request) { WebhookServer.standardError($0) }
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
