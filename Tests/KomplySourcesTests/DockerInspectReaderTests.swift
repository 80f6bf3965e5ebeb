import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// `fixtures/inspect/`, where the inspect and stats fixtures and their golden outputs live.
let inspectFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures/inspect")

final class DockerInspectReaderTests: XCTestCase {
    // MARK: Recognising snapshots

    func testLooksLikeInspectAcceptsSnapshotsOnly() throws {
        XCTAssertTrue(DockerInspectReader.looksLikeInspect(try documents("shop-stack.inspect.json")))
        XCTAssertTrue(DockerInspectReader.looksLikeInspect(try documents("payment-api.inspect.json")))
        let compose = try YAMLLoader.parse("services:\n  web:\n    image: nginx\n", file: "compose.yaml")
        XCTAssertFalse(DockerInspectReader.looksLikeInspect(compose))
        XCTAssertFalse(DockerInspectReader.looksLikeInspect(try YAMLLoader.parse("[]", file: "empty.json")))
        XCTAssertFalse(DockerInspectReader.looksLikeInspect(try YAMLLoader.parse("[1, 2]", file: "numbers.json")))
        XCTAssertFalse(DockerInspectReader.looksLikeInspect(try YAMLLoader.parse(#"[{"Config": {}}]"#, file: "partial.json")))
        let minimal = try YAMLLoader.parse(#"[{"Id": "abc", "Config": {}}]"#, file: "min.json")
        XCTAssertTrue(DockerInspectReader.looksLikeInspect(minimal))
    }

    // MARK: The shop stack

    func testShopStackBecomesOneComposeProject() throws {
        let projects = try read("shop-stack.inspect.json")
        XCTAssertEqual(projects.map(\.name), ["shop"])
        let shop = projects[0]
        XCTAssertEqual(shop.services.map(\.name), ["api", "cache", "db", "web"])
        XCTAssertEqual(shop.sourceFiles, ["shop-stack.inspect.json"])
        XCTAssertEqual(
            shop.services.map(\.image),
            [
                "registry.example.com/shop/api:1.8.2", "redis:7.4-alpine", "postgres:16.4-bookworm", "nginx:1.27-alpine",
            ])
        XCTAssertEqual(shop.networks, ["default": .members([("name", .string("shop_default"))])])
        XCTAssertEqual(shop.volumes.keys.sorted(), ["cache-data", "db-data"])
        XCTAssertEqual(shop.volumes["db-data"], .members([("name", .string("shop_db-data"))]))
        XCTAssertEqual(shop.secrets, ["db-password": .members([("file", .string("/home/dev/shop/db/password.txt"))])])

        let api = try XCTUnwrap(shop[service: "api"])
        XCTAssertEqual(api.entrypoint, ["docker-entrypoint.sh"])
        XCTAssertEqual(api.command, ["node", "dist/server.js"])
        XCTAssertEqual(api.environment["DB_HOST"], "db")
        XCTAssertEqual(api.environment["JWT_SECRET"], "dev-jwt-secret-change-me")
        XCTAssertNil(api.environment["PATH"], "the image's PATH comes with the image")
        XCTAssertNil(api.environment["NODE_VERSION"])
        XCTAssertEqual(api.environment.count, 10)
        XCTAssertEqual(api.ports, [PortMapping(target: 3000, published: "3000")])
        XCTAssertEqual(api.expose, [])
        XCTAssertEqual(api.user, "node")
        XCTAssertEqual(api.workingDir, "/usr/src/app")
        XCTAssertEqual(api.restart, "unless-stopped")
        XCTAssertEqual(api.labels, ["org.opencontainers.image.source": "https://git.example.com/shop/api"])
        XCTAssertEqual(
            api.healthcheck,
            Healthcheck(
                test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/healthz"], interval: .init(nanoseconds: 15_000_000_000),
                timeout: .init(nanoseconds: 3_000_000_000), startPeriod: .init(nanoseconds: 10_000_000_000), retries: 3))
        XCTAssertEqual(api.deploy?.limits, ResourceSpec(cpus: 1, memoryBytes: 805_306_368))
        XCTAssertNil(api.deploy?.reservations)
        XCTAssertNil(api.deploy?.replicas)
        XCTAssertEqual(api.dependsOn, ["db": Dependency(condition: "service_healthy"), "cache": Dependency()])
        XCTAssertEqual(api.networks.keys.sorted(), ["default"])
        XCTAssertNil(api.hostname, "the container-id hostname is docker's default")
        XCTAssertEqual(api.komply.origin, "docker-inspect")
        XCTAssertEqual(api.komply.containers, ["shop-api-1"])
        XCTAssertEqual(api.komply.runtime, RuntimeState(status: "running", restartCount: 0, oomKilled: false, exitCode: 0))
        XCTAssertEqual(api.komply.source?.description, "shop-stack.inspect.json:152:5")

        let db = try XCTUnwrap(shop[service: "db"])
        XCTAssertEqual(db.healthcheck?.interval?.description, "10s")
        XCTAssertEqual(db.healthcheck?.startPeriod?.description, "30s")
        XCTAssertEqual(db.healthcheck?.retries, 5)
        XCTAssertEqual(db.expose, ["5432"])
        XCTAssertEqual(
            db.volumes,
            [
                VolumeMount(
                    type: "bind", source: "/home/dev/shop/db/password.txt", target: "/run/secrets/db-password",
                    readOnly: true, options: ["bind": .object([])]),
                VolumeMount(type: "volume", source: "db-data", target: "/var/lib/postgresql/data", options: ["volume": .object([])]),
            ])
        XCTAssertEqual(db.secrets, [FileReference(source: "db-password")])
        XCTAssertNil(db.deploy, "db has no limits")
        XCTAssertEqual(db.dependsOn, [:])
        XCTAssertNil(db.user)
        XCTAssertNil(db.workingDir)

        let web = try XCTUnwrap(shop[service: "web"])
        XCTAssertEqual(web.ports, [PortMapping(target: 80, published: "8080")])
        XCTAssertEqual(web.volumes.map(\.readOnly), [true])
        XCTAssertEqual(web.dependsOn, ["api": Dependency()])
        XCTAssertEqual(
            try XCTUnwrap(shop[service: "cache"]).command,
            ["redis-server", "--appendonly", "yes", "--maxmemory", "256mb"])

        // The secret bind mount is reported as a note, and each container's image-baked variables; nothing else goes unmapped.
        XCTAssertEqual(shop.diagnostics.map(\.severity), [.info, .info, .info, .info, .info])
        let baked = shop.diagnostics.filter { $0.message.contains("come with image") }
        XCTAssertEqual(baked.count, 4)
        XCTAssertEqual(
            shop.diagnostics.first { !$0.message.contains("come with image") }?.location?.description, "shop-stack.inspect.json:76:13")
    }

    func testShopStackGetsObservedUsageFromStats() throws {
        var projects = try read("shop-stack.inspect.json")
        let samples = try DockerStatsReader.read(path: path("shop-stack.stats.jsonl"), displayName: "shop-stack.stats.jsonl")
        XCTAssertEqual(DockerStatsReader.attach(samples, to: &projects, source: "shop-stack.stats.jsonl"), [])
        let api = try XCTUnwrap(projects[0][service: "api"]?.komply.observed)
        XCTAssertEqual(
            api,
            ObservedUsage(
                cpuCores: 0.1792, memoryBytes: 189 << 20, memoryLimitBytes: 768 << 20, samples: 1,
                source: "shop-stack.stats.jsonl"))
        let db = try XCTUnwrap(projects[0][service: "db"]?.komply.observed)
        XCTAssertEqual(db.cpuCores, 0.0341)
        XCTAssertEqual(db.memoryBytes, 247_568_794)  // 236.1 MiB
        XCTAssertEqual(db.memoryLimitBytes, 8_332_236_554)  // 7.76 GiB, the host's memory: db has no limit
        XCTAssertEqual(projects[0].services.filter { $0.komply.observed != nil }.count, 4)
    }

    // MARK: A container started with docker run

    func testPaymentAPIBecomesASingleServiceProject() throws {
        let projects = try read("payment-api.inspect.json")
        XCTAssertEqual(projects.map(\.name), ["payment-api"])
        let project = projects[0]
        XCTAssertEqual(project.services.map(\.name), ["payment-api"])
        let service = project.services[0]
        XCTAssertEqual(service.image, "registry.example.com/pay/payment-api:3.2.0")
        XCTAssertEqual(service.deploy?.limits?.memoryBytes, 536_870_912)
        XCTAssertEqual(service.deploy?.limits?.cpus, 1.5)
        XCTAssertEqual(service.user, "1001")
        XCTAssertEqual(service.workingDir, "/app")
        XCTAssertEqual(service.restart, "on-failure")
        XCTAssertEqual(service.komply.runtime?.restartCount, 2)
        XCTAssertEqual(service.komply.containers, ["payment-api"])
        XCTAssertEqual(service.environment["JAVA_OPTS"], "-Xms512m -Xmx768m -XX:+UseG1GC")
        XCTAssertEqual(service.command, nil)
        XCTAssertEqual(service.entrypoint, ["sh", "-c", "exec java $JAVA_OPTS -jar /app/app.jar"])
        XCTAssertEqual(service.ports, [PortMapping(target: 8080, published: "8080")])
        XCTAssertEqual(service.expose, ["8081"])
        XCTAssertEqual(service.healthcheck?.startPeriod?.description, "1m0s")
        XCTAssertEqual(service.labels.keys.sorted(), ["org.opencontainers.image.title", "org.opencontainers.image.version"])
        XCTAssertEqual(service.networks, [:], "the default bridge is not a compose network")
        XCTAssertNil(service.networkMode)
        XCTAssertEqual(
            project.diagnostics.map(\.message),
            [
                "container \"payment-api\": 3 variables of Config.Env come with image registry.example.com/pay/payment-api:3.2.0 "
                    + "and are left out: JAVA_HOME, JAVA_VERSION, PATH"
            ])
        // MemorySwap is twice Memory, the engine's default, so no memswap_limit.
        XCTAssertNil(service.other["memswap_limit"])
        XCTAssertEqual(service.other, [:])
    }

    // MARK: Replicas, sidecars and the less common settings

    func testReplicasSidecarsAndUncommonSettings() throws {
        let projects = try read("extras.inspect.json")
        XCTAssertEqual(projects.map(\.name), ["metrics", "queue"])
        let queue = projects[1]
        XCTAssertEqual(queue.services.map(\.name), ["sidecar", "worker"])

        let worker = try XCTUnwrap(queue[service: "worker"])
        XCTAssertEqual(worker.image, "registry.example.com/queue/worker:2.0.1", "the first container describes the service")
        XCTAssertEqual(worker.deploy?.replicas, 2)
        XCTAssertEqual(worker.komply.containers, ["queue-worker-1", "queue-worker-2"])
        XCTAssertEqual(worker.komply.runtime, RuntimeState(status: "restarting", restartCount: 4, oomKilled: true, exitCode: 137))
        XCTAssertEqual(worker.environment["DEBUG"], .some(nil))
        XCTAssertNil(worker.entrypoint)
        XCTAssertEqual(worker.ports, [PortMapping(target: 9100, published: "9100", hostIP: "127.0.0.1")])
        XCTAssertEqual(worker.expose, ["5353/udp"])
        XCTAssertEqual(
            worker.healthcheck,
            Healthcheck(
                test: ["CMD", "python", "-m", "worker.health"], interval: .init(nanoseconds: 30_000_000_000),
                timeout: .init(nanoseconds: 1_500_000_000), startInterval: .init(nanoseconds: 500_000_000)))
        XCTAssertEqual(worker.healthcheck?.timeout?.description, "1.5s")
        XCTAssertEqual(worker.deploy?.limits, ResourceSpec(cpus: 2, memoryBytes: 1 << 30, pids: 256))
        XCTAssertEqual(
            worker.deploy?.reservations,
            ResourceSpec(
                memoryBytes: 256 << 20, devices: [DeviceRequest(capabilities: ["gpu"], driver: "nvidia", count: -1)]))
        XCTAssertEqual(worker.restart, "always")
        XCTAssertEqual(worker.capAdd, ["NET_BIND_SERVICE"])
        XCTAssertEqual(worker.capDrop, ["ALL"])
        XCTAssertEqual(worker.readOnly, true)
        XCTAssertNil(worker.privileged)
        XCTAssertEqual(worker.tmpfs, ["/run", "/tmp:rw,size=64m"])
        XCTAssertEqual(worker.volumes.map(\.target), ["/etc/certs", "/var/spool/worker"], "the /tmp tmpfs mount is in tmpfs")
        XCTAssertEqual(
            worker.volumes[0].options,
            ["bind": .members([("selinux", .string("Z")), ("propagation", .string("rslave"))])])
        XCTAssertEqual(worker.volumes[1].source, "spool")
        XCTAssertEqual(
            worker.ulimits,
            ["nofile": Ulimit(soft: 1024, hard: 4096), "nproc": Ulimit(soft: 512, hard: 512, single: true)])
        XCTAssertEqual(worker.stopSignal, "SIGINT")
        XCTAssertEqual(worker.stopGracePeriod?.description, "30s")
        XCTAssertEqual(worker.networks["backend"], .some(.members([("aliases", .array([.string("jobs")]))])))
        XCTAssertEqual(worker.networks["shared-mesh"], .some(.members([("ipv4_address", .string("10.10.0.21"))])))
        XCTAssertEqual(worker.labels, ["team": "data"])
        XCTAssertEqual(
            worker.other["extra_hosts"],
            .array([.string("broker.internal=10.0.0.5"), .string("host.docker.internal=host-gateway")]))
        XCTAssertEqual(worker.other["security_opt"], .array([.string("no-new-privileges:true"), .string("seccomp=unconfined")]))
        XCTAssertEqual(worker.other["sysctls"], .members([("net.core.somaxconn", .string("1024"))]))
        XCTAssertEqual(
            worker.other["devices"],
            .array([
                .members([
                    ("source", .string("/dev/fuse")), ("target", .string("/dev/fuse")), ("permissions", .string("rwm")),
                ])
            ]))
        XCTAssertEqual(
            worker.other["logging"],
            .members([("driver", .string("json-file")), ("options", .members([("max-size", .string("10m"))]))]))
        XCTAssertEqual(worker.other["init"], .bool(true))
        XCTAssertEqual(worker.other["tty"], .bool(true))
        XCTAssertEqual(
            worker.other.keys.sorted(),
            ["devices", "extra_hosts", "init", "logging", "security_opt", "sysctls", "tty"])
        XCTAssertEqual(worker.dependsOn, [:], "broker is not in the snapshot")
        XCTAssertEqual(queue.volumes, ["spool": .members([("name", .string("queue_spool"))])])
        XCTAssertEqual(
            queue.networks,
            [
                "backend": .members([("name", .string("queue_backend"))]),
                "shared-mesh": .members([("name", .string("shared-mesh")), ("external", .bool(true))]),
            ])

        let sidecar = try XCTUnwrap(queue[service: "sidecar"])
        XCTAssertEqual(sidecar.networkMode, "service:worker")
        XCTAssertEqual(sidecar.networks, [:])
        XCTAssertNil(sidecar.hostname, "a container sharing another's network namespace shares its hostname")
        XCTAssertEqual(sidecar.restart, "on-failure:5")
        XCTAssertEqual(sidecar.dependsOn, ["worker": Dependency()])
        XCTAssertNil(sidecar.other["memswap_limit"], "twice the memory limit is the engine's default")
        XCTAssertEqual(sidecar.expose, ["9901"])

        let warnings = queue.diagnostics.filter { $0.severity == .warning }.map(\.message)
        XCTAssertEqual(warnings.filter { $0.contains("HostConfig.BlkioWeight") }.count, 2, "\(warnings)")
        XCTAssertTrue(
            warnings.contains { $0.contains("HostConfig.PublishAllPorts of container \"queue-sidecar-1\"") },
            "\(warnings)")
        XCTAssertTrue(
            warnings.contains {
                $0.hasPrefix(
                    "container \"queue-worker-2\" of service \"worker\" differs from "
                        + "\"queue-worker-1\" in image, networks, ports; komply read")
            }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("depends on \"ghost\"") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("depends on \"broker\"") }, "\(warnings)")
        XCTAssertEqual(warnings.count, 6, "\(warnings)")
        let blkio = try XCTUnwrap(queue.diagnostics.first { $0.message.contains("BlkioWeight") })
        XCTAssertEqual(
            blkio.description,
            "extras.inspect.json:66:28: warning: HostConfig.BlkioWeight of container "
                + "\"queue-worker-1\" is set to 500, which komply does not map; it is ignored")

        let metrics = projects[0]
        XCTAssertEqual(metrics.services.map(\.name), ["metrics"])
        let exporter = metrics.services[0]
        XCTAssertEqual(exporter.networkMode, "host")
        XCTAssertEqual(exporter.networks, [:])
        XCTAssertEqual(exporter.privileged, true)
        XCTAssertNil(exporter.restart)
        XCTAssertNil(exporter.hostname, "in host network mode the hostname is the host's")
        XCTAssertEqual(exporter.healthcheck, Healthcheck(disable: true))
        XCTAssertEqual(exporter.environment, ["FLAG": nil] as [String: String?])
        XCTAssertEqual(exporter.deploy?.limits, ResourceSpec(cpus: 0.5))
        XCTAssertEqual(exporter.volumes.map(\.target), ["/data", "/history", "/host"])
        XCTAssertEqual(exporter.volumes.map(\.source), [nil, "metrics-history", "/"])
        XCTAssertEqual(
            metrics.volumes,
            ["metrics-history": .members([("name", .string("metrics-history")), ("external", .bool(true))])])
        XCTAssertEqual(exporter.other["pid"], .string("host"))
        XCTAssertEqual(exporter.other["memswap_limit"], .string("-1"))
        XCTAssertEqual(exporter.other["shm_size"], .string("134217728"))
        XCTAssertEqual(
            exporter.other["logging"],
            .members([("driver", .string("syslog")), ("options", .members([("tag", .string("metrics"))]))]))
        XCTAssertEqual(exporter.komply.runtime, RuntimeState(status: "exited", restartCount: 0, oomKilled: false, exitCode: 2))
        XCTAssertEqual(metrics.diagnostics, [])
    }

    // MARK: Image-baked variables

    /// Every sample in the corpus: what the image sets is left out, what the container was started with is kept.
    func testImageBakedVariablesOfTheCorpusSamplesAreLeftOut() throws {
        let corpus = inspectFixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/corpus/docker-inspect")
        let files = ["shop-stack.inspect.json", "payment-api.inspect.json"].map { corpus.appendingPathComponent($0).path }
        guard files.allSatisfy(FileManager.default.fileExists) else { throw XCTSkip("no corpus at \(corpus.path)") }
        var kept: [String: [String]] = [:]
        for file in files {
            for project in try DockerInspectReader.read(YAMLLoader.load(path: file, displayName: file), file: file) {
                for service in project.services { kept[service.name] = service.environment.keys.sorted() }
            }
        }
        XCTAssertEqual(
            kept,
            [
                "api": [
                    "DB_HOST", "DB_NAME", "DB_PASSWORD", "DB_PORT", "DB_USER", "JWT_SECRET", "LOG_LEVEL", "NODE_ENV", "PORT", "REDIS_URL",
                ],
                "cache": [], "web": [], "db": ["POSTGRES_DB", "POSTGRES_PASSWORD_FILE", "POSTGRES_USER"],
                "payment-api": [
                    "JAVA_OPTS", "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "SERVER_PORT", "SPRING_DATASOURCE_PASSWORD",
                    "SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_PROFILES_ACTIVE",
                ],
            ])
        XCTAssertEqual(
            ImageBakedEnvironment.names(in: ["PATH": "/bin", "APP_MODE": "x"], image: nil), [], "no image, nothing is the image's")
        XCTAssertEqual(ImageBakedEnvironment.names(in: ["PGDATA": "/data/pg"], image: "postgres:16"), [], "a PGDATA of one's own is kept")
    }

    // MARK: Golden canonical output

    func testCanonicalOutputMatchesGoldenFiles() throws {
        var shop = try read("shop-stack.inspect.json")
        _ = DockerStatsReader.attach(
            try DockerStatsReader.read(path: path("shop-stack.stats.jsonl"), displayName: "shop-stack.stats.jsonl"),
            to: &shop, source: "shop-stack.stats.jsonl")
        var extras = try read("extras.inspect.json")
        _ = DockerStatsReader.attach(
            try DockerStatsReader.read(path: path("extras.stats.jsonl"), displayName: "extras.stats.jsonl"),
            to: &extras, source: "extras.stats.jsonl")
        let payment = try read("payment-api.inspect.json")
        for project in shop + payment + extras {
            try assertGolden(JSONEmitter.emit(project.canonical()), "expected/\(project.name).json")
        }
    }

    // MARK: Bad input

    func testWrongTypeNamesKeyPositionAndExpectation() throws {
        let error = try readError("bad/env-not-list.inspect.json")
        guard case .invalid(let location, let key, let expected, let found) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(location.description, "bad/env-not-list.inspect.json:7:20")
        XCTAssertEqual(key, "Config.Env")
        XCTAssertEqual(expected, "an array of strings")
        XCTAssertEqual(found, "the string \"x\"")
        XCTAssertEqual(
            error.errorDescription,
            "bad/env-not-list.inspect.json:7:20: Config.Env must be an array of strings, found the string \"x\"")

        let memory = try readError("bad/memory-string.inspect.json")
        XCTAssertEqual(
            memory.errorDescription,
            "bad/memory-string.inspect.json:9:23: HostConfig.Memory must be an integer, found the string \"512m\"")
    }

    func testArrayOfNonObjectsIsInvalid() throws {
        let error = try readError("bad/not-objects.inspect.json")
        XCTAssertEqual(
            error.errorDescription,
            "bad/not-objects.inspect.json:2:5: [0] must be a container object, found the number 1")
    }

    func testObjectInsteadOfArrayIsInvalid() throws {
        let error = try readError("bad/not-array.inspect.json")
        XCTAssertEqual(
            error.errorDescription,
            "bad/not-array.inspect.json:1:1: document must be a JSON array of container "
                + "objects, as docker inspect prints, found an object")
    }

    func testBadPortKeyIsInvalid() throws {
        let error = try readError("bad/port-key.inspect.json")
        XCTAssertEqual(error.location?.description, "bad/port-key.inspect.json:10:17")
        XCTAssertEqual(
            error.errorDescription,
            "bad/port-key.inspect.json:10:17: HostConfig.PortBindings must be keys of the "
                + "form \"PORT/PROTOCOL\" (e.g. \"8080/tcp\"), found the key \"http/tcp\"")
    }

    func testOtherShapesAreRefused() throws {
        func error(_ json: String) -> SourcesError? {
            do {
                _ = try DockerInspectReader.read(try YAMLLoader.parse(json, file: "inline.json"), file: "inline.json")
                return nil
            } catch let error as SourcesError { return error } catch { return .core(error as! CoreError) }
        }
        XCTAssertEqual(
            error("")?.errorDescription,
            "inline.json: document must be a JSON array of container objects, "
                + "as docker inspect prints, found an empty file")
        XCTAssertEqual(
            error(#"[{"Id": "sha256:abc", "RepoTags": ["nginx:1"], "Config": {}}]"#)?.errorDescription,
            "inline.json:1:2: [0] must be a container object (docker inspect of a container), "
                + "found an image object (docker image inspect)")
        XCTAssertEqual(
            error(#"[{"Id": "abc"}]"#)?.errorDescription,
            "inline.json:1:2: container object has no \"Config\"; expected docker inspect output of a container")
        XCTAssertEqual(
            error(#"[{"Config": {}, "HostConfig": {}}]"#)?.errorDescription,
            "inline.json:1:2: container object has neither \"Name\" nor \"Id\"; expected docker inspect output")
        XCTAssertEqual(
            error(#"[{"Id": "abc", "Config": {"Labels": ["a=b"]}}]"#)?.errorDescription,
            "inline.json:1:37: Config.Labels must be an object of strings, found an array")
        XCTAssertEqual(
            error(#"[{"Id": "abc", "Config": {"Labels": {"com.docker.compose.project": 1}}}]"#)?.errorDescription,
            "inline.json:1:68: Config.Labels[\"com.docker.compose.project\"] must be a string, found the number 1")
        XCTAssertEqual(
            error(#"[{"Id": "abc", "Config": {}, "HostConfig": {"Privileged": "yes"}}]"#)?.errorDescription,
            "inline.json:1:59: HostConfig.Privileged must be a boolean, found the string \"yes\"")
        XCTAssertEqual(
            error(#"[{"Id": "abc", "Config": {}, "Mounts": [{"Type": "bind"}]}]"#)?.errorDescription,
            "inline.json:1:41: Mounts[0] must be a mount with a \"Destination\", found an object")
    }

    func testMinimalContainerIsNamedAfterItsId() throws {
        let projects = try DockerInspectReader.read(
            try YAMLLoader.parse(#"[{"Id": "0123456789abcdef", "Config": {"Image": "busybox"}}]"#, file: "min.json"),
            file: "min.json")
        XCTAssertEqual(projects.map(\.name), ["0123456789ab"])
        XCTAssertEqual(projects[0].services[0].image, "busybox")
        XCTAssertEqual(
            projects[0].services[0].komply.runtime,
            RuntimeState(status: nil, restartCount: 0, oomKilled: false, exitCode: nil))
        XCTAssertNil(projects[0].services[0].hostname)

        let named = try DockerInspectReader.read(
            try YAMLLoader.parse(
                #"[{"Id": "0123456789abcdef", "Name": "/db", "Config": {"Hostname": "db.internal"}, "#
                    + #""HostConfig": {"NetworkMode": "bridge"}}]"#,
                file: "named.json"), file: "named.json")
        XCTAssertEqual(named[0].services[0].hostname, "db.internal")
    }

    // MARK: Helpers

    private struct UnexpectedSuccess: Error {}

    private func path(_ name: String) -> String {
        inspectFixtures.appendingPathComponent(name).path
    }

    private func documents(_ name: String) throws -> [Node] {
        try YAMLLoader.load(path: path(name), displayName: name)
    }

    private func read(_ name: String) throws -> [ComposeProject] {
        try DockerInspectReader.read(documents(name), file: name)
    }

    private func readError(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> SourcesError {
        do {
            let projects = try read(name)
            XCTFail("expected an error, read \(projects.map(\.name))", file: file, line: line)
            throw UnexpectedSuccess()
        } catch let error as SourcesError {
            return error
        }
    }

    /// Compares with `fixtures/inspect/<name>`, or rewrites it when `KOMPLY_UPDATE_GOLDEN=1`.
    private func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = inspectFixtures.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["KOMPLY_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("missing golden file \(name); run with KOMPLY_UPDATE_GOLDEN=1 and review it", file: file, line: line)
        }
        XCTAssertEqual(
            actual, expected, "\(name) differs; rerun with KOMPLY_UPDATE_GOLDEN=1 and review the diff",
            file: file, line: line)
    }
}
