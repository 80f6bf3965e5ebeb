import Foundation
import GRDB
import KomplyCore

/// The history database: deployments, usage samples, events, outcomes and the aggregated profiles built
/// from them, in one SQLite file (WAL, the embedded store) or one PostgreSQL database (the shared store,
/// `postgres://user@host:port/db`), with the same schema and migrations (see `HistoryDatabase`, `SQLDialect`).
///
/// Writes are transactions, so an interrupted write leaves the previous state; readers (a `komply predict`
/// in CI) read while a writer (`komply history observe`) appends. The API is synchronous on purpose: every
/// caller is a command or a flow that reads the whole history before going on, and SQLite is synchronous;
/// the PostgreSQL backend bridges its asynchronous driver on an event loop of its own.
public final class HistoryStore: Sendable {
    /// The file path, `:memory:`, or the PostgreSQL URL (never with a password).
    public let path: String
    let database: any HistoryDatabase

    /// Opens (creating and migrating as needed) the history at `path`: an SQLite file, or a
    /// `postgres://user@host:port/db` URL (the password from `PGPASSWORD` or `PGPASSFILE`).
    public static func open(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PredictError) -> HistoryStore {
        if PostgresLocation.isURL(path) {
            let database = try PostgresHistoryDatabase.connect(url: path, environment: environment)
            return try HistoryStore(database: database)
        }
        do {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try refuseForeignDatabase(at: path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let pool = try DatabasePool(path: path, configuration: configuration)
            return try HistoryStore(database: SQLiteHistoryDatabase(location: path, writer: pool))
        } catch let error as PredictError {
            throw error
        } catch {
            throw .database(file: path, reason: Self.describe(error))
        }
    }

    /// Whether `path` names a history that can be opened for reading: an existing file, or a PostgreSQL URL
    /// (whose database is checked when it is opened).
    public static func exists(at path: String) -> Bool {
        PostgresLocation.isURL(path) || FileManager.default.fileExists(atPath: path)
    }

    /// Whether `path` is a `postgres://` (or `postgresql://`) URL rather than a file path.
    public static func isURL(_ path: String) -> Bool { PostgresLocation.isURL(path) }

    /// Refuses an existing SQLite file that komply did not create (it has tables but no migration
    /// record), before anything is written to it: opening it for writing would add komply's tables and
    /// switch it to WAL mode.
    static func refuseForeignDatabase(at path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        let tables = try DatabaseQueue(path: path, configuration: configuration).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        guard !tables.isEmpty, !tables.contains("grdb_migrations") else { return }
        throw PredictError.database(
            file: path,
            reason:
                "not a komply history file (it holds the tables \(tables.prefix(5).joined(separator: ", "))); expected a file komply history created, or a new path — nothing was written"
        )
    }

    /// A history that lives in memory only (for `komply backtest FILE…` and tests).
    public static func inMemory() throws(PredictError) -> HistoryStore {
        do {
            return try HistoryStore(database: SQLiteHistoryDatabase(location: ":memory:", writer: DatabaseQueue()))
        } catch let error as PredictError {
            throw error
        } catch {
            throw .database(file: ":memory:", reason: Self.describe(error))
        }
    }

    /// The journal mode: what SQLite reports (`wal` for files), `postgresql` for the shared store.
    public func journalMode() throws(PredictError) -> String {
        guard let sqlite = database as? SQLiteHistoryDatabase else { return "postgresql" }
        do {
            return try sqlite.journalMode()
        } catch {
            throw .database(file: path, reason: Self.describe(error))
        }
    }

    /// Applied migration identifiers, in order.
    public func appliedMigrations() throws(PredictError) -> [String] {
        let applied = try run { db in Set(try db.fetch("SELECT identifier FROM grdb_migrations").map { $0.string("identifier") }) }
        return Self.migrations.map(\.identifier).filter(applied.contains)
    }

    /// Writes a batch in one transaction (duplicates are ignored) and rebuilds the touched profiles.
    ///
    /// Nothing outside komply's physical bounds reaches the database: samples, events and deployments whose
    /// numbers are not finite, out of range, or dated after `now` (beyond the clock-skew tolerance) are left
    /// out, and `WriteSummary.dropped` says what was left out. `observed` moves each named cluster's
    /// observation mark (`komply observe`) in the same transaction.
    @discardableResult
    public func write(_ batch: HistoryBatch, now: Double? = nil, observed: [String: Double] = [:]) throws(PredictError) -> WriteSummary {
        let batch = batch.bounded(now: now).keyedByApp()
        let dropped = batch.warnings
        return try run(writing: true) { db in
            // One transaction: all of the batch or none of it.
            var summary = WriteSummary()
            summary.dropped = dropped
            for record in batch.deployments {
                summary.deployments += try Self.insert(record, db)
            }
            for sample in batch.samples {
                summary.samples += try db.execute(
                    """
                    INSERT OR IGNORE INTO samples (app, service, container, time, resource, value, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(sample.app), .text(sample.service), .text(sample.container), .real(sample.time),
                        .text(sample.resource.rawValue), .real(sample.value), .text(sample.source),
                    ])
            }
            for event in batch.events {
                summary.events += try db.execute(
                    """
                    INSERT OR IGNORE INTO events (app, service, container, time, kind, value, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(event.app), .text(event.service), .text(event.container), .real(event.time), .text(event.kind.rawValue),
                        HistoryValue(event.value), .text(event.detail),
                    ])
            }
            for (cluster, until) in observed.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    """
                    INSERT INTO observations (cluster, until) VALUES (?, ?)
                    ON CONFLICT (cluster) DO UPDATE SET until = max(observations.until, excluded.until)
                    """,
                    [.text(cluster), .real(until)])
            }
            var touched = Set<ContainerKey>()
            batch.samples.forEach { touched.insert(ContainerKey(app: $0.app, service: $0.service, container: $0.container)) }
            batch.events.forEach { touched.insert(ContainerKey(app: $0.app, service: $0.service, container: $0.container)) }
            batch.deployments.forEach { touched.insert(ContainerKey(app: $0.app, service: $0.service, container: $0.container)) }
            for key in touched.sorted() {
                try Self.refreshProfile(key, now: now, db)
            }
            summary.profiles = touched.count
            return summary
        }
    }

    /// Every deployment, oldest first.
    public func deployments() throws(PredictError) -> [DeploymentRecord] {
        try run { db in try Self.fetchDeployments(db, where: nil) }
    }

    /// Every sample, ordered by app, service, container, time and resource.
    public func samples() throws(PredictError) -> [UsageSample] {
        try run { db in try Self.fetchSamples(db, key: nil) }
    }

    /// How far `komply observe` has read each cluster (Unix seconds of the last point recorded), by cluster name.
    public func observationMarks() throws(PredictError) -> [String: Double] {
        try run { db in
            var marks: [String: Double] = [:]
            for row in try db.fetch("SELECT cluster, until FROM observations") {
                if case .some(.some(let until)) = Self.bounded(row["until"], .unixSeconds) { marks[row.string("cluster")] = until }
            }
            return marks
        }
    }

    /// Every event, ordered by time.
    public func events() throws(PredictError) -> [UsageEvent] {
        try run { db in try Self.fetchEvents(db, key: nil) }
    }

    /// Every container's stored profile with its latest deployment and OOM limits.
    public func serviceHistories() throws(PredictError) -> [ServiceHistory] {
        try run { db in
            let rows = try db.fetch("SELECT app, service, container, profile FROM profiles ORDER BY app, service, container")
            return try rows.map { row in
                let key = ContainerKey(app: row.string("app"), service: row.string("service"), container: row.string("container"))
                var profile = try JSONDecoder().decode(UsageProfile.self, from: Data(row.string("profile").utf8))
                // The key columns are the truth; the JSON copy is what they were when it was built.
                profile.app = key.app
                if !profile.isWithinBounds {
                    // A store written before the bounds (or by hand) can hold poisoned numbers: rebuild the profile
                    // from the rows that are within them instead of sizing from it.
                    profile = try Self.buildProfile(key, now: nil, db)
                    profile.notes.append(
                        "the stored profile held numbers outside komply's physical bounds; it was rebuilt from the rows within them")
                }
                let latest = try Self.fetchDeployments(db, where: key).last
                let ooms = try Self.fetchEvents(db, key: key).filter { $0.kind == .oomKilled }.compactMap(\.value)
                return ServiceHistory(profile: profile, latest: latest, oomLimits: ooms)
            }
        }
    }

    /// The whole history as JSON lines, in a stable order, for review or sharing in git.
    public func exportJSONLines() throws(PredictError) -> String {
        let (deployments, samples, events) = try run { db in
            (try Self.fetchDeployments(db, where: nil), try Self.fetchSamples(db, key: nil), try Self.fetchEvents(db, key: nil))
        }
        return HistoryJSONLines.encode(HistoryBatch(deployments: deployments, samples: samples, events: events))
    }

    /// What a write added.
    public struct WriteSummary: Sendable, Hashable {
        /// New deployments.
        public var deployments = 0
        /// New samples (duplicates are not counted).
        public var samples = 0
        /// New events.
        public var events = 0
        /// Profiles rebuilt.
        public var profiles = 0
        /// What the batch's importers and the store left out because it is outside komply's physical bounds.
        public var dropped: [String] = []

        /// Nothing written yet.
        public init() {}
    }

    private init(database: any HistoryDatabase) throws(PredictError) {
        self.path = database.location
        self.database = database
        do {
            try database.migrate(Self.migrations)
        } catch {
            throw .database(file: database.location, reason: "cannot apply the schema migrations: \(Self.describe(error))")
        }
    }
}

