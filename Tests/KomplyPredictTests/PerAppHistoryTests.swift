import GRDB
import KomplyCore
import XCTest

@testable import KomplyPredict

/// Issue 14 item 5: history is keyed by app, service and container; one app's `db` never sizes another's.
final class PerAppHistoryTests: XCTestCase {
    let mi = 1_048_576.0
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-per-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    override class func tearDown() {
        TestPostgres.stop()
        super.tearDown()
    }

    /// A new store on a fresh PostgreSQL database (the same tests run on both engines).
    func postgresStore() throws -> HistoryStore { try HistoryStore.open(path: try TestPostgres.newDatabase()) }

    func read(_ text: String, file: String, _ options: HistoryImporter.Options = HistoryImporter.Options()) throws -> HistoryBatch {
        try HistoryImporter(options: options).read(data: Data(text.utf8), file: file)
    }

    /// 300 samples over 8 days of one container's usage.
    func usage(app: String, service: String, cpu: Double, memory: Double) -> HistoryBatch {
        var batch = HistoryBatch(deployments: [
            DeploymentRecord(
                app: app, service: service, container: service, image: "postgres:16", runtime: "postgres", role: "database",
                features: ["family": "postgres", "role": "database", "runtime": "postgres"], time: 1_763_683_200)
        ])
        for i in 0..<300 {
            let t = 1_763_683_200 + Double(i) * 2_400
            batch.samples.append(
                UsageSample(app: app, service: service, container: service, time: t, resource: .cpu, value: cpu, source: "t"))
            batch.samples.append(
                UsageSample(app: app, service: service, container: service, time: t, resource: .memory, value: memory, source: "t"))
        }
        return batch
    }

    func db(_ app: String) -> WorkloadFeatures { WorkloadFeatures(app: app, service: "db", image: "postgres:16") }

    // MARK: the store and the recommender

    func testOneAppsDbNeverSizesAnotherAppsDb() throws {
        try checkOneAppsDbNeverSizesAnotherAppsDb(try HistoryStore.inMemory())
    }

    func testOneAppsDbNeverSizesAnotherAppsDbOnPostgres() throws {
        try checkOneAppsDbNeverSizesAnotherAppsDb(try postgresStore())
    }

    func checkOneAppsDbNeverSizesAnotherAppsDb(_ store: HistoryStore) throws {
        try store.write(usage(app: "shop", service: "db", cpu: 2, memory: 3_000 * mi))
        try store.write(usage(app: "blog", service: "db", cpu: 0.05, memory: 100 * mi))
        let histories = try store.serviceHistories()
        XCTAssertEqual(histories.map { "\($0.profile.app)/\($0.profile.service)" }, ["blog/db", "shop/db"])
        let recommender = Recommender(history: histories)
        let shop = recommender.recommend(db("shop"))
        let blog = recommender.recommend(db("blog"))
        // Each from its own history only: balanced CPU P95 × 1.05, memory P95 × 1.1.
        XCTAssertEqual(shop.cpuRequest.description, "2100m")
        XCTAssertEqual(shop.memoryRequest.description, "3300Mi")
        XCTAssertEqual(blog.cpuRequest.description, "53m")
        XCTAssertEqual(blog.memoryRequest.description, "110Mi")
        XCTAssertTrue(
            shop.reasons.contains { $0.hasPrefix("Own history of app \"shop\": 300 CPU and 300 memory samples") }, "\(shop.reasons)")
        // A third app with a db has no own history: the others are priors, named as other apps' history.
        let wiki = recommender.recommend(db("wiki"))
        XCTAssertTrue(wiki.reasons.contains { $0.hasPrefix("No usage history for db/db of app \"wiki\": cold start") }, "\(wiki.reasons)")
        let blended = try XCTUnwrap(wiki.reasons.first { $0.hasPrefix("Blended with 2 similar services") })
        XCTAssertTrue(blended.contains("db/db of app \"blog\" (similarity 0.90"), blended)
        XCTAssertTrue(blended.contains("db/db of app \"shop\" (similarity 0.90"), blended)
        XCTAssertTrue(blended.hasSuffix("Other apps' history is a prior here, never this service's own history."), blended)
        // The app name is normalised as generated output names the app: compose project My_Shop is app my-shop.
        try store.write(usage(app: "My_Shop", service: "db", cpu: 1, memory: 1_000 * mi))
        XCTAssertEqual(
            Recommender(history: try store.serviceHistories()).recommend(db("my_shop")).cpuRequest.description, "1050m")
    }

