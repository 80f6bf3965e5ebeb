import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict
import XCTest

@testable import KomplyPipeline

/// `komply history record` keeps what was deployed: the declared resources, or komply's
/// recommendation when that is what went out.
final class DeploymentRecordingTests: XCTestCase {
    let feature = WorkloadFeatures(
        app: "shop", service: "api", container: "api", image: "eclipse-temurin:21-jre", command: ["java", "-Xmx512m", "-jar", "app.jar"],
        environment: [:], ports: [8080],
        declared: ResourceAmounts(cpuRequest: 0.25, cpuLimit: nil, memoryRequest: 268_435_456, memoryLimit: nil), replicas: 2)

    func testDeclaredResourcesAreRecordedWithTheContext() {
        let context = DeploymentRecording.Context(environment: "prod", cluster: "eu-1", commit: "abc123", outcome: "healthy", time: 1000)
        let records = DeploymentRecording.records(for: [feature], context: context, recommended: false, histories: [])
        XCTAssertEqual(records.count, 1)
        let record = records[0]
        XCTAssertEqual(record.resources, feature.declared)
        XCTAssertEqual([record.environment, record.cluster, record.commit, record.outcome], ["prod", "eu-1", "abc123", "healthy"])
        XCTAssertEqual(record.time, 1000)
        XCTAssertEqual(record.replicas, 2)
        XCTAssertEqual(record.runtime, "jvm", "the runtime is derived from the image and command")
    }

    func testRecordsAreKeyedByTheAppAsGeneratedOutputNamesIt() {
        var mine = feature
        mine.app = "My_Shop"
        let records = DeploymentRecording.records(for: [mine], context: .init(time: 0), recommended: false, histories: [])
        XCTAssertEqual(records.map(\.app), ["my-shop"])
        XCTAssertEqual(records[0].app, Naming.dnsLabel(mine.app))
    }

    /// History's app key is the name generated output gives the app, so a namespace read back maps to it.
    func testTheHistoryAppKeyIsTheGeneratedAppName() {
        for name in ["shop", "My_Shop", "a.b.c", "-x-", "ÄÖÜ shop", "__", String(repeating: "ab-", count: 40), "UPPER_case-1"] {
            XCTAssertEqual(HistoryApp.key(name), Naming.dnsLabel(name), name)
        }
        XCTAssertEqual(HistoryApp.key(""), "", "a legacy row stays legacy")
    }

    func testRecommendedResourcesComeFromTheRecommender() {
        let records = DeploymentRecording.records(for: [feature], context: .init(time: 0), recommended: true, histories: [])
        let expected = Recommender(history: []).recommend(feature).amounts
        XCTAssertEqual(records[0].resources, expected)
        XCTAssertNotEqual(records[0].resources, feature.declared, "a JVM with -Xmx512m is sized above its 256 MiB request")
    }
}

