import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Changes reach running pods, the autoscaler owns its replica count, and shared secrets are one key (issue 15, items 2–3).
final class RolloutTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-rollout-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(atPath: folder + "/repo/.git", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `files` (path → text) into the repository and generates its compose app.
    func generate(
        _ compose: String, files: [String: String] = [:], environment: [String: String] = [:],
        settings: GeneratorSettings = GeneratorSettings()
    ) throws -> GenerationResult {
        for (path, text) in files.merging(["compose.yaml": compose], uniquingKeysWith: { $1 }) {
            let url = URL(fileURLWithPath: folder + "/repo/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let projects = try SourceLoader.load(SourceRequest(paths: [folder + "/repo"], environment: environment))
        return try Generator(settings: settings).generate(projects)
    }

    /// The objects of every generated YAML file whose path contains `part`.
    func objects(_ result: GenerationResult, in part: String = "/base/") throws -> [ValueTree] {
        var objects: [ValueTree] = []
        for file in result.files where file.path.contains(part) && file.path.hasSuffix(".yaml") {
            objects += try YAMLLoader.parse(file.contents, file: file.path).map { $0.valueTree() }
        }
        return objects
    }

    func object(_ objects: [ValueTree], _ kind: String, _ name: String) throws -> ValueTree {
        try XCTUnwrap(objects.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name }, "\(kind) \(name)")
    }

    func configHash(_ result: GenerationResult, _ name: String, kind: String = "Deployment") throws -> String? {
        try object(objects(result), kind, name)["spec"]?["template"]?["metadata"]?["annotations"]?["komply.dev/config-hash"]?.stringValue
    }

    // MARK: - Item 3: config changes roll the pods

    func testConfigHashFollowsConfigMapDataAndSecretReferencesButNeverSecretValues() throws {
        let compose = { (level: String, token: String, extra: String) in
            """
            services:
              api:
                image: example/api:1
                ports: ["8080:8080"]
                environment:
                  LOG_LEVEL: \(level)
                  API_TOKEN: \(token)\(extra)
              worker:
                image: example/worker:1
                command: ["run"]
            """
        }
        let base = try configHash(generate(compose("info", "s3cr3t-value-one", "")), "api")
        let hash = try XCTUnwrap(base, "a pod that reads a ConfigMap and a Secret carries the hash")
        XCTAssertEqual(hash.count, 16)
        XCTAssertTrue(hash.allSatisfy(\.isHexDigit))
        XCTAssertNotEqual(try configHash(generate(compose("debug", "s3cr3t-value-one", "")), "api"), hash, "ConfigMap data changed")
        XCTAssertEqual(
            try configHash(generate(compose("info", "another-secret-two", "")), "api"), hash,
            "a Secret's value is not hashed (komply does not hash secret values)")
        XCTAssertNotEqual(
            try configHash(generate(compose("info", "s3cr3t-value-one", "\n      SESSION_SECRET: other-value")), "api"), hash,
            "a new Secret key the pod reads rolls it")
        XCTAssertNil(try configHash(generate(compose("info", "x", "")), "worker"), "a pod that reads no config has no hash")
        let again = try configHash(generate(compose("info", "s3cr3t-value-one", "")), "api")
        XCTAssertEqual(again, hash, "deterministic")
    }

    func testMountedFilesChangeTheHashAndAFolderIsMountedWholeWithoutSubPath() throws {
        let compose = """
            services:
              web:
                image: nginx:1.27
                ports: ["80:80"]
                volumes:
                  - ./conf.d:/etc/nginx/conf.d:ro
                  - ./nginx.conf:/etc/nginx/nginx.conf:ro
            """
        let files = [
            "conf.d/default.conf": "server { listen 80; }\n", "conf.d/extra.conf": "# extra\n", "nginx.conf": "events {}\n",
        ]
        let result = try generate(compose, files: files)
        let pod = try XCTUnwrap(object(objects(result), "Deployment", "web")["spec"]?["template"]?["spec"])
        guard case .array(let mounts)? = firstContainer(pod)?["volumeMounts"] else { return XCTFail("no mounts") }
        let folder = try XCTUnwrap(mounts.first { $0["mountPath"]?.stringValue == "/etc/nginx/conf.d" }, "the folder is one mount")
        XCTAssertNil(folder["subPath"], "a directory mount refreshes when the ConfigMap changes")
        XCTAssertFalse(mounts.contains { ($0["mountPath"]?.stringValue ?? "").hasPrefix("/etc/nginx/conf.d/") })
        let file = try XCTUnwrap(mounts.first { $0["mountPath"]?.stringValue == "/etc/nginx/nginx.conf" })
        XCTAssertEqual(file["subPath"]?.stringValue, "nginx.conf", "a single file keeps the image's other files visible")
        guard case .array(let volumes)? = pod["volumes"],
            let volume = volumes.first(where: { $0["name"] == folder["name"] }),
            case .array(let items)? = volume["configMap"]?["items"]
        else { return XCTFail("no volume for the folder") }
        XCTAssertEqual(items.compactMap { $0["path"]?.stringValue }.sorted(), ["default.conf", "extra.conf"])
        XCTAssertEqual(volume["configMap"]?["name"]?.stringValue, "web-files")
        var changed = files
        changed["conf.d/extra.conf"] = "# changed\n"
        XCTAssertNotEqual(try configHash(generate(compose, files: changed), "web"), try configHash(result, "web"))
    }

    func firstContainer(_ pod: ValueTree) -> ValueTree? {
        guard case .array(let containers)? = pod["containers"] else { return nil }
        return containers.first
    }

    // MARK: - Item 3: Argo CD does not fight the autoscaler

    func testAutoscaledDeploymentsCarryNoReplicasAndEnvironmentsMoveTheAutoscaler() throws {
        var settings = GeneratorSettings()
        settings.environments = [EnvironmentConfig(name: "staging", replicas: 1), EnvironmentConfig(name: "production", replicas: 4)]
        let result = try generate(
            """
            services:
              api:
                image: example/api:1
                ports: ["8080:8080"]
              single:
                image: example/single:1
                deploy: {replicas: 1}
              files:
                image: example/files:1
                x-komply: {replicas: 2}
                volumes: [uploads:/data]
              db:
                image: postgres:16.4
            volumes:
              uploads: {}
            """, settings: settings)
        let base = try objects(result)
        XCTAssertNil(try object(base, "Deployment", "api")["spec"]?["replicas"], "the HPA owns the count")
        XCTAssertNotNil(try object(base, "HorizontalPodAutoscaler", "api"))
        XCTAssertEqual(try object(base, "Deployment", "single")["spec"]?["replicas"], .int(1), "no HPA: the count stays in git")
        XCTAssertEqual(try object(base, "StatefulSet", "db")["spec"]?["replicas"], .int(1))
        // staging's single pods are reported by lint; generate says once how a person accepts them for staging.
        let single = result.notices.filter { $0.message.hasPrefix("environment staging: replicas: 1 runs one pod") }
        XCTAssertEqual(single.count, 1, "\(result.notices)")
        XCTAssertTrue(single.first?.message.contains(#"namespaces: ["*-staging"]"#) == true, single.first?.message ?? "")
        XCTAssertFalse(result.notices.contains { $0.message.hasPrefix("environment production") })
        for (environment, count) in [("staging", 1), ("production", 4)] {
            let file = try XCTUnwrap(result.files.first { $0.path == "repo/overlays/\(environment)/kustomization.yaml" }?.contents)
            let kustomization = try XCTUnwrap(YAMLLoader.parse(file, file: environment).first?.valueTree())
            guard case .array(let replicas)? = kustomization["replicas"] else { return XCTFail("\(environment): no replicas") }
            XCTAssertEqual(replicas.compactMap { $0["name"]?.stringValue }, ["single"], "\(environment): only the workload without an HPA")
            guard case .array(let patches)? = kustomization["patches"] else { return XCTFail("\(environment): no patches") }
            let hpa = try XCTUnwrap(
                patches.first {
                    $0["target"]?["kind"]?.stringValue == "HorizontalPodAutoscaler" && $0["target"]?["name"]?.stringValue == "api"
                })
            let operations = try JSONSerialization.jsonObject(with: Data(XCTUnwrap(hpa["patch"]?.stringValue).utf8)) as? [[String: Any]]
            XCTAssertEqual(operations?.first { $0["path"] as? String == "/spec/minReplicas" }?["value"] as? Int, count)
            let maximum = try XCTUnwrap(operations?.first { $0["path"] as? String == "/spec/maxReplicas" }?["value"] as? Int)
            XCTAssertGreaterThanOrEqual(maximum, count)
            XCTAssertFalse(
                patches.contains {
                    $0["target"]?["name"]?.stringValue == "files" && $0["target"]?["kind"]?.stringValue == "HorizontalPodAutoscaler"
                },
                "a Deployment holding a ReadWriteOnce claim is never rescaled by an environment, not even through its HPA")
        }
    }

    // MARK: - Item 2: a secret two services share is one key

    func testEqualSecretValuesOfTwoServicesBecomeTheOwnersKeyListedOnceWithEveryReader() throws {
        let result = try generate(
            """
            services:
              db:
                image: mariadb:10.6.4-focal
                environment:
                  - MYSQL_ROOT_PASSWORD=wordpress-pass-7
                  - MYSQL_DATABASE=wordpress
                  - MYSQL_USER=wordpress
                  - MYSQL_PASSWORD=wordpress-pass-7
                expose: [3306]
              wordpress:
                image: wordpress:6.6
                ports: ["80:80"]
                depends_on: [db]
                environment:
                  - WORDPRESS_DB_HOST=db
                  - WORDPRESS_DB_PASSWORD=wordpress-pass-7
                  - WORDPRESS_AUTH_KEY=unrelated-value-9
            """)
        let base = try objects(result)
        let reference = try secretReference(base, "wordpress", "WORDPRESS_DB_PASSWORD")
        XCTAssertEqual(reference?.name, "db-secrets")
        XCTAssertEqual(reference?.key, "MYSQL_PASSWORD", "the owner is the service the reader connects to; the key is its variable")
        XCTAssertEqual(
            try secretReference(base, "wordpress", "WORDPRESS_AUTH_KEY")?.name, "wordpress-secrets", "other secrets stay its own")
        XCTAssertEqual(try secretReference(base, "db", "MYSQL_ROOT_PASSWORD")?.key, "MYSQL_ROOT_PASSWORD", "same service: separate keys")
        let doc = try XCTUnwrap(result.files.first { $0.path == "repo/SECRETS.md" }?.contents)
        XCTAssertEqual(doc.components(separatedBy: "| `MYSQL_PASSWORD` |").count - 1, 1, "listed once:\n\(doc)")
        XCTAssertTrue(doc.contains("read by db (MYSQL_PASSWORD), wordpress (WORDPRESS_DB_PASSWORD)"), doc)
        XCTAssertFalse(doc.contains("WORDPRESS_DB_PASSWORD` |"), "the reader's key is not asked for:\n\(doc)")
        for file in result.files {
            XCTAssertFalse(file.contents.contains("wordpress-pass-7"), "\(file.path) holds the value")
            XCTAssertFalse(file.contents.contains(SHA256.hex("wordpress-pass-7")), "\(file.path) holds the value's digest")
        }
        for notice in result.notices { XCTAssertFalse(notice.message.contains("wordpress-pass-7"), notice.message) }
    }

    func testTheSameSecretVariableInTwoServicesIsOneKey() throws {
        let result = try generate(
            """
            services:
              app:
                image: example/app:1
                depends_on: [db]
                environment: {DATABASE_PASSWORD: "${DB_PASS}"}
              db:
                image: postgres:16.4
                environment: {POSTGRES_PASSWORD: "${DB_PASS}"}
            """, environment: ["DB_PASS": "hunter2-hunter2"])
        let reference = try secretReference(objects(result), "app", "DATABASE_PASSWORD")
        XCTAssertEqual(reference?.name, "db-secrets")
        XCTAssertEqual(reference?.key, "POSTGRES_PASSWORD")
        let doc = try XCTUnwrap(result.files.first { $0.path == "repo/SECRETS.md" }?.contents)
        XCTAssertTrue(doc.contains("each is ${DB_PASS} in compose"), doc)
        for file in result.files { XCTAssertFalse(file.contents.contains("hunter2"), file.path) }
    }

    func testDifferentValuesValuesThatOnlyContainAnotherAndUnrelatedServicesAreNotShared() throws {
        let result = try generate(
            """
            services:
              app:
                image: example/app:1
                depends_on: [db]
                environment:
                  DATABASE_URL: "postgres://app:pw-one-1@db/app"
                  DB_PASSWORD: pw-two-2
              db:
                image: postgres:16.4
                environment: {POSTGRES_PASSWORD: pw-one-1}
              admin:
                image: example/admin:1
                environment: {ADMIN_PASSWORD: pw-two-2}
            """)
        let base = try objects(result)
        XCTAssertEqual(try secretReference(base, "app", "DATABASE_URL")?.name, "app-secrets")
        XCTAssertEqual(try secretReference(base, "app", "DB_PASSWORD")?.name, "app-secrets")
        XCTAssertEqual(
            try secretReference(base, "admin", "ADMIN_PASSWORD")?.name, "admin-secrets",
            "equal literals of services that do not talk to each other are two secrets")
        XCTAssertFalse(result.notices.contains { $0.message.contains("shared by") })
    }

    /// The Secret name and key a service's container reads `variable` from.
    func secretReference(_ objects: [ValueTree], _ service: String, _ variable: String) throws -> (name: String, key: String)? {
        let workload = try XCTUnwrap(
            objects.first {
                ["Deployment", "StatefulSet"].contains($0["kind"]?.stringValue) && $0["metadata"]?["name"]?.stringValue == service
            })
        guard let pod = workload["spec"]?["template"]?["spec"], case .array(let env)? = firstContainer(pod)?["env"] else { return nil }
        guard let entry = env.first(where: { $0["name"]?.stringValue == variable }),
            let name = entry["valueFrom"]?["secretKeyRef"]?["name"]?.stringValue,
            let key = entry["valueFrom"]?["secretKeyRef"]?["key"]?.stringValue
        else { return nil }
        return (name, key)
    }

    /// Redis without a volume is a data store whose copies would not share data: one replica, no autoscaler, no
    /// environment scaling; memcached (a pure cache) and an explicit `x-komply.replicas` still scale.
    func testInMemoryDataStoresAreNotSplitIntoCopies() throws {
        var settings = GeneratorSettings()
        settings.environments = [EnvironmentConfig(name: "production", replicas: 3)]
        let result = try generate(
            """
            services:
              counter:
                image: redis:7.4
              sessions:
                image: valkey/valkey:8.0
              hits:
                image: memcached:1.6
              pure:
                image: redis:7.4
                x-komply: {replicas: 2}
            """, settings: settings)
        let base = try objects(result)
        for name in ["counter", "sessions"] {
            let deployment = try object(base, "Deployment", name)
            XCTAssertEqual(deployment["spec"]?["replicas"], .int(1), name)
            XCTAssertNil(
                base.first { $0["kind"]?.stringValue == "HorizontalPodAutoscaler" && $0["metadata"]?["name"]?.stringValue == name }, name)
            let ignore = deployment["metadata"]?["annotations"]?["komply.dev/ignore"]?.stringValue ?? ""
            XCTAssertTrue(ignore.contains("single-replica=") && ignore.contains("in the pod's memory"), ignore)
        }
        XCTAssertNotNil(try object(base, "HorizontalPodAutoscaler", "hits"), "memcached loses only hits when split")
        XCTAssertNotNil(try object(base, "HorizontalPodAutoscaler", "pure"), "x-komply.replicas: 2 is the user's choice")
        let file = try XCTUnwrap(result.files.first { $0.path == "repo/overlays/production/kustomization.yaml" }?.contents)
        XCTAssertFalse(file.contains("name: counter") || file.contains("name: sessions"), file)
        XCTAssertTrue(file.contains("name: hits") && file.contains("name: pure"), file)
        XCTAssertTrue(result.notices.contains { $0.message.contains("redis keeps its data in the pod's memory") }, "\(result.notices)")
    }

    /// An acceptance past its expiry still reaches the annotation (lint then reports the rule again), and generate
    /// says so at the `x-komply.accept` line; one still valid says nothing.
    func testAnExpiredAcceptanceIsWarned() throws {
        var settings = GeneratorSettings()
        settings.today = "2026-12-07"
        let compose = { (expires: String) in
            """
            services:
              web:
                image: nginx:latest
                ports: ["8080:8080"]
                x-komply:
                  accept:
                    latest-image-tag: {reason: "the vendor publishes latest only", expires: \(expires)}
            """
        }
        let expired = try generate(compose("2026-12-06"), settings: settings).notices.filter { $0.message.contains("expired") }
        XCTAssertEqual(expired.count, 1, "\(expired)")
        XCTAssertTrue(
            expired.first?.message.contains(
                "x-komply.accept.latest-image-tag expired on 2026-12-06: komply lint reports latest-image-tag again")
                == true, expired.first?.message ?? "")
        XCTAssertEqual(expired.first?.location?.range?.start.line, 6, "at the accept key")
        XCTAssertTrue(try generate(compose("2026-12-07"), settings: settings).notices.allSatisfy { !$0.message.contains("expired") })
    }

    /// A workload of 2+ replicas without an autoscaler (GPU, a StatefulSet scaled by x-komply.replicas) still gets a
    /// PodDisruptionBudget, so a node drain cannot take all its pods at once.
    func testEveryReplicatedWorkloadGetsADisruptionBudget() throws {
        let result = try generate(
            """
            services:
              inference:
                image: ghcr.io/example/inference:2.3.1
                ports: ["8000:8000"]
                x-komply: {replicas: 2}
                deploy:
                  resources:
                    reservations:
                      devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
              db:
                image: postgres:16.4
                x-komply: {replicas: 3}
              one:
                image: example/one:1
                ports: ["8080:8080"]
                deploy: {replicas: 1}
            """)
        let base = try objects(result)
        func named(_ kind: String, _ name: String) -> ValueTree? {
            base.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name }
        }
        XCTAssertEqual(named("PodDisruptionBudget", "inference")?["spec"]?["maxUnavailable"], .int(1))
        XCTAssertNil(named("HorizontalPodAutoscaler", "inference"), "CPU does not measure GPU load")
        XCTAssertNotNil(named("PodDisruptionBudget", "db"))
        XCTAssertNil(named("PodDisruptionBudget", "one"), "a budget of one pod would block every drain")
    }
}
