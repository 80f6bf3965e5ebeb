import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Unit tests of the generator's decisions, one behaviour each.
final class GeneratorUnitTests: XCTestCase {
    func service(_ name: String, image: String? = nil, _ configure: (inout ComposeService) -> Void = { _ in }) -> ComposeService {
        var service = ComposeService(name: name)
        service.image = image
        configure(&service)
        return service
    }

    func testClassificationKindsAndReasons() {
        let postgres = Classifier.classify(service("db", image: "postgres:16"), options: ServiceOptions())
        XCTAssertEqual(postgres.kind.value, .statefulSet)
        XCTAssertEqual(postgres.role.value, .database)
        XCTAssertTrue(postgres.kind.reason.contains("postgres"))
        let redisCache = Classifier.classify(service("cache", image: "redis:7"), options: ServiceOptions())
        XCTAssertEqual(redisCache.kind.value, .deployment, "redis without persistence is a stateless cache")
        let persistent = Classifier.classify(
            service("cache", image: "redis:7") { $0.volumes = [VolumeMount(type: "volume", source: "data", target: "/data")] },
            options: ServiceOptions())
        XCTAssertEqual(persistent.kind.value, .statefulSet)
        let global = Classifier.classify(
            service("agent", image: "example/agent:1") { $0.deploy = Deploy(mode: "global") }, options: ServiceOptions())
        XCTAssertEqual(global.kind.value, .daemonSet)
        var options = ServiceOptions()
        options.schedule = "0 3 * * *"
        XCTAssertEqual(Classifier.classify(service("report", image: "x/report:1"), options: options).kind.value, .cronJob)
        let jvm = Classifier.classify(
            service("svc", image: "example/svc:1") { $0.environment = ["JAVA_OPTS": "-Xmx1g"] }, options: ServiceOptions())
        XCTAssertEqual(jvm.runtime.value, .jvm)
        XCTAssertEqual(jvm.runtime.reason, "JAVA_OPTS in environment")
    }

    func testHostsInValuesIgnoreSecretMarkers() {
        XCTAssertEqual(HostReferences.hosts(in: "jdbc:postgresql://payments-db:5432/payments"), ["payments-db"])
        XCTAssertEqual(HostReferences.hosts(in: "cache:6379"), ["cache"])
        XCTAssertEqual(HostReferences.hosts(in: "postgres://app:\(SecretTaint.marker("DB_PASS"))@db:5432/app"), ["db"])
    }

    func testJVMHeapRaisesTheLimitAndPredictionsWinOverDefaults() throws {
        let jvm = service("api", image: "eclipse-temurin:21") {
            $0.environment = ["JAVA_OPTS": "-Xms512m -Xmx768m"]
            $0.deploy = Deploy(limits: ResourceSpec(memoryBytes: 512 << 20))
        }
        let classification = Classifier.classify(jvm, options: ServiceOptions())
        let plan = ResourcePlanner.plan(jvm, classification: classification, options: ServiceOptions())
        XCTAssertEqual(plan.memoryLimit.description, "1216Mi")
        XCTAssertEqual(plan.warnings.count, 1)
        let predicted = Recommendation(
            app: "shop", service: "api", container: "api", tier: .balanced, cpuRequest: try Quantity(parsing: "300m"), cpuLimit: nil,
            memoryRequest: try Quantity(parsing: "1Gi"), memoryLimit: try Quantity(parsing: "1280Mi"), confidence: 0.5,
            reasons: ["because"], warnings: [])
        let withPrediction = ResourcePlanner.plan(jvm, classification: classification, options: ServiceOptions(), prediction: predicted)
        XCTAssertEqual(withPrediction.cpuRequest.description, "300m")
        XCTAssertEqual(withPrediction.cpuLimit.description, "1", "no CPU limit from the policy: the role default keeps the pack's rule")
        XCTAssertEqual(withPrediction.memoryLimit.description, "1280Mi")
        var options = ServiceOptions()
        options.limits["memory"] = try Quantity(parsing: "2Gi")
        let overridden = ResourcePlanner.plan(jvm, classification: classification, options: options, prediction: predicted)
        XCTAssertEqual(overridden.memoryLimit.description, "2Gi", "x-komply.resources wins over predictions")
    }

    func testTemplateOverrideMergesOverTheComputedObject() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-templates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        metadata: {labels: {team: pay, tier: null}, annotations: null}
        data: {{{data}}}
        extra: [1]
        """.write(toFile: "\(folder)/ConfigMap.yaml.mustache", atomically: true, encoding: .utf8)
        let draft = ObjectDraft(
            kind: "ConfigMap", name: "env",
            parts: [
                "metadata": .members([
                    ("name", .string("env")), ("labels", .members([("tier", .string("api")), ("app", .string("shop"))])),
                    ("annotations", .members([("a", .string("b"))])),
                ]),
                "data": .members([("LOG_LEVEL", .string("info"))]),
            ])
        let builtIn = try TemplateSet.builtIn.render(draft)
        let merged = try TemplateSet.overriding(with: folder).render(draft)
        XCTAssertEqual(builtIn["metadata"]?["annotations"], .members([("a", .string("b"))]))
        // Keys keep their place, new ones are appended, null removes, a repeated part changes nothing.
        XCTAssertEqual(
            merged,
            .members([
                ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                (
                    "metadata",
                    .members([("name", .string("env")), ("labels", .members([("app", .string("shop")), ("team", .string("pay"))]))])
                ),
                ("data", .members([("LOG_LEVEL", .string("info"))])), ("extra", .array([.int(1)])),
            ]))
        // Other kinds keep the built-in template.
        let account = ObjectDraft(kind: "ServiceAccount", name: "a", parts: ["metadata": .members([("name", .string("a"))])])
        XCTAssertEqual(try TemplateSet.overriding(with: folder).render(account), try TemplateSet.builtIn.render(account))
    }

    func testImageReferences() {
        XCTAssertEqual(ImageKnowledge.familyName("registry:5000/org/postgres:16@sha256:abc"), "postgres")
        XCTAssertEqual(ImageKnowledge.repository("registry:5000/org/app:1.2"), "registry:5000/org/app")
        XCTAssertEqual(ImageKnowledge.repository("registry:5000/org/app"), "registry:5000/org/app")
        XCTAssertEqual(ImageKnowledge.tag("nginx"), nil)
        XCTAssertEqual(ImageKnowledge.tag("nginx:1.27-alpine"), "1.27-alpine")
        XCTAssertEqual(ImageKnowledge.profile(for: "bitnami/postgresql:16")?.family, "postgresql")
    }

    func testNamesAreDNSLabels() {
        XCTAssertEqual(Naming.dnsLabel("My_Service.v2"), "my-service-v2")
        XCTAssertEqual(Naming.dnsLabel("--x--"), "x")
        XCTAssertEqual(Naming.dnsLabel(String(repeating: "a", count: 80)).count, 63)
        XCTAssertEqual(Naming.portName(5432, protocol: "tcp"), "postgres")
        XCTAssertEqual(Naming.portName(9000, protocol: "udp"), "udp-9000")
    }
}