    func testLegacyRowsNeverSizeAnAppsServiceAndSaySo() throws {
        let store = try HistoryStore.inMemory()
        try store.write(usage(app: "", service: "db", cpu: 2, memory: 3_000 * mi))
        let recommender = Recommender(policy: SizingPolicy(neighbors: 0), history: try store.serviceHistories())
        let shop = recommender.recommend(db("shop"))
        XCTAssertEqual(shop, Recommender(policy: SizingPolicy(neighbors: 0)).recommend(db("shop")).withWarnings(shop.warnings))
        let warning = try XCTUnwrap(shop.warnings.first { $0.code == "history-without-app" })
        XCTAssertEqual(
            warning.message,
            "History holds 600 usage sample(s) of db/db recorded without an app (before komply keyed history by app); they may be "
                + "another app's, so they do not size shop/db. Re-import this app's usage with `komply history import --app shop` "
                + "(an `app` column or field works too).")
        // As a neighbour they are a prior, and named as such.
        let blended = Recommender(history: try store.serviceHistories()).recommend(db("shop")).reasons.first {
            $0.hasPrefix("Blended")
        }
        XCTAssertTrue(
            blended?.contains("db/db of history recorded without an app (before komply keyed history by app) (similarity") == true,
            "\(blended ?? "no blend")")
        // Once the app has its own history, it is used and the warning goes.
        try store.write(usage(app: "shop", service: "db", cpu: 0.5, memory: 500 * mi))
        let own = Recommender(history: try store.serviceHistories()).recommend(db("shop"))
        XCTAssertEqual(own.cpuRequest.description, "525m")
        XCTAssertFalse(own.warnings.contains { $0.code == "history-without-app" })
    }

    func testBacktestKeepsAppsApart() throws {
        var batch = usage(app: "shop", service: "db", cpu: 2, memory: 3_000 * mi)
        batch.append(usage(app: "blog", service: "db", cpu: 0.05, memory: 100 * mi))
        let report = try Backtest().run(batch, file: "h.jsonl")
        XCTAssertEqual(report.services.map { "\($0.app)/\($0.service)" }, ["blog/db", "shop/db"])
        XCTAssertEqual(report.services.map { $0.allocations["komply balanced"]?.cpuRequest }, [0.053, 2.1])
    }

    // MARK: the migration

