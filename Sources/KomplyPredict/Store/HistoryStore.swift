import Foundation
import GRDB
import KomplyCore

/// The history database: one SQLite file (WAL, migrated on open) holding deployments, usage samples,
/// events, outcomes and the aggregated profiles built from them.
///
/// Writes are transactions, so an interrupted write leaves the previous state; WAL lets readers
/// (a `komply predict` in CI) read while a writer (`komply history observe`) appends.
public final class HistoryStore: Sendable {
    /// The file path, or `:memory:`.
    public let path: String
    private let writer: any DatabaseWriter

    /// Opens (creating and migrating as needed) the history file at `path`.
    public static func open(path: String) throws(PredictError) -> HistoryStore {
        do {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try refuseForeignDatabase(at: path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let pool = try DatabasePool(path: path, configuration: configuration)
            return try HistoryStore(path: path, writer: pool)
        } catch let error as PredictError {
            throw error
        } catch {
            throw .database(file: path, reason: Self.describe(error))
        }
    }

    /// A history that lives in memory only (for `komply backtest FILE…` and tests).
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

    public static func inMemory() throws(PredictError) -> HistoryStore {
        do {
            return try HistoryStore(path: ":memory:", writer: DatabaseQueue())
        } catch let error as PredictError {
            throw error
        } catch {
            throw .database(file: ":memory:", reason: Self.describe(error))
        }
    }

    /// The journal mode SQLite reports (`wal` for files).
    public func journalMode() throws(PredictError) -> String {
        try run { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Applied migration identifiers, in order.
    public func appliedMigrations() throws(PredictError) -> [String] {
        try run { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Writes a batch in one transaction (duplicates are ignored) and rebuilds the touched profiles.
    ///
    /// Nothing outside komply's physical bounds reaches SQLite: samples, events and deployments whose numbers
    /// are not finite, out of range, or dated after `now` (beyond the clock-skew tolerance) are left out, and
    /// `WriteSummary.dropped` says what was left out.
    @discardableResult
    /// `observed` moves each named cluster's observation mark (`komply observe`) in the same transaction.
    public func write(_ batch: HistoryBatch, now: Double? = nil, observed: [String: Double] = [:]) throws(PredictError) -> WriteSummary {
        let batch = batch.bounded(now: now).keyedByApp()
        let dropped = batch.warnings
        return try run { db in
            // `write` runs the closure in one transaction: all of the batch or none of it.
            var summary = WriteSummary()
            summary.dropped = dropped
            do {
                for record in batch.deployments {
                    summary.deployments += try Self.insert(record, db)
                }
                for sample in batch.samples {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO samples (app, service, container, time, resource, value, source)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            sample.app, sample.service, sample.container, sample.time, sample.resource.rawValue, sample.value,
                            sample.source,
                        ])
                    summary.samples += db.changesCount
                }
                for event in batch.events {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO events (app, service, container, time, kind, value, detail)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [event.app, event.service, event.container, event.time, event.kind.rawValue, event.value, event.detail])
                    summary.events += db.changesCount
                }
                for (cluster, until) in observed.sorted(by: { $0.key < $1.key }) {
                    try db.execute(
                        sql: """
                            INSERT INTO observations (cluster, until) VALUES (?, ?)
                            ON CONFLICT (cluster) DO UPDATE SET until = max(until, excluded.until)
                            """,
                        arguments: [cluster, until])
                }
                var touched = Set<ContainerKey>()
                batch.samples.forEach { touched.insert(ContainerKey(app: $0.app, service: $0.service, container: $0.container)) }
                batch.events.forEach { touched.insert(ContainerKey(app: $0.app, service: $0.service, container: $0.container)) }
                batch.deployments.forEach { touched.insert(ContainerKey(app: $0.app, service: $0.service, container: $0.container)) }
                for key in touched.sorted() {
                    try Self.refreshProfile(key, now: now, db)
                }
                summary.profiles = touched.count
            }
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
            for row in try Row.fetchAll(db, sql: "SELECT cluster, until FROM observations") {
                let cluster: String = row["cluster"]
                if case .some(.some(let until)) = Self.bounded(row["until"], .unixSeconds) { marks[cluster] = until }
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
            let rows = try Row.fetchAll(
                db, sql: "SELECT app, service, container, profile FROM profiles ORDER BY app, service, container")
            return try rows.map { row in
                let key = ContainerKey(app: row["app"], service: row["service"], container: row["container"])
                let data: String = row["profile"]
                var profile = try JSONDecoder().decode(UsageProfile.self, from: Data(data.utf8))
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

    private init(path: String, writer: any DatabaseWriter) throws {
        self.path = path
        self.writer = writer
        try Self.migrator.migrate(writer)
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

private extension HistoryStore {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-history") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deployments (
                        id INTEGER PRIMARY KEY, service TEXT NOT NULL, container TEXT NOT NULL, image TEXT, runtime TEXT, role TEXT,
                        features TEXT NOT NULL DEFAULT '{}', cpu_request REAL, cpu_limit REAL, memory_request REAL, memory_limit REAL,
                        replicas INTEGER, environment TEXT, cluster TEXT, commit_sha TEXT, time REAL NOT NULL,
                        UNIQUE (service, container, time, environment, cluster));
                    CREATE TABLE samples (
                        service TEXT NOT NULL, container TEXT NOT NULL, time REAL NOT NULL, resource TEXT NOT NULL
                        CHECK (resource IN ('cpu', 'memory')), value REAL NOT NULL, source TEXT NOT NULL,
                        PRIMARY KEY (service, container, resource, time, source)) WITHOUT ROWID;
                    CREATE TABLE events (
                        service TEXT NOT NULL, container TEXT NOT NULL, time REAL NOT NULL, kind TEXT NOT NULL, value REAL,
                        detail TEXT NOT NULL DEFAULT '', PRIMARY KEY (service, container, time, kind)) WITHOUT ROWID;
                    CREATE TABLE outcomes (
                        deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE, outcome TEXT NOT NULL,
                        PRIMARY KEY (deployment_id));
                    CREATE TABLE profiles (
                        service TEXT NOT NULL, container TEXT NOT NULL, profile TEXT NOT NULL, PRIMARY KEY (service, container));
                    """)
        }
        migrator.registerMigration("v2-app") { db in try migrateToAppKeys(db) }
        // How far `komply observe` has read each cluster, so the next run asks only for what is new.
        migrator.registerMigration("v3-observations") { db in
            try db.execute(sql: "CREATE TABLE observations (cluster TEXT NOT NULL PRIMARY KEY, until REAL NOT NULL) WITHOUT ROWID")
        }
        return migrator
    }

    /// `v2-app`: every table gets `app TEXT NOT NULL DEFAULT ''` as the first part of its key. SQLite cannot
    /// change a primary key in place, so each table is recreated and its rows copied (existing rows get
    /// app '', deployment ids are kept so outcomes still point at them); profiles are rebuilt per key.
    static func migrateToAppKeys(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE deployments_v2 (
                    id INTEGER PRIMARY KEY, app TEXT NOT NULL DEFAULT '', service TEXT NOT NULL, container TEXT NOT NULL,
                    image TEXT, runtime TEXT, role TEXT, features TEXT NOT NULL DEFAULT '{}', cpu_request REAL, cpu_limit REAL,
                    memory_request REAL, memory_limit REAL, replicas INTEGER, environment TEXT, cluster TEXT, commit_sha TEXT,
                    time REAL NOT NULL, UNIQUE (app, service, container, time, environment, cluster));
                INSERT INTO deployments_v2 (id, app, service, container, image, runtime, role, features, cpu_request, cpu_limit,
                    memory_request, memory_limit, replicas, environment, cluster, commit_sha, time)
                SELECT id, '', service, container, image, runtime, role, features, cpu_request, cpu_limit, memory_request,
                    memory_limit, replicas, environment, cluster, commit_sha, time FROM deployments;
                DROP TABLE deployments;
                ALTER TABLE deployments_v2 RENAME TO deployments;
                CREATE TABLE samples_v2 (
                    app TEXT NOT NULL DEFAULT '', service TEXT NOT NULL, container TEXT NOT NULL, time REAL NOT NULL,
                    resource TEXT NOT NULL CHECK (resource IN ('cpu', 'memory')), value REAL NOT NULL, source TEXT NOT NULL,
                    PRIMARY KEY (app, service, container, resource, time, source)) WITHOUT ROWID;
                INSERT INTO samples_v2 (app, service, container, time, resource, value, source)
                SELECT '', service, container, time, resource, value, source FROM samples;
                DROP TABLE samples;
                ALTER TABLE samples_v2 RENAME TO samples;
                CREATE TABLE events_v2 (
                    app TEXT NOT NULL DEFAULT '', service TEXT NOT NULL, container TEXT NOT NULL, time REAL NOT NULL,
                    kind TEXT NOT NULL, value REAL, detail TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY (app, service, container, time, kind)) WITHOUT ROWID;
                INSERT INTO events_v2 (app, service, container, time, kind, value, detail)
                SELECT '', service, container, time, kind, value, detail FROM events;
                DROP TABLE events;
                ALTER TABLE events_v2 RENAME TO events;
                DROP TABLE profiles;
                CREATE TABLE profiles (
                    app TEXT NOT NULL DEFAULT '', service TEXT NOT NULL, container TEXT NOT NULL, profile TEXT NOT NULL,
                    PRIMARY KEY (app, service, container));
                """)
        let keys = try Row.fetchAll(
            db,
            sql: """
                SELECT app, service, container FROM samples UNION SELECT app, service, container FROM events
                UNION SELECT app, service, container FROM deployments ORDER BY 1, 2, 3
                """
        ).map { ContainerKey(app: $0["app"], service: $0["service"], container: $0["container"]) }
        for key in keys { try refreshProfile(key, now: nil, db) }
    }

    func run<T>(_ body: (Database) throws -> T) throws(PredictError) -> T {
        do {
            return try writer.write(body)
        } catch let error as PredictError {
            throw error
        } catch {
            throw .database(file: path, reason: Self.describe(error))
        }
    }

    /// A nullable column's number when it is within `bound`: `.some(nil)` for NULL, nil when out of bounds
    /// (text, NaN, 1e300), so the row can be skipped instead of trapping in an integer conversion.
    static func bounded(_ value: DatabaseValue, _ bound: NumberBound) -> Double?? {
        switch value.storage {
        case .null: return .some(nil)
        case .int64(let number): return HistoryBatch.problem(Double(number), bound) == nil ? .some(Double(number)) : nil
        case .double(let number): return HistoryBatch.problem(number, bound) == nil ? .some(number.rounded()) : nil
        default: return nil
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error)" }
        return "\(error)"
    }

    /// Inserts a deployment (and its outcome); returns 1 when it was new.
    static func insert(_ record: DeploymentRecord, _ db: Database) throws -> Int {
        let features = JSONEmitter.emit(.sortedObject(record.features.mapValues { .string($0) }), pretty: false)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO deployments (app, service, container, image, runtime, role, features, cpu_request, cpu_limit,
                    memory_request, memory_limit, replicas, environment, cluster, commit_sha, time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.app, record.service, record.container, record.image, record.runtime, record.role, features,
                record.resources.cpuRequest, record.resources.cpuLimit, record.resources.memoryRequest,
                record.resources.memoryLimit, record.replicas, record.environment, record.cluster, record.commit, record.time,
            ])
        let inserted = db.changesCount
        if let outcome = record.outcome {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO outcomes (deployment_id, outcome)
                    SELECT id, ? FROM deployments WHERE app = ? AND service = ? AND container = ? AND time = ?
                        AND environment IS ? AND cluster IS ?
                    """,
                arguments: [outcome, record.app, record.service, record.container, record.time, record.environment, record.cluster])
        }
        return inserted
    }

    static func fetchDeployments(_ db: Database, where key: ContainerKey?) throws -> [DeploymentRecord] {
        var sql = """
            SELECT d.*, o.outcome FROM deployments d LEFT JOIN outcomes o ON o.deployment_id = d.id
            """
        var arguments: StatementArguments = []
        if let key {
            sql += " WHERE d.app = ? AND d.service = ? AND d.container = ?"
            arguments = [key.app, key.service, key.container]
        }
        sql += " ORDER BY d.time, d.app, d.service, d.container, d.environment, d.cluster"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            // Rows outside the bounds (a store written before them) are skipped, never decoded into a trap.
            guard let replicas = Self.bounded(row["replicas"], .replicas) else { return nil }
            let featuresText: String = row["features"]
            var features: [String: String] = [:]
            if let object = try? JSONSerialization.jsonObject(with: Data(featuresText.utf8)) as? [String: String] { features = object }
            return DeploymentRecord(
                app: row["app"], service: row["service"], container: row["container"], image: row["image"], runtime: row["runtime"],
                role: row["role"],
                features: features,
                resources: ResourceAmounts(
                    cpuRequest: row["cpu_request"], cpuLimit: row["cpu_limit"], memoryRequest: row["memory_request"],
                    memoryLimit: row["memory_limit"]),
                replicas: replicas.map { Int($0) }, environment: row["environment"], cluster: row["cluster"],
                commit: row["commit_sha"], time: row["time"], outcome: row["outcome"])
        }.filter { HistoryBatch.problem($0, now: nil) == nil }
    }

    static func fetchSamples(_ db: Database, key: ContainerKey?) throws -> [UsageSample] {
        var sql = "SELECT * FROM samples"
        var arguments: StatementArguments = []
        if let key {
            sql += " WHERE app = ? AND service = ? AND container = ?"
            arguments = [key.app, key.service, key.container]
        }
        sql += " ORDER BY app, service, container, time, resource, source"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            UsageSample(
                app: row["app"], service: row["service"], container: row["container"], time: row["time"],
                resource: ResourceKind(rawValue: row["resource"]) ?? .cpu, value: row["value"], source: row["source"])
        }.filter { HistoryBatch.problem($0, now: nil) == nil }
    }

    static func fetchEvents(_ db: Database, key: ContainerKey?) throws -> [UsageEvent] {
        var sql = "SELECT * FROM events"
        var arguments: StatementArguments = []
        if let key {
            sql += " WHERE app = ? AND service = ? AND container = ?"
            arguments = [key.app, key.service, key.container]
        }
        sql += " ORDER BY time, app, service, container, kind"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            UsageEvent(
                app: row["app"], service: row["service"], container: row["container"], time: row["time"],
                kind: UsageEvent.Kind(rawValue: row["kind"]) ?? .restart, value: row["value"], detail: row["detail"])
        }.filter { HistoryBatch.problem($0, now: nil) == nil }
    }

    static func buildProfile(_ key: ContainerKey, now: Double?, _ db: Database) throws -> UsageProfile {
        let samples = try fetchSamples(db, key: key)
        let events = try fetchEvents(db, key: key)
        let latest = try fetchDeployments(db, where: key).last
        return ProfileBuilder().build(
            app: key.app, service: key.service, container: key.container, samples: samples, events: events,
            cpuRequest: latest?.resources.cpuRequest, memoryRequest: latest?.resources.memoryRequest,
            now: now)
    }

    static func refreshProfile(_ key: ContainerKey, now: Double?, _ db: Database) throws {
        let profile = try buildProfile(key, now: now, db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(profile), as: UTF8.self)
        try db.execute(
            sql: "INSERT OR REPLACE INTO profiles (app, service, container, profile) VALUES (?, ?, ?, ?)",
            arguments: [key.app, key.service, key.container, text])
    }
}
