import Foundation
import KomplyPredict
import KomplyServe
import Logging
import PostgresNIO

/// `komply serve --store postgres://…`: the replay log and the regeneration queue in a PostgreSQL database
/// that several serve replicas share, so that each delivery is claimed by one replica and each job is run by
/// one replica at a time (see docs/serve.md, "Several replicas").
///
/// It lives in KomplyPipeline, where features meet: the queue's semantics come from KomplyServe (`ServeStore`,
/// `PushJob`), the URL, password and TLS handling from KomplyPredict's `PostgresLocation` (the history store's).
///
/// - Deliveries: `INSERT … ON CONFLICT DO NOTHING` on the delivery id (the primary key of `serve_deliveries`);
///   the job's transaction marks the id `queued`. An id that queued nothing may be claimed again after
///   `Settings.unfinishedClaim` (a replica died between the two, or the delivery did no work).
/// - Enqueue: under a transaction-scoped advisory lock (so the capacity count is exact), the branch's waiting
///   job is locked and updated (coalesced), or a new one inserted; a partial unique index keeps one waiting
///   job per repository and branch.
/// - Claim: `SELECT … FOR UPDATE SKIP LOCKED` of the oldest waiting job whose branch runs nowhere (or a running
///   job whose lease expired), marked running with this replica's id and a lease, in one transaction. Claims
///   take an advisory lock of their own, so "no live job runs for the branch" is judged on every committed claim.
/// - The worker renews the lease while the job runs; a replica that dies stops renewing, and its job is taken
///   again once the lease expires.
/// - Finished jobs beyond `Settings.retainedJobs` and delivery ids beyond `Settings.rememberedDeliveries` are
///   deleted, oldest first.
public actor PostgresServeStore: ServeStore {
    /// What a store is opened with.
    public struct Settings: Sendable {
        /// The most jobs that may wait, across every replica.
        public var capacity: Int
        /// How many delivery ids are kept to refuse replays.
        public var rememberedDeliveries: Int
        /// How many finished jobs are kept (for inspection); older ones are deleted.
        public var retainedJobs = 1_000
        /// How long a claim on a running job lasts unless renewed.
        public var lease: Duration = .seconds(30)
        /// How often an idle worker looks for jobs other replicas queued.
        public var pollInterval: Duration = .seconds(1)
        /// How old a claimed delivery id that queued no job must be before a redelivery may claim it again
        /// (its replica died between the claim and the queueing, or the delivery did no work).
        public var unfinishedClaim: Duration = .seconds(60)
        /// This replica's name in the tables: `<host>/<pid>` by default.
        public var replica: String = Settings.defaultReplica

        /// `<host>/<pid>`: unique among running replicas.
        public static var defaultReplica: String {
            var name = [CChar](repeating: 0, count: 256)
            let host =
                gethostname(&name, name.count) == 0
                ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
            return "\(host)/\(getpid())"
        }

        /// Settings with komply serve's defaults.
        public init(capacity: Int, rememberedDeliveries: Int = 10_000) {
            self.capacity = capacity
            self.rememberedDeliveries = rememberedDeliveries
        }
    }

    /// The schema version this komply writes (`serve_schema`).
    public static let schemaVersion = 1

    public nonisolated let description: String
    public nonisolated let capacity: Int
    /// A third of the lease: two renewals may fail before another replica takes the job.
    public nonisolated var renewal: Duration { settings.lease / 3 }
    /// The settings the store was opened with.
    public nonisolated let settings: Settings

    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger = Logger(label: "komply.serve.store", factory: { _ in SwiftLogNoOpLogHandler() })
    private let log: @Sendable (String) -> Void
    private let doorbell = Doorbell()
    private var current: Int64?
    private var closed = false
    private var lastDepth = 0
    private var claimsSincePruning = 0

    /// Connects to `url` (the password from `PGPASSWORD` or `PGPASSFILE` in `environment`), creates the tables
    /// when they are missing, and returns the store; `log` receives lines about jobs taken over from replicas.
    public static func open(
        url: String, settings: Settings, environment: [String: String] = ProcessInfo.processInfo.environment,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> PostgresServeStore {
        let location = try parse(url)
        let logger = Logger(label: "komply.serve.store", factory: { _ in SwiftLogNoOpLogHandler() })
        // One plain connection first: it fails fast (naming host:port) where the pool would retry, and it
        // creates the tables before any replica uses them.
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(environment: environment), id: 1, logger: logger)
        } catch {
            throw ServeError.store(location: location.description, reason: location.cannotConnect(error))
        }
        do {
            try await migrate(connection, logger: logger, location: location.description)
            try? await connection.close()
        } catch {
            try? await connection.close()
            if let error = ((error as? PostgresTransactionError)?.closureError ?? error) as? ServeError { throw error }
            let reason = "cannot create the serve tables: \(PostgresLocation.describe(error)); expected a user allowed to create tables"
            throw ServeError.store(location: location.description, reason: reason)
        }
        return PostgresServeStore(location: location, settings: settings, environment: environment, log: log)
    }

    /// Checks a `--store` value: `memory`, or a `postgres://USER@HOST[:PORT]/DATABASE` URL without a password.
    public static func validate(_ store: String) throws {
        guard store != "memory" else { return }
        _ = try parse(store)
    }

    private init(location: PostgresLocation, settings: Settings, environment: [String: String], log: @escaping @Sendable (String) -> Void) {
        self.description = location.description
        self.capacity = settings.capacity
        self.settings = settings
        self.log = log
        let client = PostgresClient(
            configuration: location.clientConfiguration(environment: environment),
            backgroundLogger: Logger(label: "komply.serve.pool", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.client = client
        self.runner = Task { await client.run() }
    }

    public func claimDelivery(_ id: String) async throws -> Bool {
        let (replica, stale) = (settings.replica, Self.seconds(settings.unfinishedClaim))
        let claimed = try await perform("claim delivery \(id)") { client, logger in
            for _ in 0..<2 {
                let rows = try await client.query(
                    "INSERT INTO serve_deliveries (id, replica) VALUES (\(id), \(replica)) ON CONFLICT (id) DO NOTHING RETURNING seq",
                    logger: logger)
                var inserted = false
                for try await _ in rows { inserted = true }
                if inserted { return true }
                // Seen before. An old claim that queued no job (its replica died before queueing) is forgotten, once.
                let forgotten = try await client.query(
                    """
                    DELETE FROM serve_deliveries
                    WHERE id = \(id) AND NOT queued AND claimed_at < clock_timestamp() - make_interval(secs => \(stale)) RETURNING seq
                    """, logger: logger)
                var deleted = false
                for try await _ in forgotten { deleted = true }
                if !deleted { return false }
            }
            return false
        }
        claimsSincePruning += 1
        if claimsSincePruning >= 100 {
            claimsSincePruning = 0
            try await pruneDeliveries()
        }
        return claimed
    }

    public func releaseDelivery(_ id: String) async throws {
        try await perform("release delivery \(id)") { client, logger in
            _ = try await client.query("DELETE FROM serve_deliveries WHERE id = \(id)", logger: logger)
        }
    }

    public func enqueue(_ job: PushJob) async throws -> JobQueue.Outcome {
        guard !closed else { return .closed }
        let capacity = capacity
        let outcome = try await transaction("enqueue \(job.repository) \(job.branch)") { connection, logger -> JobQueue.Outcome in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.enqueueLock))", logger: logger)
            let waiting = try await connection.query(
                """
                SELECT id, commit_id FROM serve_jobs
                WHERE repository = \(job.repository) AND branch = \(job.branch) AND state = 'waiting' FOR UPDATE
                """, logger: logger)
            var found: (Int64, String)?
            for try await row in waiting.decode((Int64, String).self) { found = row }
            if let found {
                let (id, previous) = found
                try await connection.query(
                    """
                    UPDATE serve_jobs SET commit_id = \(job.commit), delivery = \(job.delivery), clone_url = \(job.cloneURL),
                        pushes = pushes + \(job.pushes) WHERE id = \(id)
                    """, logger: logger)
                try await connection.query("UPDATE serve_deliveries SET queued = true WHERE id = \(job.delivery)", logger: logger)
                return JobQueue.Outcome.coalesced(previous: previous)
            }
            let depth = try await Self.count(connection, "SELECT count(*) FROM serve_jobs WHERE state = 'waiting'", logger: logger)
            guard depth < capacity else { return .full }
            try await connection.query(
                """
                INSERT INTO serve_jobs (repository, clone_url, branch, commit_id, delivery, pushes, state)
                VALUES (\(job.repository), \(job.cloneURL), \(job.branch), \(job.commit), \(job.delivery), \(job.pushes), 'waiting')
                """, logger: logger)
            // In the job's transaction: a delivery id that queued work is never claimed again (until pruned).
            try await connection.query("UPDATE serve_deliveries SET queued = true WHERE id = \(job.delivery)", logger: logger)
            let running = try await Self.count(
                connection,
                "SELECT count(*) FROM serve_jobs WHERE repository = \(job.repository) AND branch = \(job.branch) AND state = 'running'",
                logger: logger)
            return .queued(depth: depth + 1, behindRunning: running > 0)
        }
        if case .queued = outcome { await doorbell.ring() }
        return outcome
    }

    public func next() async throws -> PushJob? {
        precondition(current == nil, "PostgresServeStore has one worker per process; it must call finish before next")
        while !closed, !Task.isCancelled {
            if let job = try await claim() { return job }
            await doorbell.wait(upTo: settings.pollInterval)
        }
        return nil
    }

    /// Claims the next job this process may run without waiting; nil when none is ready now.
    public func tryNext() async throws -> PushJob? {
        precondition(current == nil, "PostgresServeStore has one worker per process; it must call finish before next")
        return try await claim()
    }

    public func renew(_ job: PushJob) async throws -> Bool {
        guard let id = current else { return false }
        let (replica, lease) = (settings.replica, Self.seconds(settings.lease))
        return try await perform("renew the lease of job \(id)") { client, logger in
            let rows = try await client.query(
                """
                UPDATE serve_jobs SET lease_until = clock_timestamp() + make_interval(secs => \(lease))
                WHERE id = \(id) AND state = 'running' AND replica = \(replica) RETURNING id
                """, logger: logger)
            var renewed = false
            for try await _ in rows { renewed = true }
            return renewed
        }
    }

    public func finish(_ job: PushJob, failure: String?) async throws {
        guard let id = current else { return }
        current = nil
        let replica = settings.replica
        let state = failure == nil ? "done" : "failed"
        let recorded = try await perform("finish job \(id)") { client, logger in
            let rows = try await client.query(
                """
                UPDATE serve_jobs SET state = \(state), finished_at = now(), lease_until = NULL, failure = \(failure)
                WHERE id = \(id) AND state = 'running' AND replica = \(replica) RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in rows { found = true }
            return found
        }
        try await pruneJobs()
        if !recorded {
            throw ServeError.store(
                location: description,
                reason: "job \(id) is no longer this replica's (\(replica)): its lease expired and another replica took it over")
        }
    }

    public func close() async {
        closed = true
        await doorbell.ring()
    }

    /// Closes the connection pool; call once the server has stopped.
    public func shutdown() async {
        await close()
        runner.cancel()
        await runner.value
    }

    public func status() async -> ServeStoreStatus {
        if let depth = try? await waitingCount() { lastDepth = depth }
        return ServeStoreStatus(depth: lastDepth, running: current != nil)
    }

    public func shutdownReport() async -> [String] {
        guard let waiting = try? await waitingCount(), waiting > 0 else { return [] }
        return [
            "shutting down: \(waiting) job(s) wait in \(description); another replica, or this one when it starts again, runs them"
        ]
    }

    /// How many jobs wait, across every replica.
    public func waitingCount() async throws -> Int {
        try await perform("count waiting jobs") { client, logger in
            try await Self.count(client, "SELECT count(*) FROM serve_jobs WHERE state = 'waiting'", logger: logger)
        }
    }
}

private extension PostgresServeStore {
    /// The advisory lock keys: "kenq" and "kclm" in ASCII, apart from the history writers' "komply".
    static let enqueueLock: Int64 = 0x6b65_6e71
    static let claimLock: Int64 = 0x6b63_6c6d
    static let schemaLock: Int64 = 0x6b73_6368

    static func parse(_ url: String) throws -> PostgresLocation {
        guard PostgresLocation.isURL(url) else {
            throw ServeError.invalidStore(
                url, expected: "memory or postgres://USER@HOST[:PORT]/DATABASE (the password from PGPASSWORD or PGPASSFILE)")
        }
        do {
            return try PostgresLocation(parsing: url, option: "--store")
        } catch {
            // Never echo a password someone put in the URL.
            var shown = URLComponents(string: url)
            if shown?.password != nil { shown?.password = "REDACTED" }
            throw ServeError.invalidStore(shown?.string ?? "postgres://…", expected: Self.expectation(error))
        }
    }

    /// What `PostgresLocation` expected, from its message.
    static func expectation(_ error: PredictError) -> String {
        guard case .invalidArgument(_, _, let expected) = error else { return error.localizedDescription }
        return expected
    }

    /// Creates the tables once, under an advisory lock, and records the version in `serve_schema`.
    static func migrate(_ connection: PostgresConnection, logger: Logger, location: String) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(schemaLock))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS serve_schema (version INTEGER NOT NULL)", logger: logger)
            let version = try await count(connection, "SELECT coalesce(max(version), 0) FROM serve_schema", logger: logger)
            guard version <= schemaVersion else {
                throw ServeError.store(
                    location: location,
                    reason: "its serve tables are version \(version), written by a newer komply; expected version \(schemaVersion) or older"
                )
            }
            guard version < 1 else { return }
            for statement in version1 { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            try await connection.query("INSERT INTO serve_schema (version) VALUES (\(1))", logger: logger)
        }
    }

    static let version1 = [
        """
        CREATE TABLE serve_deliveries (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            replica TEXT NOT NULL,
            claimed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            queued BOOLEAN NOT NULL DEFAULT false)
        """,
        """
        CREATE TABLE serve_jobs (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            repository TEXT NOT NULL,
            clone_url TEXT NOT NULL,
            branch TEXT NOT NULL,
            commit_id TEXT NOT NULL,
            delivery TEXT NOT NULL,
            pushes INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'done', 'failed', 'superseded')),
            replica TEXT,
            lease_until TIMESTAMPTZ,
            attempts INTEGER NOT NULL DEFAULT 0,
            enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            started_at TIMESTAMPTZ,
            finished_at TIMESTAMPTZ,
            failure TEXT)
        """,
        "CREATE UNIQUE INDEX serve_jobs_one_waiting ON serve_jobs (repository, branch) WHERE state = 'waiting'",
        "CREATE INDEX serve_jobs_open ON serve_jobs (repository, branch, state) WHERE state IN ('waiting', 'running')",
        "CREATE INDEX serve_jobs_finished ON serve_jobs (id) WHERE state IN ('done', 'failed', 'superseded')",
    ]

    /// Takes the oldest job this replica may run, marking it running; nil when none is ready.
    func claim() async throws -> PushJob? {
        let (replica, lease) = (settings.replica, Self.seconds(settings.lease))
        let claimed = try await transaction("claim a job") { connection, logger -> (PushJob, Int64, String?, String)? in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: logger)
            let rows = try await connection.query(
                """
                SELECT j.id, j.repository, j.clone_url, j.branch, j.commit_id, j.delivery, j.pushes, j.state, j.replica
                FROM serve_jobs j
                WHERE (j.state = 'waiting' AND NOT EXISTS (
                        SELECT 1 FROM serve_jobs r WHERE r.repository = j.repository AND r.branch = j.branch
                        AND r.state = 'running' AND r.lease_until > clock_timestamp()))
                   OR (j.state = 'running' AND j.lease_until <= clock_timestamp() AND NOT EXISTS (
                        SELECT 1 FROM serve_jobs w WHERE w.repository = j.repository AND w.branch = j.branch AND w.state = 'waiting'))
                ORDER BY j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED
                """, logger: logger)
            var found: (Int64, String, String, String, String, String, Int, String, String?)?
            for try await row in rows.decode((Int64, String, String, String, String, String, Int, String, String?).self) { found = row }
            guard let found else { return nil }
            let (id, repository, cloneURL, branch, commit, delivery, pushes, state, previous) = found
            try await connection.query(
                """
                UPDATE serve_jobs SET state = 'running', replica = \(replica), started_at = now(), attempts = attempts + 1,
                    lease_until = clock_timestamp() + make_interval(secs => \(lease))
                WHERE id = \(id)
                """, logger: logger)
            // A job whose replica died while this branch had a follow-up waiting: the follow-up covers it.
            let superseded = try await connection.query(
                """
                UPDATE serve_jobs SET state = 'superseded', finished_at = now(), lease_until = NULL,
                    failure = 'the lease of ' || replica || ' expired; job ' || \(String(id)) || ' covers the branch'
                WHERE repository = \(repository) AND branch = \(branch) AND state = 'running' AND id <> \(id)
                    AND lease_until <= clock_timestamp()
                RETURNING id, replica
                """, logger: logger)
            var notes: [String] = []
            for try await (old, owner) in superseded.decode((Int64, String?).self) {
                notes.append("job \(old) of \(owner ?? "?") on \(repository) \(branch) lost its lease; job \(id) covers it")
            }
            var job = PushJob(PushEvent(repository: repository, cloneURL: cloneURL, branch: branch, commit: commit), delivery: delivery)
            job.pushes = pushes
            let takenOver = state == "running" ? previous ?? "?" : nil
            return (job, id, takenOver, notes.joined(separator: "; "))
        }
        guard let claimed else { return nil }
        let (job, id, takenOver, notes) = claimed
        current = id
        if let takenOver {
            log("took over job \(id) (\(job.repository) \(job.branch) at \(job.commit.prefix(12))) from \(takenOver), whose lease expired")
        }
        if !notes.isEmpty { log(notes) }
        return job
    }

    func pruneJobs() async throws {
        let keep = settings.retainedJobs
        try await perform("prune finished jobs") { client, logger in
            _ = try await client.query(
                """
                DELETE FROM serve_jobs WHERE state IN ('done', 'failed', 'superseded') AND id <= (
                    SELECT id FROM serve_jobs WHERE state IN ('done', 'failed', 'superseded') ORDER BY id DESC OFFSET \(keep) LIMIT 1)
                """, logger: logger)
        }
        try await pruneDeliveries()
    }

    func pruneDeliveries() async throws {
        let keep = settings.rememberedDeliveries
        try await perform("prune delivery ids") { client, logger in
            _ = try await client.query(
                "DELETE FROM serve_deliveries WHERE seq <= (SELECT seq FROM serve_deliveries ORDER BY seq DESC OFFSET \(keep) LIMIT 1)",
                logger: logger)
        }
    }

    /// Runs `body` with the pool, turning driver errors into `ServeError.store` naming `what` was done.
    func perform<T: Sendable>(_ what: String, _ body: @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        do {
            return try await body(client, logger)
        } catch {
            throw ServeError.store(location: description, reason: "cannot \(what): \(PostgresLocation.describe(error))")
        }
    }

    /// Runs `body` in one transaction on one pooled connection.
    func transaction<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = logger
        return try await perform(what) { client, _ in
            try await client.withTransaction(logger: logger) { connection in try await body(connection, logger) }
        }
    }

    static func count(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        var value = 0
        for try await number in try await connection.query(query, logger: logger).decode(Int.self) { value = number }
        return value
    }

    static func count(_ client: PostgresClient, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        var value = 0
        for try await number in try await client.query(query, logger: logger).decode(Int.self) { value = number }
        return value
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Wakes the worker of this process when it queued a job, or after a time (for jobs other replicas queued).
private actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    func wait(upTo limit: Duration) async {
        if rung {
            rung = false
            return
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            await self?.ring()
        }
        await withCheckedContinuation { waiter = $0 }
        timer.cancel()
        rung = false
    }
}