/// An app, service and container name triple: the key of every history row.
struct ContainerKey: Hashable, Comparable {
    var app: String
    var service: String
    var container: String

    /// Whether a row with these names belongs to this key.
    func holds(_ app: String, _ service: String, _ container: String) -> Bool {
        self.app == app && self.service == service && self.container == container
    }

    static func < (lhs: ContainerKey, rhs: ContainerKey) -> Bool {
        (lhs.app, lhs.service, lhs.container) < (rhs.app, rhs.service, rhs.container)
    }
}

extension HistoryStore {
    /// Runs `body` in one transaction of the backend, its errors worded with the store's location.
    func run<T>(writing: Bool = false, _ body: (any HistoryConnection) throws -> T) throws(PredictError) -> T {
        do {
            return try database.transaction(writing: writing, body)
        } catch let error as PredictError {
            throw error
        } catch {
            throw .database(file: path, reason: Self.describe(error))
        }
    }

    /// A nullable column's number when it is within `bound`: `.some(nil)` for NULL, nil when out of bounds
    /// (text, NaN, 1e300), so the row can be skipped instead of trapping in an integer conversion.
    static func bounded(_ value: HistoryValue, _ bound: NumberBound) -> Double?? {
        switch value {
        case .null: return .some(nil)
        case .integer(let number): return HistoryBatch.problem(Double(number), bound) == nil ? .some(Double(number)) : nil
        case .real(let number): return HistoryBatch.problem(number, bound) == nil ? .some(number.rounded()) : nil
        case .text: return nil
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error)" }
        return PostgresHistoryDatabase.describe(error)
    }

