import Foundation
import KomplyTestSupport
import XCTest

/// `komply report` through the binary: an app observed from a real Prometheus, rendered as HTML and JSON,
/// checked by an HTML parser and rendered by headless Chromium.
final class ReportCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard PrometheusServer.isAvailable else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI must install prometheus (scripts/setup)") }
            throw XCTSkip("prometheus and promtool are not installed (apt-get install prometheus)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
        name: shop
        services:
          api:
            image: node:20.11-alpine
            ports: ["8080:8080"]
            deploy:
              resources:
                reservations: {cpus: "1", memory: 1G}
                limits: {memory: 1G}
          db:
            image: postgres:16.2
          report:
            image: python:latest
            command: ["python", "report.py"]
        """.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func testTheReportShowsDeclaredRecommendedAndObservedAndIsTheSameBytesTwice() throws {
        let prometheus = try PrometheusServer(openMetrics: PrometheusScenario().openMetrics())
        defer { prometheus.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["KOMPLY_NOW"] = String(PrometheusScenario().end)
        let observe = try CLIHarness.run(
            ["observe", "--cluster", "prod=\(prometheus.url)", "--since", "7h", "--history", "h.sqlite"], in: folder,
            environment: environment)
        XCTAssertEqual(observe.status, 0, observe.stderr)
        let arguments = ["report", "compose.yaml", "--history", "h.sqlite", "-o", "report.html", "--json", "report.json"]
        let first = try CLIHarness.run(arguments, in: folder, environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        let json = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        if let keep = ProcessInfo.processInfo.environment["KOMPLY_REPORT_KEEP"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: folder, to: URL(fileURLWithPath: keep))
        }
        // Self-contained: nothing to fetch (no src, href or url() pointing anywhere).
        XCTAssertNil(html.firstMatch(of: #/(src|href)\s*=|url\(|@import|https?:\/\//#), "the report must fetch nothing")
        // Two charts per observed container, the request and limit lines in them.
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 6)
        XCTAssertTrue(html.contains(#"<line class="limit""#))
        // The JSON twin carries the same workloads and the observed figures.
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let workloads = try XCTUnwrap(root["workloads"] as? [[String: Any]])
        XCTAssertEqual(workloads.map { $0["service"] as? String }, ["api", "db", "report"])
        let api = workloads[0]
        XCTAssertEqual(api["observedIn"] as? [String], ["prod"])
        XCTAssertEqual((api["events"] as? [String: Any])?["oomKills"] as? Int, 1)
        let declared = try XCTUnwrap(api["declared"] as? [String: Any])
        XCTAssertEqual(declared["cpuRequest"] as? Double, 1)
        let observedMemory = try XCTUnwrap((api["observed"] as? [String: Any])?["memory"] as? [String: Any])
        // api's pods peak at 220 MiB (x2k9p), 200 MiB (q8w4n) and 240 MiB (the deleted zz9kq).
        XCTAssertEqual(try XCTUnwrap(observedMemory["max"] as? Double) / 1_048_576, 240, accuracy: 1)
        let totals = try XCTUnwrap(root["totals"] as? [String: Any])
        let overall = try XCTUnwrap(totals["overall"] as? [String: Any])
        XCTAssertGreaterThan(try XCTUnwrap(overall["monthlyCost"] as? Double), 0)
        // The same inputs give the same bytes.
        let second = try CLIHarness.run(arguments, in: folder, environment: environment)
        XCTAssertEqual(second.status, 0)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8), html)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("report.json")), json)
        // Not generated yet: every file of the app is drift; once generated with the same history, none is.
        let drift = try XCTUnwrap(root["drift"] as? [String: [String]])
        XCTAssertTrue(drift["shop"]?.contains("shop/base/api.yaml") == true, "\(drift)")
        XCTAssertEqual((workloads[0]["findings"] as? [String: Int]), [:], "generated output is lint-clean")
        XCTAssertEqual((workloads[2]["findings"] as? [String: Int])?["latest-image-tag"], 1, "a risk compose asks for stays visible")
        let generate = try CLIHarness.run(
            ["generate", "compose.yaml", "--history", "h.sqlite", "-o", "deploy"], in: folder, environment: environment)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let after = try CLIHarness.run(
            ["report", "compose.yaml", "--history", "h.sqlite", "--json", "after.json", "-o", "after.html"], in: folder,
            environment: environment)
        XCTAssertEqual(after.status, 0, after.stderr)
        let afterRoot = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("after.json"))) as? [String: Any])
        XCTAssertEqual(afterRoot["drift"] as? [String: [String]], ["shop": []])
        XCTAssertTrue(try String(contentsOf: folder.appendingPathComponent("after.html"), encoding: .utf8).contains("up to date"))
        // Without environments in komply.yaml there is no environment section, and nothing is unmatched.
        XCTAssertEqual((root["environments"] as? [Any])?.count, 0)
        XCTAssertEqual((root["unmatched"] as? [Any])?.count, 0)
        XCTAssertFalse(html.contains("<h2>Environments</h2>"))
        try validateHTML(folder.appendingPathComponent("report.html"))
        try screenshot(folder.appendingPathComponent("report.html"), publish: false)
    }

    func testEnvironmentsAreShownAsTheirOverlaysRenderWithObservationsMatchedByCluster() throws {
        try """
        apiVersion: komply.dev/v1
        kind: Config
        environments:
          - name: staging
            replicas: 1
            resourceScale: 0.5
          - name: production
            namespace: "{app}-prod"
            replicas: 3
            resourceScale: 2
            cluster: https://prod.k8s.example.com
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let prometheus = try PrometheusServer(openMetrics: PrometheusScenario().openMetrics())
        defer { prometheus.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["KOMPLY_NOW"] = String(PrometheusScenario().end)
        // The same Prometheus read twice: as "prod" (production's cluster host is prod.k8s.example.com) and as "lab",
        // which corresponds to no environment.
        let observe = try CLIHarness.run(
            [
                "observe", "--cluster", "prod=\(prometheus.url)", "--cluster", "lab=\(prometheus.url)", "--since", "7h", "--history",
                "h.sqlite",
            ],
            in: folder, environment: environment)
        XCTAssertEqual(observe.status, 0, observe.stderr)
        let arguments = ["report", "compose.yaml", "--history", "h.sqlite", "-o", "report.html", "--json", "report.json"]
        let first = try CLIHarness.run(arguments, in: folder, environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        let json = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let environments = try XCTUnwrap(root["environments"] as? [[String: Any]])
        XCTAssertEqual(environments.map { $0["name"] as? String }, ["staging", "production"], "in komply.yaml's order")
        let (staging, production) = (environments[0], environments[1])
        XCTAssertEqual(staging["namespace"] as? String, "shop-staging", "defaults.namespace {app} with -{env}")
        XCTAssertEqual(production["namespace"] as? String, "shop-prod")
        XCTAssertEqual(production["cluster"] as? String, "https://prod.k8s.example.com")
        XCTAssertEqual(production["observedIn"] as? [String], ["prod"])
        XCTAssertEqual(staging["observedIn"] as? [String], [])
        func workload(_ environment: [String: Any], _ service: String) throws -> [String: Any] {
            try XCTUnwrap((environment["workloads"] as? [[String: Any]])?.first { $0["service"] as? String == service })
        }
        // api reserves 1 CPU and 1 GiB in compose: production renders 3 pods × (2 CPU, 2 GiB), staging 1 × (500m, 512 MiB).
        let prodAPI = try workload(production, "api"), stagingAPI = try workload(staging, "api")
        XCTAssertEqual(prodAPI["pods"] as? Int, 3)
        XCTAssertEqual(prodAPI["cpuRequest"] as? Double, 2)
        XCTAssertEqual(prodAPI["memoryRequest"] as? Double, 2_147_483_648)
        XCTAssertEqual(stagingAPI["pods"] as? Int, 1)
        XCTAssertEqual(stagingAPI["cpuRequest"] as? Double, 0.5)
        XCTAssertEqual(stagingAPI["memoryRequest"] as? Double, 536_870_912)
        // 730 h × 3 × (2 × 0.031611 + 2 × 0.004237) = 157.01; 730 h × (0.5 × 0.031611 + 0.5 × 0.004237) = 13.08.
        XCTAssertEqual(prodAPI["monthlyCost"] as? Double, 157.01)
        XCTAssertEqual(stagingAPI["monthlyCost"] as? Double, 13.08)
        // The StatefulSet keeps its one replica in every environment; its resources still scale.
        let prodDB = try workload(production, "db"), stagingDB = try workload(staging, "db")
        XCTAssertEqual(prodDB["kind"] as? String, "StatefulSet")
        XCTAssertEqual(prodDB["pods"] as? Int, 1)
        XCTAssertEqual(stagingDB["pods"] as? Int, 1)
        XCTAssertEqual(
            try XCTUnwrap(prodDB["cpuRequest"] as? Double), try XCTUnwrap(stagingDB["cpuRequest"] as? Double) * 4, accuracy: 0.0015)
        // What generate writes there is komply's recommendation scaled (382m → 764m in production, 191m in staging); the
        // saving is today's scaled cost minus the rendered one's.
        let totals = try XCTUnwrap(production["totals"] as? [String: Any])
        let cost = try XCTUnwrap(totals["monthlyCost"] as? Double), recommended = try XCTUnwrap(totals["monthlyCostRecommended"] as? Double)
        XCTAssertEqual(try XCTUnwrap(totals["monthlySaving"] as? Double), cost - recommended, accuracy: 0.011)
        let prodWorkloads = try XCTUnwrap(production["workloads"] as? [[String: Any]])
        XCTAssertEqual(
            cost, prodWorkloads.reduce(0) { $0 + ($1["monthlyCost"] as? Double ?? 0) }, accuracy: 0.011 * Double(prodWorkloads.count))
        // api and report are autoscaled Deployments (the HPA's minimum patched to 3), db a StatefulSet: 3 + 3 + 1.
        XCTAssertEqual(totals["pods"] as? Int, 7)
        XCTAssertEqual((staging["totals"] as? [String: Any])?["pods"] as? Int, 3)
        XCTAssertEqual(totals["pods"] as? Int, prodWorkloads.reduce(0) { $0 + ($1["pods"] as? Int ?? 0) })
        XCTAssertEqual(prodAPI["autoscaled"] as? Bool, true)
        XCTAssertEqual(
            try XCTUnwrap(prodAPI["cpuRecommended"] as? Double) * 0.25, try XCTUnwrap(stagingAPI["cpuRecommended"] as? Double),
            accuracy: 0.001)
        // What "prod" observed counts in production only (api's pods peak at 240 MiB); "lab" is listed, not dropped.
        let observed = try XCTUnwrap((prodAPI["observed"] as? [String: Any])?["memory"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(observed["max"] as? Double) / 1_048_576, 240, accuracy: 1)
        XCTAssertTrue((stagingAPI["observed"] as? [String: Any])?["memory"] is NSNull)
        let unmatched = try XCTUnwrap(root["unmatched"] as? [[String: Any]])
        XCTAssertEqual(Set(unmatched.map { $0["origin"] as? String }), ["lab"])
        XCTAssertEqual(unmatched.map { $0["service"] as? String }, ["api", "db", "report"])
        XCTAssertEqual(unmatched.first?["reason"] as? String, "cluster \"lab\" corresponds to no environment")
        XCTAssertTrue(html.contains("<h2>Environments</h2>"))
        XCTAssertTrue(html.contains("Observations matching no environment"))
        XCTAssertNil(html.firstMatch(of: #/(src|href)\s*=|url\(|@import|https?:\/\/[^<]*"/#), "the report must fetch nothing")
        // The same inputs give the same bytes.
        let second = try CLIHarness.run(arguments, in: folder, environment: environment)
        XCTAssertEqual(second.status, 0)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8), html)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("report.json")), json)
        if let keep = ProcessInfo.processInfo.environment["KOMPLY_REPORT_KEEP"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: folder, to: URL(fileURLWithPath: keep))
        }
        try validateHTML(folder.appendingPathComponent("report.html"))
        try screenshot(folder.appendingPathComponent("report.html"), publish: true)
    }

    func testBadPricesAreExitTwoWithTheirPosition() throws {
        try """
        apiVersion: komply.dev/v1
        kind: Config
        report:
          prices: {vcpuHour: .nan}
        """.write(to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["report", "compose.yaml", "--history", "h.sqlite"], in: folder)
        XCTAssertEqual(result.status, 2, result.stdout)
        XCTAssertTrue(result.stderr.contains("komply.yaml:4:"), result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, "nothing is printed for a bad config")
    }

    func testLintSummaryTotalsRequestsGPUsAndCostPerNamespace() throws {
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: train, namespace: ml}
            spec:
              replicas: 3
              selector: {matchLabels: {app: train}}
              template:
                metadata: {labels: {app: train}}
                spec:
                  containers:
                    - name: train
                      image: registry.example.com/train:1.0
                      resources:
                        requests: {cpu: 500m, memory: 2Gi}
                        limits: {memory: 2Gi, nvidia.com/gpu: 1}
                    - name: sidecar
                      image: registry.example.com/log:1.0
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: ops}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - {name: web, image: registry.example.com/web:1.0, resources: {requests: {cpu: 100m, memory: 128Mi}}}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: ops}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 3
              maxReplicas: 9
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: ops}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers:
                    - {name: agent, image: registry.example.com/agent:1.0, resources: {requests: {cpu: 100m, memory: 128Mi}}}
            """
        try manifest.write(to: folder.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        let text = try CLIHarness.run(["lint", "deploy.yaml", "--summary"], in: folder)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let ml = try XCTUnwrap(lines.first { $0.hasPrefix("ml ") }).split(separator: " ").map(String.init)
        // 3 pods × (500m, 2Gi, 1 GPU); the sidecar has no request and is counted as unsized.
        XCTAssertEqual(ml, ["ml", "1", "3", "1.50", "6.0Gi", "3", "53.17", "1"])  // 730 h × (1.5 × 0.031611 + 6 × 0.004237)
        let all = try XCTUnwrap(lines.first { $0.hasPrefix("all ") }).split(separator: " ").map(String.init)
        XCTAssertEqual(all[1], "3")
        // 3 train pods, the autoscaled web at its minReplicas 3 (no spec.replicas in git), one agent.
        XCTAssertEqual(all[2], "7")
        let ops = try XCTUnwrap(lines.first { $0.hasPrefix("ops ") }).split(separator: " ").map(String.init)
        XCTAssertEqual(Array(ops[1...4]), ["2", "4", "400m", "512Mi"])
        // With JSON on standard output the table moves to standard error, and the JSON still parses.
        let json = try CLIHarness.run(["lint", "deploy.yaml", "--summary", "--format", "json"], in: folder)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)))
        XCTAssertTrue(json.stderr.contains("USD/month"), json.stderr)
    }

    func testLintSummaryCountsEachOverlayAsRendered() throws {
        // The generated "environments" fixture: api is autoscaled (base HPA minReplicas 2, 100m / 128Mi per pod);
        // staging patches the HPA to minReplicas 1 and halves the requests (50m / 64Mi); production keeps the base's.
        let tree = "fixtures/generate/environments/expected/billing"
        // Staging's single replica is a warning of the policy; the totals are what this test reads.
        let result = try CLIHarness.run(["lint", tree, "--summary", "--fail-on", "error"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertTrue(lines.contains(["overlay", "namespace", "workloads", "pods", "CPU", "memory", "GPU", "USD/month", "unsized"]))
        // 730 h × 1 × (0.05 × 0.031611 + 0.0625 × 0.004237) = 1.35
        XCTAssertTrue(
            lines.contains(["\(tree)/overlays/staging", "billing-staging", "1", "1", "50m", "64.0Mi", "0", "1.35", "0"]), "\(lines)")
        // 730 h × 2 × (0.1 × 0.031611 + 0.125 × 0.004237) = 5.39
        XCTAssertTrue(lines.contains(["\(tree)/overlays/production", "billing", "1", "2", "200m", "256Mi", "0", "5.39", "0"]), "\(lines)")
        // The base is counted through each overlay, never once more on its own (no "(not set)" namespace).
        XCTAssertEqual(lines.last, ["all", "all", "2", "3", "250m", "320Mi", "0", "6.74", "0"])
        XCTAssertFalse(result.stdout.contains("(not set)"))
        XCTAssertFalse(result.stdout.contains("(no overlay)"))
        // An overlay folder alone: its base is read from disk inside the repository.
        let alone = try CLIHarness.run(["lint", "\(tree)/overlays/staging", "--summary", "--fail-on", "error"])
        XCTAssertEqual(alone.status, 0, alone.stdout + alone.stderr)
        let aloneLines = alone.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(aloneLines.last, ["all", "all", "1", "1", "50m", "64.0Mi", "0", "1.35", "0"])
        // Files no overlay includes are their own rows beside the overlays.
        let extra = folder.appendingPathComponent("tree")
        try FileManager.default.copyItem(
            at: CLIHarness.repository.appendingPathComponent(tree), to: extra.appendingPathComponent("billing"))
        try """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: tool, namespace: ops}
        spec:
          replicas: 2
          selector: {matchLabels: {app: tool}}
          template:
            metadata: {labels: {app: tool}}
            spec:
              containers:
                - {name: tool, image: registry.example.com/tool:1.0, resources: {requests: {cpu: 100m, memory: 128Mi}}}
        """.write(to: extra.appendingPathComponent("tool.yaml"), atomically: true, encoding: .utf8)
        let mixed = try CLIHarness.run(["lint", "tree", "--summary", "--fail-on", "error"], in: folder)
        let mixedLines = mixed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        // 730 h × 2 × (0.1 × 0.031611 + 0.125 × 0.004237) = 5.39, like production's api.
        XCTAssertTrue(
            mixedLines.contains(["(no", "overlay)", "ops", "1", "2", "200m", "256Mi", "0", "5.39", "0"]), mixed.stdout + mixed.stderr)
        XCTAssertEqual(mixedLines.last?[2...3], ["3", "5"])
    }

    /// html5lib's strict parser (the HTML standard's parsing algorithm) refuses any parse error.
    func validateHTML(_ file: URL) throws {
        let python = CLIHarness.repository.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { throw XCTSkip("no .venv (scripts/setup)") }
        let check = try CLIHarness.run(
            executable: python,
            ["-c", "import html5lib,sys; html5lib.HTMLParser(strict=True).parse(open(sys.argv[1],'rb').read()); print('ok')", file.path],
            in: folder)
        if check.stderr.contains("No module named 'html5lib'") {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI must install html5lib (scripts/setup)") }
            throw XCTSkip("html5lib is not installed")
        }
        XCTAssertEqual(check.stdout, "ok\n", check.stderr)
    }

    /// Headless Chromium renders the file with every network request refused and logged; the PNG is not blank.
    func screenshot(_ file: URL, publish: Bool) throws {
        let chromium = URL(fileURLWithPath: "/usr/bin/chromium")
        guard FileManager.default.isExecutableFile(atPath: chromium.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI must install chromium (scripts/setup)") }
            throw XCTSkip("chromium is not installed")
        }
        let png = folder.appendingPathComponent("report.png"), netlog = folder.appendingPathComponent("net.json")
        let run = try CLIHarness.run(
            executable: chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1600",
                // The browser's own background traffic (updates, sync, spelling dictionaries) is switched off, so
                // any request left in the log came from the page.
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--disable-client-side-phishing-detection", "--disable-features=Translate,SpellCheck",
                "--proxy-server=http://127.0.0.1:9", "--log-net-log=\(netlog.path)",
                "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
                "--screenshot=\(png.path)", file.absoluteString,
            ], in: folder)
        let data = try Data(contentsOf: png)
        XCTAssertGreaterThan(data.count, 20_000, "a rendered report, not a blank page: \(run.stderr.suffix(500))")
        XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // No URL request other than the file itself (Chromium's own background requests go to its services, not http(s) URLs of the page).
        let log = (try? String(contentsOf: netlog, encoding: .utf8)) ?? ""
        // Chromium still phones its update, clock and account services whatever the flags; those hosts are the
        // browser's, and the page (checked above to hold no URL at all) names none of them.
        let browserServices = /^https?:\/\/([a-z0-9.-]+\.)?(googleapis\.com|google\.com|gvt1\.com|gstatic\.com)\//
        let requested = Set(log.matches(of: /"url":"(https?:\/\/[^"]+)"/).map { String($0.1) }).filter {
            $0.firstMatch(of: browserServices) == nil
        }
        XCTAssertTrue(requested.isEmpty, "the report made network requests: \(requested)")
        if publish, let docs = ProcessInfo.processInfo.environment["KOMPLY_REPORT_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: docs)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: docs))
        }
    }
}
