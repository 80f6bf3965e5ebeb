import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Image knowledge (issue 15, item 2): the Dockerfile a `build:` service is built from, image names matched as
/// names, writable paths, versions that ship a probe command, GPU services.
final class ImageKnowledgeTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-image-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(atPath: folder + "/repo/.git", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `files` (path → text) into the repository and reads its compose app.
    func project(_ compose: String, files: [String: String] = [:]) throws -> ComposeProject {
        for (path, text) in files.merging(["compose.yaml": compose], uniquingKeysWith: { $1 }) {
            let url = URL(fileURLWithPath: folder + "/repo/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return try SourceLoader.load(SourceRequest(paths: [folder + "/repo"], environment: [:]))[0]
    }

    func classify(_ project: ComposeProject, _ name: String) throws -> Classification {
        let service = try XCTUnwrap(project[service: name])
        return Classifier.classify(service, options: try ServiceOptions.read(service), project: project)
    }

    func testTheFinalFromOfAMultiStageDockerfileFollowsTargetsArgsAndPlatforms() {
        let text = """
            # syntax=docker/dockerfile:1
            ARG NODE_VERSION=18
            ARG BASE
            FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS builder
            USER node
            EXPOSE 3000
            FROM builder AS dev-envs
            RUN apt-get update && \\
                useradd -s /bin/bash -m vscode
            FROM ${BASE:-gcr.io/distroless/nodejs18} AS final
            USER 1001:1001
            """
        let dockerfile = Dockerfile(parsing: text)
        let final = dockerfile.built(target: nil)
        XCTAssertEqual(final?.base, "gcr.io/distroless/nodejs18")
        XCTAssertEqual(final?.user, "1001:1001")
        XCTAssertEqual(final?.line, 10)
        let dev = dockerfile.built(target: "dev-envs")
        XCTAssertEqual(dev?.base, "node:18-alpine", "FROM builder is followed to the stage it names")
        XCTAssertEqual(dev?.stage, "dev-envs")
        XCTAssertEqual(dev?.user, "node", "USER of a parent stage is inherited")
        XCTAssertEqual(dev?.ports, [Dockerfile.ContainerExpose(port: 3000, proto: "tcp")])
        XCTAssertEqual(Dockerfile(parsing: text, arguments: ["NODE_VERSION": "20"]).built(target: "builder")?.base, "node:20-alpine")
        XCTAssertEqual(Dockerfile(parsing: text, arguments: ["BASE": "node:20"]).built(target: nil)?.base, "node:20")
        XCTAssertNil(Dockerfile(parsing: "# nothing\n").built(target: nil))
    }

    func testImageNamesMatchWholePathComponentsNotSubstrings() {
        XCTAssertNil(ImageKnowledge.profile(for: "prom/node-exporter:v1.8.2"), "node-exporter is not Node.js")
        XCTAssertNil(ImageKnowledge.profile(for: "quay.io/prometheus/node-exporter"))
        XCTAssertNil(ImageKnowledge.profile(for: "example/postgres-exporter:1"))
        XCTAssertNil(ImageKnowledge.profile(for: "redis-commander"))
        XCTAssertEqual(ImageKnowledge.profile(for: "node:lts")?.family, "node")
        XCTAssertEqual(ImageKnowledge.profile(for: "docker.io/library/postgres:16")?.family, "postgres")
        XCTAssertEqual(ImageKnowledge.profile(for: "bitnami/postgresql:16")?.family, "postgresql")
        XCTAssertEqual(ImageKnowledge.profile(for: "mysql/mysql-server:8.0")?.family, "mysql")
        XCTAssertEqual(ImageKnowledge.profile(for: "mcr.microsoft.com/mssql/server:2022-latest")?.family, "mssql")
        XCTAssertEqual(ImageKnowledge.profile(for: "mcr.microsoft.com/azure-sql-edge:1.0.4")?.family, "mssql")
        XCTAssertEqual(ImageKnowledge.profile(for: "mcr.microsoft.com/dotnet/aspnet:6.0")?.runtime, .dotnet)
        XCTAssertEqual(ImageKnowledge.profile(for: "redislabs/redismod")?.family, "redismod")
        var service = ComposeService(name: "node-exporter")
        service.image = "prom/node-exporter:v1.8.2"
        let exporter = Classifier.classify(service, options: ServiceOptions())
        XCTAssertEqual(exporter.runtime.value, .unknown)
        XCTAssertNil(exporter.profile)
    }

    func testASPNETImagesListenOnThePortOfTheirVersion() throws {
        let aspnet = try XCTUnwrap(ImageKnowledge.profile(for: "mcr.microsoft.com/dotnet/aspnet:6.0"))
        XCTAssertEqual(ImageKnowledge.defaultPort(aspnet, image: "mcr.microsoft.com/dotnet/aspnet:6.0"), 80)
        XCTAssertEqual(ImageKnowledge.defaultPort(aspnet, image: "mcr.microsoft.com/dotnet/aspnet:8.0-alpine"), 8080)
        XCTAssertEqual(ImageKnowledge.defaultPort(aspnet, image: "mcr.microsoft.com/dotnet/aspnet"), 8080)
        let nginx = try XCTUnwrap(ImageKnowledge.profile(for: "nginx:1.13-alpine"))
        XCTAssertEqual(ImageKnowledge.defaultPort(nginx, image: "nginx:1.13-alpine"), 80)
    }

    func testMariaDBHealthcheckScriptOnlyForVersionsThatShipIt() throws {
        let mariadb = try XCTUnwrap(ImageKnowledge.profile(for: "mariadb"))
        func ships(_ image: String) -> Bool { ImageKnowledge.probeCommandAvailability(mariadb, image: image).ships }
        XCTAssertFalse(ships("mariadb:10.6.4-focal"), "2021 tags predate healthcheck.sh")
        XCTAssertFalse(ships("mariadb:10-focal"), "a distribution variant stops moving when the image drops it")
        XCTAssertFalse(ships("mariadb:10.6.11"))
        XCTAssertFalse(ships("mariadb:10.2.44"), "no 10.2 image ever had it")
        XCTAssertFalse(ships("mariadb@sha256:29fe5062baf36bae8ec68f21a3dce4f0372dadc185e687624f1252fc49d91c67"))
        XCTAssertTrue(ships("mariadb:10.6.12"))
        XCTAssertTrue(ships("mariadb:10.11.2-jammy"))
        XCTAssertTrue(ships("mariadb:10.5"), "a moving series tag is today's image of that series")
        XCTAssertTrue(ships("mariadb:11.4.2"))
        XCTAssertTrue(ships("mariadb:11"))
        XCTAssertTrue(ships("mariadb"))
        XCTAssertTrue(ships("mariadb:lts"))
        let postgres = try XCTUnwrap(ImageKnowledge.profile(for: "postgres"))
        XCTAssertTrue(ImageKnowledge.probeCommandAvailability(postgres, image: "postgres:9.6.1").ships)
        let rabbit = try XCTUnwrap(ImageKnowledge.profile(for: "rabbitmq"))
        XCTAssertTrue(ImageKnowledge.probeCommandAvailability(rabbit, image: "rabbitmq:3-management").ships)
        XCTAssertFalse(ImageKnowledge.probeCommandAvailability(rabbit, image: "rabbitmq:3.7.28").ships)
    }

    func testMariaDBOf2021GetsATCPProbeAndANotice() throws {
        let project = try project(
            """
            services:
              db:
                image: mariadb:10.6.4-focal
                volumes: [db_data:/var/lib/mysql]
              new:
                image: mariadb:10.11.6
            volumes: {db_data: {}}
            """)
        let result = try Generator(settings: GeneratorSettings()).generate([project])
        let base = try XCTUnwrap(result.files.first { $0.path.hasSuffix("base/db.yaml") }).contents
        XCTAssertFalse(base.contains("healthcheck.sh"))
        XCTAssertTrue(base.contains("tcpSocket"))
        let newer = try XCTUnwrap(result.files.first { $0.path.hasSuffix("base/new.yaml") }).contents
        XCTAssertTrue(newer.contains("healthcheck.sh"))
        XCTAssertTrue(
            result.notices.contains { $0.message.contains("probe healthcheck.sh --connect not used: mariadb:10.6.4-focal predates") },
            "\(result.notices.map(\.message))")
    }

    func testBuildServicesUseTheirDockerfilesBaseForRuntimeUserAndPorts() throws {
        let project = try project(
            """
            services:
              api:
                build: {context: api, target: development}
              web:
                build: web
              bin:
                build: {context: bin, dockerfile: build/Containerfile}
              root:
                build: root
              dotnet:
                build: dotnet
            """,
            files: [
                "api/Dockerfile": "FROM node:lts AS development\nWORKDIR /app\nFROM development AS dev-envs\nFROM nginx:1.13-alpine\n",
                "web/Dockerfile":
                    "FROM node:lts AS build\nRUN npm run build\nFROM nginx:alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
                "bin/build/Containerfile":
                    "FROM golang:1.22 AS builder\nRUN go build -o /app\nFROM scratch\nUSER 65532\nCOPY --from=builder /app /app\n",
                "root/Dockerfile": "FROM python:3.12-slim\nUSER root\n",
                "dotnet/Dockerfile": "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER $APP_UID\n",
            ])
        let api = try classify(project, "api")
        XCTAssertEqual(api.image?.value, "node:lts")
        XCTAssertEqual(api.image?.reason, "FROM node:lts in api/Dockerfile:1 (stage development)")
        XCTAssertEqual(api.runtime.value, .node)
        let web = try classify(project, "web")
        XCTAssertEqual(web.profile?.family, "nginx")
        XCTAssertEqual(web.runtime.value, .static)
        XCTAssertEqual(web.role.value, .web, "an app built FROM nginx is what its name says, not a proxy")
        let bin = try classify(project, "bin")
        XCTAssertEqual(bin.runtime.value, .go)
        XCTAssertEqual(bin.runtime.reason, "a binary built FROM golang:1.22 runs on scratch")
        XCTAssertEqual(bin.dockerfileUser?.value, "65532")
        let result = try Generator(settings: GeneratorSettings()).generate([project])
        func file(_ name: String) throws -> String { try XCTUnwrap(result.files.first { $0.path.hasSuffix("base/\(name).yaml") }).contents }
        XCTAssertTrue(try file("api").contains("runAsUser: 1000"), "node's user")
        XCTAssertTrue(try file("web").contains("runAsUser: 101"), "nginx's user")
        XCTAssertTrue(try file("web").contains("mountPath: /var/cache/nginx"), "nginx's writable paths")
        XCTAssertTrue(try file("web").contains("containerPort: 80"), "nginx's port when none is declared")
        XCTAssertTrue(try file("bin").contains("runAsUser: 65532"), "USER of the final stage")
        XCTAssertTrue(try file("dotnet").contains("runAsUser: 1654"), "USER $APP_UID of .NET 8 images")
        XCTAssertTrue(
            result.notices.contains { $0.severity == .warning && $0.message.contains("USER in root/Dockerfile (stage final) is root") })
    }

    func testBuildContextManifestsGiveTheRuntimeAndItsSizingPrior() throws {
        let project = try project(
            """
            services:
              worker:
                build: worker
            """,
            files: ["worker/Dockerfile": "FROM example.com/base:1\n", "worker/requirements.txt": "celery\n"])
        let worker = try classify(project, "worker")
        XCTAssertEqual(worker.runtime.value, .python)
        XCTAssertEqual(worker.runtime.reason, "build context has requirements.txt")
        let plan = ResourcePlanner.plan(try XCTUnwrap(project[service: "worker"]), classification: worker, options: ServiceOptions())
        XCTAssertEqual(plan.memoryRequest.description, "256Mi", "python workers start from the python defaults")
    }

    func testUnknownImagesWarnAboutWritablePathsAndDataPathsGetAVolume() throws {
        let project = try project(
            """
            services:
              app:
                image: example/app:1
                ports: ["8080:8080"]
              tuned:
                image: example/tuned:1
                ports: ["8081:8081"]
                x-komply: {writablePaths: [/var/cache/tuned]}
              wordpress:
                image: wordpress:6
                ports: ["80:80"]
            """)
        let result = try Generator(settings: GeneratorSettings()).generate([project])
        let warnings = result.notices.filter { $0.severity == .warning }.map(\.message)
        XCTAssertTrue(
            warnings.contains {
                $0.contains("service app: image example/app:1 is not one komply knows") && $0.contains("x-komply.writablePaths")
            })
        XCTAssertFalse(warnings.contains { $0.hasPrefix("service tuned: image") })
        let location = try XCTUnwrap(result.notices.first { $0.message.contains("service app: image example/app:1") }?.location)
        XCTAssertEqual(location.range?.start.line, 3, "the image key")
        let wordpress = try XCTUnwrap(result.files.first { $0.path.hasSuffix("base/wordpress.yaml") }).contents
        XCTAssertTrue(wordpress.contains("mountPath: /var/www/html"))
        XCTAssertTrue(wordpress.contains("mountPath: /var/lock/apache2"))
        XCTAssertTrue(warnings.contains { $0.contains("wordpress keeps its data in /var/www/html, which no compose volume covers") })
    }

    func testGPUServicesRunOneReplicaWithoutAutoscalerAndGPUSizing() throws {
        let project = try project(
            """
            services:
              inference:
                image: ghcr.io/example/inference:2
                ports: ["8000:8000"]
                deploy:
                  replicas: 3
                  resources:
                    reservations:
                      devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
            """)
        let result = try Generator(settings: GeneratorSettings()).generate([project])
        let base = try XCTUnwrap(result.files.first { $0.path.hasSuffix("base/inference.yaml") }).contents
        XCTAssertTrue(base.contains("replicas: 1"))
        XCTAssertFalse(base.contains("HorizontalPodAutoscaler"))
        XCTAssertTrue(base.contains("memory: 2Gi"), base)
        XCTAssertTrue(result.notices.contains { $0.message.contains("deploy.replicas: 3 would claim 3 GPUs") })
        var settings = GeneratorSettings()
        settings.environments = [EnvironmentConfig(name: "production", replicas: 4)]
        let production = try Generator(settings: settings).generate([project])
        let overlay = try XCTUnwrap(production.files.first { $0.path.hasSuffix("overlays/production/kustomization.yaml") }).contents
        XCTAssertFalse(overlay.contains("count: 4"), "an environment's replicas do not scale a GPU service:\n\(overlay)")
    }

    /// Corpus apps: the image each service's knowledge comes from, and the runtime it gives.
    func testCorpusServicesAreClassifiedFromTheirImagesAndDockerfiles() throws {
        let corpus = TrafficCorpusTests.corpus
        guard FileManager.default.fileExists(atPath: corpus) else { throw XCTSkip("no corpus at \(corpus)") }
        let expected: [(app: String, service: String, image: String, runtime: Runtime)] = [
            ("angular", "web", "node:17.0.1-bullseye-slim", .node),
            ("aspnet-mssql", "web", "mcr.microsoft.com/dotnet/aspnet:5.0", .dotnet),
            ("aspnet-mssql", "db", "mcr.microsoft.com/azure-sql-edge:1.0.4", .native),
            ("nginx-flask-mysql", "backend", "python:3.10-alpine", .python),
            ("nginx-golang-mysql", "backend", "golang:1.18-alpine", .go),
            ("react-nginx", "frontend", "nginx:alpine", .static),
            ("spring-postgres", "backend", "eclipse-temurin:17-jre-focal", .jvm),
            ("vuejs", "web", "node:14.4.0-alpine", .node),
            ("wasmedge-mysql-nginx", "backend", "scratch", .native),
            ("prometheus-grafana", "prometheus", "prom/prometheus", .go),
            ("wordpress-mysql", "wordpress", "wordpress:latest", .php),
        ]
        for entry in expected {
            let project = try XCTUnwrap(SourceLoader.load(SourceRequest(paths: [corpus + "/" + entry.app], environment: [:])).first)
            let classification = try classify(project, entry.service)
            XCTAssertEqual(classification.image?.value, entry.image, "\(entry.app)/\(entry.service)")
            XCTAssertEqual(classification.runtime.value, entry.runtime, "\(entry.app)/\(entry.service): \(classification.runtime.reason)")
        }
        let nginx = try XCTUnwrap(SourceLoader.load(SourceRequest(paths: [corpus + "/nginx-nodejs-redis"], environment: [:])).first)
        XCTAssertEqual(try classify(nginx, "nginx").role.value, .proxy, "built FROM nginx, named nginx, proxying web1 and web2")
    }
}