    /// A history file exactly as komply wrote it before `v2-app` (the v1 schema, written here with raw SQL).
    func writeV1File(at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1-history');
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
                    INSERT INTO deployments (id, service, container, image, features, cpu_request, memory_limit, replicas, environment,
                        cluster, commit_sha, time)
                    VALUES (7, 'db', 'db', 'postgres:16', '{"family":"postgres"}', 0.5, 1073741824, 1, 'prod', 'eu1', 'abc123', 1763683200);
                    INSERT INTO outcomes VALUES (7, 'healthy');
                    INSERT INTO samples VALUES ('db', 'db', 1763683200, 'cpu', 0.25, 'csv'), ('db', 'db', 1763683200, 'memory', 209715200, 'csv'),
                        ('db', 'db', 1763686800, 'cpu', 0.5, 'csv'), ('db', 'db', 1763686800, 'memory', 314572800, 'csv');
                    INSERT INTO events VALUES ('db', 'db', 1763690000, 'oom_killed', 1073741824, 'exit 137');
                    INSERT INTO profiles VALUES ('db', 'db', '{"service":"db","container":"db"}');
                    """)
        }
        try queue.close()
    }

    func testAV1FileMigratesWithItsRowsAsLegacyAndAppInEveryKey() throws {
        let path = folder.appendingPathComponent("history.sqlite").path
        try writeV1File(at: path)
        let store = try HistoryStore.open(path: path)
        XCTAssertEqual(
            try store.appliedMigrations(), ["v1-history", "v2-app", "v3-observations", "v4-deployment-key", "v5-deployment-source"])
        XCTAssertEqual(
            try store.samples(),
            [
                UsageSample(app: "", service: "db", container: "db", time: 1_763_683_200, resource: .cpu, value: 0.25, source: "csv"),
                UsageSample(
                    app: "", service: "db", container: "db", time: 1_763_683_200, resource: .memory, value: 209_715_200, source: "csv"),
                UsageSample(app: "", service: "db", container: "db", time: 1_763_686_800, resource: .cpu, value: 0.5, source: "csv"),
                UsageSample(
                    app: "", service: "db", container: "db", time: 1_763_686_800, resource: .memory, value: 314_572_800, source: "csv"),
            ])
        XCTAssertEqual(
            try store.events(),
            [
                UsageEvent(
                    app: "", service: "db", container: "db", time: 1_763_690_000, kind: .oomKilled, value: 1_073_741_824, detail: "exit 137"
                )
            ])
        let deployment = try XCTUnwrap(try store.deployments().first)
        XCTAssertEqual(
            [deployment.app, deployment.image, deployment.outcome, deployment.commit], ["", "postgres:16", "healthy", "abc123"],
            "the outcome still points at its deployment")
        // The profile was rebuilt from the rows (the old JSON had no app and no numbers).
        let history = try XCTUnwrap(try store.serviceHistories().first)
        XCTAssertEqual([history.profile.app, history.profile.service], ["", "db"])
        XCTAssertEqual([history.profile.cpuSampleCount, history.profile.oomKills], [2, 1])

        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.read { db in
            func primaryKey(_ table: String) throws -> [String] {
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", arguments: [table])
            }
            XCTAssertEqual(try primaryKey("samples"), ["app", "service", "container", "resource", "time", "source"])
            XCTAssertEqual(try primaryKey("events"), ["app", "service", "container", "time", "kind"])
            XCTAssertEqual(try primaryKey("profiles"), ["app", "service", "container"])
            for table in ["samples", "events"] {
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table]) ?? ""
                XCTAssertTrue(sql.hasSuffix("WITHOUT ROWID"), sql)
            }
            let unique = try String.fetchAll(
                db,
                sql: """
                    SELECT ii.name FROM pragma_index_list('deployments') il, pragma_index_info(il.name) ii
                    WHERE il."unique" = 1 AND il.origin = 'u' ORDER BY ii.seqno
                    """)
            XCTAssertEqual(unique, ["app", "service", "container", "time", "environment", "cluster"])
            // v4: the key that treats a missing environment or cluster as one value.
            let key = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'deployments_key'") ?? ""
            XCTAssertTrue(key.contains("COALESCE(environment, '')") && key.contains("COALESCE(cluster, '')"), key)
            let defaults = try Row.fetchAll(
                db,
                sql: "SELECT m.name AS t, p.\"notnull\" AS nn, p.dflt_value AS d FROM sqlite_master m, pragma_table_info(m.name) p "
                    + "WHERE m.type = 'table' AND p.name = 'app' ORDER BY m.name")
            XCTAssertEqual(defaults.map { $0["t"] as String }, ["deployments", "events", "profiles", "samples"])
            XCTAssertTrue(defaults.allSatisfy { ($0["nn"] as Int) == 1 && ($0["d"] as String) == "''" })
        }
        // The same rows under an app are new rows, not duplicates of the legacy ones.
        let added = try store.write(
            HistoryBatch(samples: [
                UsageSample(app: "shop", service: "db", container: "db", time: 1_763_683_200, resource: .cpu, value: 0.25, source: "csv")
            ]))
        XCTAssertEqual(added.samples, 1)
    }

    // MARK: importers

    func testDockerStatsNamesMapToAppAndService() throws {
        let lines = [
            #"{"CPUPerc": "10%", "MemUsage": "100MiB / 1GiB", "Name": "shop-api-1"}"#,
            #"{"CPUPerc": "10%", "MemUsage": "100MiB / 1GiB", "Name": "blog_db_2"}"#,
            #"{"CPUPerc": "10%", "MemUsage": "100MiB / 1GiB", "Name": "my-shop-api-1"}"#,
            #"{"CPUPerc": "10%", "MemUsage": "100MiB / 1GiB", "Name": "redis"}"#,
            #"{"CPUPerc": "10%", "MemUsage": "100MiB / 1GiB", "Name": "x-y-z-1", "Labels": "com.docker.compose.project=x-y,com.docker.compose.service=z"}"#,
        ].joined(separator: "\n")
        let plain = try read(lines, file: "s.jsonl", HistoryImporter.Options(at: 1_000))
        XCTAssertEqual(
            Set(plain.samples.map { "\($0.app)/\($0.service)" }), ["shop/api", "blog/db", "/redis", "x-y/z"],
            "a compose name or labels give the app; a plain name gives none")
        XCTAssertEqual(
            plain.warnings,
            [
                "s.jsonl:3:57: skipped container \"my-shop-api-1\": its compose project is ambiguous (project/service my/shop-api "
                    + "or my-shop/api); import it with --app and the project name"
            ])
        let mine = try read(lines, file: "s.jsonl", HistoryImporter.Options(at: 1_000, app: "my-shop"))
        XCTAssertEqual(Set(mine.samples.map { "\($0.app)/\($0.service)" }), ["my-shop/api", "my-shop/redis"])
        XCTAssertEqual(mine.warnings.count, 3, "shop-api-1, blog_db_2 and x-y-z-1 belong to other projects: \(mine.warnings)")
        XCTAssertTrue(mine.warnings[0].hasPrefix("s.jsonl:1:57: skipped container \"shop-api-1\""), mine.warnings[0])
        let underscored = try read(
            #"{"CPUPerc": "1%", "MemUsage": "1MiB / 1GiB", "Name": "My_Shop-api-1"}"#, file: "s.jsonl",
            HistoryImporter.Options(at: 1_000, app: "my-shop"))
        XCTAssertEqual(underscored.samples.map { "\($0.app)/\($0.service)" }, ["my-shop/api", "my-shop/api"])
        let byService = try read(lines.split(separator: "\n")[2] + "", file: "s.jsonl", HistoryImporter.Options(service: "api", at: 1_000))
        XCTAssertEqual(byService.samples.map(\.app), ["my-shop", "my-shop"], "--service says where the project ends")
    }

    func testDockerInspectTakesTheComposeProjectLabel() throws {
        func container(_ name: String, project: String?) -> String {
            let labels = project.map { #""com.docker.compose.project": "\#($0)", "com.docker.compose.service": "db""# } ?? ""
            return #"{"Name": "/\#(name)", "Config": {"Image": "postgres:16", "Labels": {\#(labels)}}, "#
                + #""State": {"StartedAt": "2026-01-01T00:00:00Z"}}"#
        }
        let text =
            "["
            + [container("shop-db-1", project: "shop"), container("weird-name", project: "Blog_Site"), container("cache", project: nil)]
            .joined(separator: ",") + "]"
        let batch = try read(text, file: "i.json")
        XCTAssertEqual(batch.deployments.map { "\($0.app)/\($0.service)" }, ["shop/db", "blog-site/db", "/cache"])
        let scoped = try read(text, file: "i.json", HistoryImporter.Options(app: "shop"))
        XCTAssertEqual(scoped.deployments.map { "\($0.app)/\($0.service)" }, ["shop/db", "shop/cache"])
        XCTAssertEqual(scoped.warnings.count, 1)
        XCTAssertTrue(scoped.warnings[0].contains("skipped container \"weird-name\": its compose project is \"Blog_Site\", not --app shop"))
    }

    func testCSVAppColumnAndTheAppOption() throws {
        let csv = """
            time,app,service,cpu_cores
            2026-01-01T00:00:00Z,shop,db,0.5
            2026-01-01T00:00:00Z,Blog,db,0.1
            2026-01-01T00:00:10Z,,db,0.2
            """
        XCTAssertEqual(try read(csv, file: "u.csv").samples.map(\.app), ["shop", "blog", ""])
        XCTAssertThrowsError(try read(csv, file: "u.csv", HistoryImporter.Options(app: "shop"))) { error in
            XCTAssertEqual(
                (error as? PredictError)?.localizedDescription,
                "u.csv:3:22: expected app \"shop\" as --app says, found \"Blog\" (import that app's rows without --app)")
        }
        let noColumn = try read(
            "time,service,cpu_cores\n2026-01-01T00:00:00Z,db,0.5\n", file: "u.csv", HistoryImporter.Options(app: "Shop"))
        XCTAssertEqual(noColumn.samples.map(\.app), ["shop"])
    }

    func testJSONLinesAppFieldAndTheAppOption() throws {
        let text = """
            {"type":"sample","app":"shop","service":"db","time":"2026-01-01T00:00:00Z","resource":"cpu","value":0.5}
            {"type":"sample","service":"db","time":"2026-01-01T00:00:00Z","resource":"cpu","value":0.1}
            """
        XCTAssertEqual(try read(text, file: "h.jsonl").samples.map(\.app), ["shop", ""])
        XCTAssertEqual(try read(text, file: "h.jsonl", HistoryImporter.Options(app: "shop")).samples.map(\.app), ["shop", "shop"])
        XCTAssertThrowsError(try read(text, file: "h.jsonl", HistoryImporter.Options(app: "blog"))) { error in
            XCTAssertEqual(
                (error as? PredictError)?.localizedDescription,
                "h.jsonl:1:24: expected app \"blog\" as --app says, found \"shop\" (import that app's rows without --app)")
        }
    }

    func testPrometheusAndKubectlNamespaceIsTheApp() throws {
        let response = #"""
            {"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"namespace":"shop-prod","container":"db","pod":"db-0"},"values":[[60,"100"]]},
            {"metric":{"namespace":"blog","container":"db","pod":"db-0"},"values":[[60,"200"]]},
            {"metric":{"container":"db","pod":"db-0"},"values":[[60,"300"]]}]}}
            """#
        let plain = try read(response, file: "m.json", HistoryImporter.Options(metric: .memory))
        XCTAssertEqual(plain.samples.map(\.app), ["shop-prod", "blog", ""])
        var templated = HistoryImporter.Options(metric: .memory)
        templated.namespacePatterns = [.init(prefix: "", suffix: "-prod"), .init(prefix: "team-", suffix: "")]
        XCTAssertEqual(try read(response, file: "m.json", templated).samples.map(\.app), ["shop", "blog", ""])
        XCTAssertEqual(
            try read(response, file: "m.json", HistoryImporter.Options(metric: .memory, app: "wiki")).samples.map(\.app),
            ["wiki", "wiki", "wiki"], "--app overrides the namespace")

        let dump = #"""
            {"kind":"List","items":[{"kind":"Deployment","metadata":{"name":"db","namespace":"shop","creationTimestamp":"2026-01-01T00:00:00Z"},
            "spec":{"template":{"spec":{"containers":[{"name":"db","image":"postgres:16"}]}}}}]}
            """#
        XCTAssertEqual(try read(dump, file: "k.json").deployments.map(\.app), ["shop"])
    }

    func testExportWritesTheAppAndImportRoundTrips() throws {
        try checkExportWritesTheAppAndImportRoundTrips(try HistoryStore.inMemory(), copy: try HistoryStore.inMemory())
    }

    func testExportWritesTheAppAndImportRoundTripsOnPostgres() throws {
        try checkExportWritesTheAppAndImportRoundTrips(try postgresStore(), copy: try postgresStore())
    }

    func checkExportWritesTheAppAndImportRoundTrips(_ store: HistoryStore, copy: HistoryStore) throws {
        var batch = usage(app: "shop", service: "db", cpu: 0.5, memory: 100 * mi)
        batch.samples = Array(batch.samples.prefix(2))
        batch.events = [UsageEvent(app: "shop", service: "db", container: "db", time: 1_763_690_000, kind: .restart, value: 1)]
        batch.append(HistoryBatch(samples: [UsageSample(service: "db", container: "db", time: 1, resource: .cpu, value: 1, source: "t")]))
        try store.write(batch)
        let text = try store.exportJSONLines()
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].contains(#""app":"shop""#), lines[0])
        XCTAssertEqual(lines.filter { $0.contains(#""app":"shop""#) }.count, 4, "deployment, 2 samples, event")
        XCTAssertFalse(
            lines.contains { $0.contains(#""time":"1970-01-01T00:00:01.000Z""#) && $0.contains("app") }, "a legacy row has no app")
        try copy.write(try HistoryJSONLines.decode(text, file: "h.jsonl"))
        XCTAssertEqual(try copy.exportJSONLines(), text)
        XCTAssertEqual(try copy.samples().map(\.app), ["", "shop", "shop"])
    }
}

private extension Recommendation {
    func withWarnings(_ warnings: [SizingWarning]) -> Recommendation {
        var copy = self
        copy.warnings = warnings
        return copy
    }
}
