import Foundation

/// The history schema, one list of steps for both engines (SQLite's spelling, translated by `SQLDialect`).
extension HistoryStore {
    /// Every migration, in the order it is applied; an identifier never changes once released.
    static let migrations: [HistoryMigration] = [
        HistoryMigration(identifier: "v1-history") { connection in
            try connection.execute(
                """
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
        },
        HistoryMigration(identifier: "v2-app") { connection in try migrateToAppKeys(connection) },
        // How far `komply observe` has read each cluster, so the next run asks only for what is new.
        HistoryMigration(identifier: "v3-observations") { connection in
            try connection.execute("CREATE TABLE observations (cluster TEXT NOT NULL PRIMARY KEY, until REAL NOT NULL) WITHOUT ROWID")
        },
        // A deployment without an environment or cluster is one row however often it is imported: UNIQUE treats
        // NULLs as distinct in both engines, so the key is an index over COALESCE; duplicates already stored go.
        HistoryMigration(identifier: "v4-deployment-key") { connection in
            try connection.execute(
                """
                DELETE FROM deployments WHERE id NOT IN (
                    SELECT min(id) FROM deployments
                    GROUP BY app, service, container, time, COALESCE(environment, ''), COALESCE(cluster, ''));
                CREATE UNIQUE INDEX deployments_key
                    ON deployments (app, service, container, time, COALESCE(environment, ''), COALESCE(cluster, ''))
                """)
        },
        // Who chose each deployment's resources (`SizingSource`); every row recorded before is komply's recommender's.
        HistoryMigration(identifier: "v5-deployment-source") { connection in
            try connection.execute("ALTER TABLE deployments ADD COLUMN source TEXT NOT NULL DEFAULT 'deterministic'")
        },
    ]
}

private extension HistoryStore {
    /// `v2-app`: every table gets `app TEXT NOT NULL DEFAULT ''` as the first part of its key. SQLite cannot
    /// change a primary key in place, so each table is recreated and its rows copied (existing rows get
    /// app '', deployment ids are kept so outcomes still point at them); profiles are rebuilt per key.
    static func migrateToAppKeys(_ connection: any HistoryConnection) throws {
        try connection.execute(
            """
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
        if connection.dialect == .postgres {
            // PostgreSQL dropped outcomes' foreign key with the old table (CASCADE); SQLite's follows the name.
            try connection.execute(
                "ALTER TABLE outcomes ADD FOREIGN KEY (deployment_id) REFERENCES deployments(id) ON DELETE CASCADE")
        }
        let keys = try connection.fetch(
            """
            SELECT app, service, container FROM samples UNION SELECT app, service, container FROM events
            UNION SELECT app, service, container FROM deployments ORDER BY 1, 2, 3
            """
        ).map { ContainerKey(app: $0.string("app"), service: $0.string("service"), container: $0.string("container")) }
        for key in keys { try refreshProfile(key, now: nil, connection) }
    }
}