/// `komply history record --manifests`: the resources as generated, and who chose them, from komply's annotations.
final class DeployedManifestsRecordingTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-manifests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("shop/base"), withIntermediateDirectories: true)
        // api: an LLM changed its memory request; api-worker's name starts with api's; db pins x-komply.resources.
        try """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          labels:
            app.kubernetes.io/part-of: shop
          annotations:
            komply.dev/refined: openai gpt-4o-mini changed /containers/api/resources/requests/memory
        spec:
          template:
            metadata:
              annotations:
                komply.dev/sizing: komply predict (confidence 0.40)
            spec:
              containers:
                - name: api
                  resources:
                    requests: {cpu: 300m, memory: 384Mi}
                    limits: {cpu: "1", memory: 512Mi}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api-worker
          labels:
            app.kubernetes.io/part-of: shop
          annotations:
            komply.dev/refined: openai gpt-4o-mini changed /containers/api-worker/readinessProbe/periodSeconds
        spec:
          template:
            spec:
              containers:
                - name: api-worker
                  resources:
                    requests: {cpu: 100m, memory: 128Mi}
        """.write(to: folder.appendingPathComponent("shop/base/api.yaml"), atomically: true, encoding: .utf8)
        try """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          labels:
            app.kubernetes.io/part-of: shop
        spec:
          template:
            metadata:
              annotations:
                komply.dev/sizing: postgres defaults; x-komply.resources
            spec:
              containers:
                - name: db
                  resources:
                    requests: {cpu: "0.5", memory: 1Gi}
        """.write(to: folder.appendingPathComponent("shop/base/db.yaml"), atomically: true, encoding: .utf8)
        try "resources: [api.yaml, db.yaml]\n".write(
            to: folder.appendingPathComponent("shop/base/kustomization.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func feature(_ service: String, declared: ResourceAmounts = ResourceAmounts()) -> WorkloadFeatures {
        WorkloadFeatures(
            app: "shop", service: service, container: service, image: "example/\(service):1", command: [], environment: [:], ports: [],
            declared: declared)
    }

    func testContainersAreRecordedWithTheManifestsResourcesAndSource() throws {
        let manifests = try DeployedManifests.read(folder: folder.path)
        let features = [feature("api"), feature("api-worker"), feature("db"), feature("cache")]
        let records = DeploymentRecording.records(
            for: features, context: .init(environment: "prod", time: 1000), recommended: false, histories: [], manifests: manifests)
        XCTAssertEqual(records.map(\.service), ["api", "api-worker", "db", "cache"])
        XCTAssertEqual(records.map(\.source), [.llm, .deterministic, .manual, .deterministic])
        XCTAssertEqual(
            records[0].resources,
            ResourceAmounts(cpuRequest: 0.3, cpuLimit: 1, memoryRequest: 384 * 1_048_576, memoryLimit: 512 * 1_048_576))
        XCTAssertEqual(records[2].resources, ResourceAmounts(cpuRequest: 0.5, memoryRequest: 1_073_741_824))
        XCTAssertEqual(records[3].resources, ResourceAmounts(), "a service the manifests do not hold is recorded as without them")
    }

    /// An environment's overlay patch is what that environment runs: komply's per-environment sizing.
    func testAnEnvironmentsOverlayPatchesWinOverTheBase() throws {
        let overlay = folder.appendingPathComponent("shop/overlays/staging")
        try FileManager.default.createDirectory(at: overlay, withIntermediateDirectories: true)
        let patch =
            #"[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/resources\",\"value\":{\"requests\":{\"cpu\":\"50m\",\"memory\":\"64Mi\"},\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}}}]"#
        let memory = #"[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/resources/limits/memory\",\"value\":\"2Gi\"}]"#
        try """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [../../base]
        patches:
          - target: {kind: Deployment, name: api}
            patch: "\(patch)"
          - target: {kind: StatefulSet, name: db}
            patch: "\(memory)"
        """.write(to: overlay.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
        let staging = try DeployedManifests.read(folder: folder.path, environment: "staging")
        let api = try XCTUnwrap(staging.entry(app: "shop", service: "api", container: "api"))
        XCTAssertEqual(
            api.resources, ResourceAmounts(cpuRequest: 0.05, cpuLimit: 0.5, memoryRequest: 64 * 1_048_576, memoryLimit: 128 * 1_048_576))
        XCTAssertEqual(api.source, .deterministic, "the environment's sizing replaced the LLM's change to the base")
        let db = try XCTUnwrap(staging.entry(app: "shop", service: "db", container: "db"))
        XCTAssertEqual(db.resources, ResourceAmounts(cpuRequest: 0.5, memoryRequest: 1_073_741_824, memoryLimit: 2_147_483_648))
        XCTAssertEqual(db.source, .deterministic)
        let production = try DeployedManifests.read(folder: folder.path, environment: "production")
        XCTAssertEqual(production.entry(app: "shop", service: "api", container: "api")?.source, .llm, "no overlay: the base")
    }

    func testDeclaredComposeResourcesAreManualAndRecommendationsDeterministic() {
        let declared = ResourceAmounts(cpuRequest: 0.25, memoryLimit: 268_435_456)
        let records = DeploymentRecording.records(
            for: [feature("api", declared: declared), feature("db")], context: .init(time: 0), recommended: false, histories: [])
        XCTAssertEqual(records.map(\.source), [.manual, .deterministic], "nothing declared is nobody's choice")
        let recommended = DeploymentRecording.records(
            for: [feature("api", declared: declared)], context: .init(time: 0), recommended: true, histories: [])
        XCTAssertEqual(recommended.map(\.source), [.deterministic])
    }

    func testAMissingFolderIsNamed() {
        XCTAssertThrowsError(try DeployedManifests.read(folder: folder.appendingPathComponent("nothing").path)) { error in
            XCTAssertTrue(error.localizedDescription.contains("invalid --manifests"), error.localizedDescription)
        }
    }
}

/// `komply history import|observe`: files read into one batch; a bad Prometheus flag is named.
final class HistoryIngestTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/history/measured").path

    func testFilesAreReadIntoOneBatch() async throws {
        let files = ["deployments.jsonl", "samples.csv"].map { Self.fixtures + "/" + $0 }
        let batch = try await HistoryIngest.batch(files: files, importer: HistoryImporter(), now: 2_000_000_000)
        XCTAssertFalse(batch.deployments.isEmpty)
        XCTAssertFalse(batch.samples.isEmpty)
    }

    func testNamespaceTemplatesOfKomplyYAMLMapNamespacesBackToApps() throws {
        let file = try ConfigFile.parse(
            """
            apiVersion: komply.dev/v1
            kind: Config
            environments:
              - name: staging
              - name: prod
                namespace: team-{app}
            """)
        let patterns = try HistoryIngest.namespacePatterns(config: file)
        XCTAssertEqual(patterns, [.init(prefix: "", suffix: "-staging"), .init(prefix: "team-", suffix: "")])
        var options = HistoryImporter.Options(format: .prometheus, metric: .memory)
        options.namespacePatterns = patterns
        let response = #"""
            {"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"namespace":"shop-staging","container":"db"},"values":[[60,"100"]]},
            {"metric":{"namespace":"team-shop","container":"db"},"values":[[60,"100"]]},
            {"metric":{"namespace":"blog","container":"db"},"values":[[60,"100"]]}]}}
            """#
        let batch = try HistoryImporter(options: options).read(data: Data(response.utf8), file: "m.json")
        XCTAssertEqual(batch.samples.map(\.app), ["shop", "shop", "blog"])
        XCTAssertEqual(try HistoryIngest.namespacePatterns(config: nil), [])
    }

    func testAPrometheusURLThatIsNotHTTPIsRefusedBeforeAnyQuery() async throws {
        let query = HistoryIngest.PrometheusQuery(url: "ftp://metrics", query: "up", start: "2026-11-01T00:00:00Z", end: nil, step: 60)
        do {
            _ = try await HistoryIngest.batch(files: [], importer: HistoryImporter(), prometheus: query, now: 2_000_000_000)
            XCTFail("an ftp URL was accepted")
        } catch let error as PipelineError {
            XCTAssertEqual(error.localizedDescription, "invalid --prometheus-url \"ftp://metrics\": expected http://host:port")
        }
        let badTime = HistoryIngest.PrometheusQuery(url: "http://127.0.0.1:1", query: "up", start: "yesterday", end: nil, step: 60)
        do {
            _ = try await HistoryIngest.batch(files: [], importer: HistoryImporter(), prometheus: badTime, now: 2_000_000_000)
            XCTFail("a start that is not a time was accepted")
        } catch let error as PipelineError {
            XCTAssertEqual(error.localizedDescription, "invalid --start or --end: expected RFC 3339 times")
        }
    }
}