    /// Inserts a deployment (and its outcome); returns 1 when it was new.
    static func insert(_ record: DeploymentRecord, _ db: any HistoryConnection) throws -> Int {
        let features = JSONEmitter.emit(.sortedObject(record.features.mapValues { .string($0) }), pretty: false)
        let inserted = try db.execute(
            """
            INSERT OR IGNORE INTO deployments (app, service, container, image, runtime, role, features, cpu_request, cpu_limit,
                memory_request, memory_limit, replicas, environment, cluster, commit_sha, time, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(record.app), .text(record.service), .text(record.container), HistoryValue(record.image),
                HistoryValue(record.runtime), HistoryValue(record.role), .text(features), HistoryValue(record.resources.cpuRequest),
                HistoryValue(record.resources.cpuLimit), HistoryValue(record.resources.memoryRequest),
                HistoryValue(record.resources.memoryLimit), HistoryValue(record.replicas), HistoryValue(record.environment),
                HistoryValue(record.cluster), HistoryValue(record.commit), .real(record.time), .text(record.source.rawValue),
            ])
        if let outcome = record.outcome {
            try db.execute(
                """
                INSERT INTO outcomes (deployment_id, outcome)
                SELECT id, ? FROM deployments WHERE app = ? AND service = ? AND container = ? AND time = ?
                    AND environment IS ? AND cluster IS ?
                ON CONFLICT (deployment_id) DO UPDATE SET outcome = excluded.outcome
                """,
                [
                    .text(outcome), .text(record.app), .text(record.service), .text(record.container), .real(record.time),
                    HistoryValue(record.environment), HistoryValue(record.cluster),
                ])
        }
        return inserted
    }

    static func fetchDeployments(_ db: any HistoryConnection, where key: ContainerKey?) throws -> [DeploymentRecord] {
        var sql = """
            SELECT d.*, o.outcome FROM deployments d LEFT JOIN outcomes o ON o.deployment_id = d.id
            """
        var arguments: [HistoryValue] = []
        if let key {
            sql += " WHERE d.app = ? AND d.service = ? AND d.container = ?"
            arguments = [.text(key.app), .text(key.service), .text(key.container)]
        }
        // NULLS FIRST is SQLite's order; PostgreSQL would put them last.
        sql += " ORDER BY d.time, d.app, d.service, d.container, d.environment NULLS FIRST, d.cluster NULLS FIRST"
        return try db.fetch(sql, arguments).compactMap { row in
            // Rows outside the bounds (a store written before them) are skipped, never decoded into a trap.
            guard let replicas = Self.bounded(row["replicas"], .replicas) else { return nil }
            var features: [String: String] = [:]
            if let object = try? JSONSerialization.jsonObject(with: Data(row.string("features").utf8)) as? [String: String] {
                features = object
            }
            return DeploymentRecord(
                app: row.string("app"), service: row.string("service"), container: row.string("container"),
                image: row.optionalString("image"), runtime: row.optionalString("runtime"), role: row.optionalString("role"),
                features: features,
                resources: ResourceAmounts(
                    cpuRequest: row.optionalDouble("cpu_request"), cpuLimit: row.optionalDouble("cpu_limit"),
                    memoryRequest: row.optionalDouble("memory_request"), memoryLimit: row.optionalDouble("memory_limit")),
                replicas: replicas.map { Int($0) }, environment: row.optionalString("environment"),
                cluster: row.optionalString("cluster"), commit: row.optionalString("commit_sha"), time: row.double("time"),
                outcome: row.optionalString("outcome"),
                // A value a later komply wrote (or a hand edit) reads as the recommender's, the column's default.
                source: SizingSource(rawValue: row.string("source")) ?? .deterministic)
        }.filter { HistoryBatch.problem($0, now: nil) == nil }
    }

    static func fetchSamples(_ db: any HistoryConnection, key: ContainerKey?) throws -> [UsageSample] {
        var sql = "SELECT * FROM samples"
        var arguments: [HistoryValue] = []
        if let key {
            sql += " WHERE app = ? AND service = ? AND container = ?"
            arguments = [.text(key.app), .text(key.service), .text(key.container)]
        }
        sql += " ORDER BY app, service, container, time, resource, source"
        return try db.fetch(sql, arguments).map { row in
            UsageSample(
                app: row.string("app"), service: row.string("service"), container: row.string("container"), time: row.double("time"),
                resource: ResourceKind(rawValue: row.string("resource")) ?? .cpu, value: row.double("value"),
                source: row.string("source"))
        }.filter { HistoryBatch.problem($0, now: nil) == nil }
    }

    static func fetchEvents(_ db: any HistoryConnection, key: ContainerKey?) throws -> [UsageEvent] {
        var sql = "SELECT * FROM events"
        var arguments: [HistoryValue] = []
        if let key {
            sql += " WHERE app = ? AND service = ? AND container = ?"
            arguments = [.text(key.app), .text(key.service), .text(key.container)]
        }
        sql += " ORDER BY time, app, service, container, kind"
        return try db.fetch(sql, arguments).map { row in
            UsageEvent(
                app: row.string("app"), service: row.string("service"), container: row.string("container"), time: row.double("time"),
                kind: UsageEvent.Kind(rawValue: row.string("kind")) ?? .restart, value: row.optionalDouble("value"),
                detail: row.string("detail"))
        }.filter { HistoryBatch.problem($0, now: nil) == nil }
    }

    static func buildProfile(_ key: ContainerKey, now: Double?, _ db: any HistoryConnection) throws -> UsageProfile {
        let samples = try fetchSamples(db, key: key)
        let events = try fetchEvents(db, key: key)
        let latest = try fetchDeployments(db, where: key).last
        return ProfileBuilder().build(
            app: key.app, service: key.service, container: key.container, samples: samples, events: events,
            cpuRequest: latest?.resources.cpuRequest, memoryRequest: latest?.resources.memoryRequest,
            now: now)
    }

    static func refreshProfile(_ key: ContainerKey, now: Double?, _ db: any HistoryConnection) throws {
        let profile = try buildProfile(key, now: now, db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(profile), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO profiles (app, service, container, profile) VALUES (?, ?, ?, ?)
            ON CONFLICT (app, service, container) DO UPDATE SET profile = excluded.profile
            """,
            [.text(key.app), .text(key.service), .text(key.container), .text(text)])
    }
}
