import KomplyCore
import KomplyPredict
import XCTest

@testable import KomplyPipeline

/// The report's environments: what an overlay renders per container, and which observations belong to which environment.
final class UsageReportEnvironmentTests: XCTestCase {
    func testAnObservedClusterMatchesTheEnvironmentOfItsNameOrOfItsClusterHost() {
        XCTAssertTrue(UsageReport.matches(origin: "prod", environment: "prod", cluster: nil))
        XCTAssertTrue(UsageReport.matches(origin: "prod", environment: "production", cluster: "https://prod.k8s.example.com"))
        XCTAssertTrue(
            UsageReport.matches(origin: "prod.k8s.example.com", environment: "production", cluster: "https://prod.k8s.example.com:6443"))
        XCTAssertFalse(UsageReport.matches(origin: "k8s", environment: "production", cluster: "https://prod.k8s.example.com"))
        XCTAssertFalse(UsageReport.matches(origin: "lab", environment: "production", cluster: nil))
        XCTAssertFalse(UsageReport.matches(origin: "docker", environment: "docker", cluster: nil), "docker stats name no cluster")
        XCTAssertFalse(UsageReport.matches(origin: "import", environment: "import", cluster: nil))
    }

    func testEachEnvironmentCountsItsRenderedPodsAndScaledRequestsAndObservationsMatchOneEnvironmentOrAreListed() throws {
        let recommendation = Recommendation(
            app: "shop", service: "api", container: "api", tier: .balanced, cpuRequest: Quantity(milliCPU: 200), cpuLimit: nil,
            memoryRequest: Quantity(bytes: 256 << 20), memoryLimit: Quantity(bytes: 512 << 20), confidence: 1, reasons: [], warnings: [])
        var workload = UsageReport.Workload(
            app: "shop", service: "api", container: "api", replicas: 1,
            declared: ResourceAmounts(cpuRequest: 0.25, memoryRequest: 268_435_456),
            recommended: recommendation, observedIn: ["docker", "eu", "staging"], cpu: nil, memory: nil, cpuChart: [], memoryChart: [],
            restarts: 0, oomKills: 0, throttling: 0)
        workload.valuesByOrigin = [
            "staging": ([0.1, 0.3, 0.2], [1e8]), "eu": ([0.5], [2e8]), "docker": ([0.05], [5e7]),
        ]
        var report = UsageReport(workloads: [workload], prices: .standard, now: 0)
        func objects(_ namespace: String, replicas: Int, cpu: String, memory: String, hpaMinimum: Int? = nil) throws -> [KubeObject] {
            var text = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api, namespace: \(namespace)}
                spec:
                  replicas: \(replicas)
                  template:
                    spec:
                      containers:
                        - name: api
                          image: api:1
                          resources: {requests: {cpu: \(cpu), memory: \(memory)}, limits: {memory: 1Gi, nvidia.com/gpu: 1}}
                """
            if let hpaMinimum {
                text += """

                    ---
                    apiVersion: autoscaling/v2
                    kind: HorizontalPodAutoscaler
                    metadata: {name: api, namespace: \(namespace)}
                    spec:
                      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
                      minReplicas: \(hpaMinimum)
                      maxReplicas: 12
                    """
            }
            return try YAMLLoader.parse(text, file: "rendered.yaml").map { KubeObject(node: $0) }
        }
        report.addEnvironment(
            app: "shop", name: "staging", namespace: "shop-staging", cluster: nil, replicas: 2, scale: 0.5,
            objects: try objects("shop-staging", replicas: 2, cpu: "100m", memory: "128Mi"))
        report.addEnvironment(
            app: "shop", name: "production", namespace: "shop", cluster: "https://eu.k8s.example.com", replicas: 4, scale: 1,
            objects: try objects("shop", replicas: 1, cpu: "200m", memory: "256Mi", hpaMinimum: 4))
        report.addEnvironment(
            app: "shop", name: "canary", namespace: "shop-canary", cluster: "https://eu.k8s.example.com", replicas: nil, scale: 1,
            objects: try objects("shop-canary", replicas: 1, cpu: "200m", memory: "256Mi"))
        report.matchObservations()

        let staging = report.environments[0], production = report.environments[1]
        let stagingAPI = try XCTUnwrap(staging.workloads.first)
        XCTAssertEqual(stagingAPI.pods, 2)
        XCTAssertFalse(stagingAPI.autoscaled)
        // Today's 250m and 256 MiB × 0.5; as rendered 100m and 128 MiB; one GPU per pod.
        XCTAssertEqual(stagingAPI.cpu, 0.125)
        XCTAssertEqual(stagingAPI.memory, 134_217_728)
        XCTAssertEqual(stagingAPI.rendered.cpu, 0.1)
        XCTAssertEqual(stagingAPI.rendered.memoryLimit, 1_073_741_824)
        XCTAssertEqual(stagingAPI.rendered.gpus, 1)
        let totals = report.total(of: staging)
        XCTAssertEqual(totals.pods, 2)
        XCTAssertEqual(totals.gpus, 2)
        XCTAssertEqual(totals.cpu, 0.25, accuracy: 1e-9)
        // 730 h × 2 × (0.125 × 0.031611 + 0.125 × 0.004237) = 6.54; as rendered 730 × 2 × (0.1 × 0.031611 + 0.125 × 0.004237) = 5.39
        XCTAssertEqual(totals.cost, 6.542, accuracy: 0.001)
        XCTAssertEqual(totals.recommendedCost, 5.388, accuracy: 0.001)
        // Production's Deployment is autoscaled: it runs the autoscaler's minimum, not its spec.replicas.
        XCTAssertEqual(production.workloads.first?.pods, 4)
        XCTAssertEqual(production.workloads.first?.autoscaled, true)
        // "staging" names an environment; "eu" is the host label of two environments' cluster; docker names no cluster.
        XCTAssertEqual(staging.observedIn, ["staging"])
        XCTAssertEqual(stagingAPI.observed.cpu?.max, 0.3)
        XCTAssertEqual(production.observedIn, [])
        XCTAssertNil(production.workloads.first?.observed.cpu)
        XCTAssertEqual(report.unmatched.map(\.origin), ["docker", "eu"])
        XCTAssertEqual(
            report.unmatched.map(\.reason),
            [
                "docker observations name no cluster", "cluster \"eu\" corresponds to environments \"production\", \"canary\"",
            ])
        XCTAssertEqual(report.unmatched[1].observed.memory?.max, 2e8)
        // The JSON twin carries them.
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        XCTAssertEqual((root["environments"] as? [[String: Any]])?.map { $0["name"] as? String }, ["staging", "production", "canary"])
        XCTAssertEqual((root["unmatched"] as? [[String: Any]])?.count, 2)
    }
}
