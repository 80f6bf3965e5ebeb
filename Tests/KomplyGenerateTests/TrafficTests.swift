import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// The traffic graph's decisions (issue 15, item 1), one behaviour each, judged by `NetworkEvaluator`.
final class TrafficTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-traffic-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(atPath: folder + "/repo/.git", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `files` (path → text) into the repository and generates its compose app.
    func generate(_ compose: String, files: [String: String] = [:], settings: GeneratorSettings = GeneratorSettings()) throws -> (
        GenerationResult, NetworkEvaluator
    ) {
        for (path, text) in files.merging(["compose.yaml": compose], uniquingKeysWith: { $1 }) {
            let url = URL(fileURLWithPath: folder + "/repo/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let projects = try SourceLoader.load(SourceRequest(paths: [folder + "/repo"], environment: [:]))
        let result = try Generator(settings: settings).generate(projects)
        var objects: [ValueTree] = []
        for file in result.files where file.path.contains("/base/") && file.path.hasSuffix(".yaml") {
            objects += try YAMLLoader.parse(file.contents, file: file.path).map { $0.valueTree() }
        }
        return (result, NetworkEvaluator(objects: objects))
    }

    func testDatabaseUserAndPasswordValuesAreNotHosts() throws {
        XCTAssertEqual(HostReferences.hosts(in: "wordpress", variable: "MYSQL_DATABASE"), [])
        XCTAssertEqual(HostReferences.hosts(in: "gitea", variable: "POSTGRES_DB"), [])
        XCTAssertEqual(HostReferences.hosts(in: "app", variable: "DB_USER"), [])
        XCTAssertEqual(HostReferences.hosts(in: "db", variable: "WORDPRESS_DB_HOST"), ["db"])
        XCTAssertEqual(HostReferences.hosts(in: "postgres://u@db:5432/app", variable: "DATABASE_URL"), ["db"])
        let (_, network) = try generate(
            """
            services:
              db:
                image: mysql:8.4
                environment: {MYSQL_DATABASE: app, MYSQL_USER: app}
              app:
                image: example/app:1
                ports: ["80:80"]
                environment: {DB_HOST: db}
            """)
        XCTAssertEqual(network.viaService(from: "app", service: "db", port: 3306, to: "db"), 3306)
        XCTAssertEqual(network.openPorts(from: "db", to: "app"), [], "MYSQL_DATABASE=app opens nothing from db to app")
    }

    func testLinksAreDependenciesAndTheirAliasesAreHosts() throws {
        let (_, network) = try generate(
            """
            services:
              cache:
                image: redis:7.4
              web:
                image: example/web:1
                links: ["cache:sessions"]
              worker:
                image: example/worker:1
                environment: {QUEUE_URL: "redis://sessions:6379"}
            """)
        XCTAssertEqual(network.viaService(from: "web", service: "cache", port: 6379, to: "cache"), 6379)
        XCTAssertTrue(network.resolvesDNS("web"))
        XCTAssertEqual(network.openPorts(from: "worker", to: "cache"), [], "the alias is web's alone")
        let projects = try SourceLoader.load(SourceRequest(paths: [folder + "/repo"], environment: [:]))
        XCTAssertEqual(
            projects[0][service: "web"]?.dependsOn["cache"], Dependency(restart: true), "docker compose adds links to depends_on")
    }

    func testAPortlessServiceGetsThePortItsDockerfileItsLabelOrItsClientNames() throws {
        XCTAssertEqual(
            PortEvidence.expose(
                dockerfile: "FROM golang AS builder\nEXPOSE 8000\nFROM builder AS dev\nEXPOSE 2345/udp\nFROM scratch\nEXPOSE 9\n",
                target: "dev"
            )
            .map { "\($0.port)/\($0.proto)" }, ["8000/tcp", "2345/udp"])
        let (result, network) = try generate(
            """
            services:
              api:
                build: {context: api}
              go:
                build: {context: go}
                labels: {traefik.http.services.go.loadbalancer.server.port: "8081"}
              py:
                build: {context: py}
              ng:
                build: {context: ng}
              proxy:
                image: nginx:1.27
                ports: ["80:80"]
                volumes: ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
                depends_on: [api, go, ng]
              web:
                image: example/web:1
                environment: {PY_ADDR: "py:9091"}
            """,
            files: [
                "api/Dockerfile": "FROM python:3.13\nEXPOSE 8000\n", "go/Dockerfile": "FROM golang:1.23\n",
                "py/Dockerfile": "FROM python:3.13\n",
                "ng/Dockerfile": "FROM node:22\n", "nginx.conf": "server {\n  location / { proxy_pass http://ng:4200; }\n}\n",
            ])
        XCTAssertEqual(network.viaService(from: "proxy", service: "api", port: 8000, to: "api"), 8000, "EXPOSE in its Dockerfile")
        XCTAssertEqual(network.viaService(from: "proxy", service: "go", port: 8081, to: "go"), 8081, "its Traefik label")
        XCTAssertEqual(network.viaService(from: "proxy", service: "ng", port: 4200, to: "ng"), 4200, "the proxy's nginx.conf")
        XCTAssertEqual(network.viaService(from: "web", service: "py", port: 9091, to: "py"), 9091, "the client's PY_ADDR")
        XCTAssertTrue(result.notices.contains { $0.message.contains("service py declares no port; it listens on 9091") })
    }

    func testAnEdgeToAServiceWithoutAnyPortIsAWarningNamingTheEdgeAndTheKey() throws {
        let (result, network) = try generate(
            """
            services:
              backend:
                build: {context: backend}
              proxy:
                image: nginx:1.27
                ports: ["80:80"]
                depends_on: [backend]
            """,
            files: ["backend/Dockerfile": "FROM golang:1.23\n"])
        XCTAssertNil(network.viaService(from: "proxy", service: "backend", port: nil, to: "backend"))
        let warning = try XCTUnwrap(result.notices.first { $0.message.contains("service proxy connects to backend (depends_on)") })
        XCTAssertEqual(warning.severity, .warning)
        XCTAssertTrue(warning.message.contains("set x-komply.port: PORT on it"), warning.message)
        XCTAssertEqual(warning.location?.range?.start.line, 7, "points at the depends_on entry")
    }

    func testXKomplyPortGivesAPortlessServiceItsPortAndProbesPortStillWorks() throws {
        let (result, network) = try generate(
            """
            services:
              backend:
                build: {context: backend}
                x-komply: {port: 9000}
              legacy:
                build: {context: backend}
                x-komply: {probes: {port: 9100}}
              declared:
                image: example/declared:1
                expose: [7000]
                x-komply:
                  port: 7001
              proxy:
                image: nginx:1.27
                ports: ["80:80"]
                depends_on: [backend, legacy, declared]
            """,
            files: ["backend/Dockerfile": "FROM golang:1.23\n"])
        XCTAssertEqual(network.viaService(from: "proxy", service: "backend", port: 9000, to: "backend"), 9000)
        XCTAssertEqual(network.viaService(from: "proxy", service: "legacy", port: 9100, to: "legacy"), 9100)
        XCTAssertFalse(result.notices.contains { $0.message.contains("declares no port komply can find") })
        let ignored = try XCTUnwrap(result.notices.first { $0.message.contains("x-komply.port 7001 is ignored") })
        XCTAssertEqual(ignored.severity, .warning)
        XCTAssertEqual(ignored.location?.range?.start.line, 12, "points at x-komply.port")
        XCTAssertNil(network.viaService(from: "proxy", service: "declared", port: 7001, to: "declared"))
    }

    func testXKomplyPortOutOfRangeIsRefusedAtItsPosition() throws {
        for bad in ["0", "65536", "99999999999999999999", "\"80\""] {
            XCTAssertThrowsError(try generate("services:\n  api:\n    image: example/api:1\n    x-komply:\n      port: \(bad)\n")) {
                error in
                let text = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                XCTAssertTrue(text.contains("x-komply.port"), text)
                XCTAssertTrue(text.contains("compose.yaml:5:"), "names the line of port: \(text)")
            }
        }
    }

    func testNetworkModeServiceRunsAsASecondContainerOfTheOwnersPod() throws {
        let (result, network) = try generate(
            """
            services:
              vpn:
                image: example/vpn:1
                networks: [back]
              agent:
                image: example/agent:1
                network_mode: "service:vpn"
                user: "2000"
                expose: [9100]
                environment: {DB_HOST: db, LOG_LEVEL: info}
                volumes: [./agent.conf:/etc/agent.conf:ro]
              db:
                image: postgres:16.4
                networks: [back]
              web:
                image: example/web:1
                networks: [back]
                environment: {AGENT_URL: "http://agent:9100/metrics"}
            networks:
              back: {}
            """, files: ["agent.conf": "level: info\n"])
        let base = result.files.filter { $0.path.contains("/base/") }
        XCTAssertFalse(base.contains { $0.contents.contains("kind: Deployment\nmetadata:\n  name: agent\n") }, "no pod of its own")
        let vpn = try XCTUnwrap(base.first { $0.path.hasSuffix("/base/vpn.yaml") }?.contents)
        let pod = try XCTUnwrap(
            YAMLLoader.parse(vpn, file: "vpn.yaml").map { $0.valueTree() }.first { $0["kind"]?.stringValue == "Deployment" }?["spec"]?[
                "template"])
        guard case .array(let containers)? = pod["spec"]?["containers"] else { return XCTFail("no containers") }
        XCTAssertEqual(containers.compactMap { $0["name"]?.stringValue }, ["vpn", "agent"])
        XCTAssertEqual(containers[1]["securityContext"]?["runAsUser"], .int(2000), "the container keeps its own user")
        XCTAssertEqual(containers[1]["envFrom"]?.items?.first?["configMapRef"]?["name"]?.stringValue, "agent-env")
        XCTAssertNotNil(pod["metadata"]?["annotations"]?["komply.dev/config-hash-agent"], "its config rolls the shared pod")
        XCTAssertTrue(
            pod["spec"]?["volumes"]?.items?.contains { $0["name"]?.stringValue == "agent-files" } == true, "its volumes, renamed")
        // Its traffic is the shared pod's: it reaches db, and web reaches it through its Service.
        XCTAssertEqual(network.viaService(from: "vpn", service: "db", port: 5432, to: "db"), 5432)
        XCTAssertEqual(network.viaService(from: "web", service: "agent", port: 9100, to: "vpn"), 9100)
        XCTAssertNil(network.viaService(from: "db", service: "agent", port: 9100, to: "vpn"), "db is no client of agent")
        XCTAssertFalse(result.notices.contains { $0.severity == .warning && $0.message.contains("network_mode") })
        let notice = try XCTUnwrap(result.notices.first { $0.message.contains("runs it as a second container of vpn's pod") })
        XCTAssertEqual(notice.location?.range?.start.line, 7)
    }

    func testNetworkModeServiceThatCannotJoinThePodIsWarnedWithTheReason() throws {
        let (result, network) = try generate(
            """
            services:
              vpn:
                image: example/vpn:1
                networks: [back]
              cache:
                image: redis:7.4
                network_mode: "service:vpn"
                command: ["redis-server", "--appendonly", "yes"]
                volumes: [cache-data:/data]
                depends_on: [db]
              uploader:
                image: example/uploader:1
                network_mode: "service:vpn"
                volumes: [uploads:/data]
              db:
                image: postgres:16.4
                networks: [back]
            networks:
              back: {}
            volumes:
              cache-data: {}
              uploads: {}
            """)
        XCTAssertNotNil(
            result.notices.first { $0.severity == .warning && $0.message.contains("service uploader: compose key network_mode") },
            "a Deployment with a volume claim keeps its own pod")
        XCTAssertNotNil(network.viaService(from: "cache", service: "db", port: 5432, to: "db"), "on vpn's network, it reaches db")
        XCTAssertFalse(result.notices.contains { $0.message.contains("cache refers to db but they share no compose network") })
        let warning = try XCTUnwrap(result.notices.first { $0.message.contains("service cache: compose key network_mode") })
        XCTAssertTrue(warning.message.contains("vpn's network namespace"), warning.message)
        XCTAssertTrue(warning.message.contains("localhost"), warning.message)
        XCTAssertEqual(warning.location?.range?.start.line, 7)
    }

    func testDNSEgressTargetsTheConfiguredSelectorAndNodeLocalCache() throws {
        let compose = "services:\n  api:\n    image: example/api:1\n    ports: [\"8080:8080\"]\n"
        let (_, standard) = try generate(compose)
        XCTAssertTrue(standard.resolvesDNS("api"), "kube-dns in kube-system by default")
        var settings = GeneratorSettings()
        settings.dns.namespace = "openshift-dns"
        settings.dns.podLabels = ["dns.operator.openshift.io/daemonset-dns": "default"]
        settings.dns.ports = [5353]
        settings.dns.nodeLocalIP = "169.254.20.10"
        let (_, configured) = try generate(compose, settings: settings)
        let openshift = NetworkEvaluator.Pod(
            workload: "dns-default", namespace: "openshift-dns", labels: ["dns.operator.openshift.io/daemonset-dns": "default"],
            ports: [("dns", 5353, "UDP"), ("dns-tcp", 5353, "TCP")], ip: [10, 128, 0, 9])
        let nodeLocal = NetworkEvaluator.Pod(
            workload: "node-local-dns", namespace: "kube-system", labels: ["k8s-app": "node-local-dns"], ports: [], ip: [169, 254, 20, 10])
        XCTAssertTrue(configured.resolvesDNS("api", via: openshift, port: 5353))
        XCTAssertTrue(
            configured.resolvesDNS("api", via: nodeLocal, port: 53) == false, "the node-local cache listens on 53; 5353 is configured")
        XCTAssertFalse(configured.resolvesDNS("api"), "kube-dns is no longer the target")
        settings.dns.ports = [53]
        let (_, cached) = try generate(compose, settings: settings)
        XCTAssertTrue(cached.resolvesDNS("api", via: nodeLocal, port: 53))
        XCTAssertFalse(standard.resolvesDNS("api", via: nodeLocal, port: 53))
    }

    func testHostsInCommandsEntrypointsAndHealthchecksAreEdges() throws {
        XCTAssertEqual(
            HostReferences.commandReferences(in: ["sh", "-c", "pg_isready -h db && wait-for cache:6379 -- run --host=queue"]).map(\.host),
            ["db", "cache", "queue"])
        XCTAssertEqual(HostReferences.commandReferences(in: ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]).map(\.host), [])
        let (result, network) = try generate(
            """
            services:
              db:
                image: postgres:17
              cache:
                image: redis:7.4
              migrate:
                image: example/migrate:1
                command: ["migrate", "--host", "db"]
              web:
                image: example/web:1
                entrypoint: ["wait-for", "cache:6379", "--", "web"]
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -h db -p 5432"]
            """)
        XCTAssertEqual(network.viaService(from: "migrate", service: "db", port: 5432, to: "db"), 5432)
        XCTAssertEqual(network.viaService(from: "web", service: "cache", port: 6379, to: "cache"), 6379)
        XCTAssertEqual(network.viaService(from: "web", service: "db", port: 5432, to: "db"), 5432, "its healthcheck calls db")
        XCTAssertEqual(network.openPorts(from: "migrate", to: "cache"), [])
        XCTAssertEqual(
            result.traffic.filter { $0.from == "web" }.map(\.description),
            [
                "\(result.traffic[0].app): web → cache on 6379/tcp (entrypoint)",
                "\(result.traffic[0].app): web → db on 5432/tcp (healthcheck)",
            ])
    }

    func testHostsInMountedAndBuiltInConfigFilesAreEdges() throws {
        let (result, network) = try generate(
            """
            services:
              prometheus:
                image: prom/prometheus:v3.0.0
              grafana:
                image: grafana/grafana:11.3.0
                volumes: ["./grafana:/etc/grafana/provisioning/datasources"]
              api:
                image: example/api:1
                expose: ["3000"]
              frontend:
                build: {context: frontend}
            """,
            files: [
                "grafana/datasource.yml": "datasources:\n  - name: Prometheus\n    url: http://prometheus:9090\n",
                "frontend/Dockerfile": "FROM node:22\nEXPOSE 3000\n",
                "frontend/src/setupProxy.js": "module.exports = app => app.use(proxy({ target: 'http://api:3000' }))\n",
            ])
        XCTAssertEqual(network.viaService(from: "grafana", service: "prometheus", port: 9090, to: "prometheus"), 9090)
        XCTAssertEqual(network.viaService(from: "frontend", service: "api", port: 3000, to: "api"), 3000)
        XCTAssertEqual(network.openPorts(from: "prometheus", to: "grafana"), [])
        XCTAssertEqual(
            result.traffic.map { "\($0.from) → \($0.to) \($0.evidence)" },
            ["frontend → api [\"file ./frontend/src/setupProxy.js\"]", "grafana → prometheus [\"file ./grafana/datasource.yml\"]"])
    }

    func testNetworkAliasesAndCaddyLabelsAreUnderstood() throws {
        var caddy = ComposeService(name: "app")
        caddy.labels = ["caddy": "app.example.com", "caddy.reverse_proxy": "{{upstreams 8080}}"]
        XCTAssertEqual(PortEvidence.labelPort(caddy)?.port, 8080)
        let (_, network) = try generate(
            """
            services:
              db:
                image: postgres:17
                networks: {back: {aliases: [database]}}
              api:
                image: example/api:1
                networks: [back]
                environment: {PGHOST: database}
            networks:
              back: {}
            """)
        XCTAssertEqual(network.viaService(from: "api", service: "db", port: 5432, to: "db"), 5432)
    }
}
