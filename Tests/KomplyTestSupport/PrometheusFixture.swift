import Foundation

/// What one cluster ran during the fixture's window, written as the OpenMetrics series kube-state-metrics and
/// cAdvisor export, so a real Prometheus (filled with `promtool tsdb create-blocks-from openmetrics`) answers
/// `komply observe` as a cluster's would.
///
/// The scenario, deterministic, 6 hours from `start` with a scrape every 30 s, namespace `namespace`:
/// - Deployment `api` (ReplicaSet `api-7d4b9c6f8d`): pods `…-x2k9p` and `…-q8w4n` all along, and `…-zz9kq`
///   deleted after 2 hours; `…-x2k9p` is OOMKilled at 3 h (its CPU counter resets, restarts goes to 1, the
///   last terminated reason becomes OOMKilled) and throttled 40 % of CFS periods in the sixth hour.
/// - StatefulSet `db` (pod `db-0`), whose scrapes stop for 30 minutes at 4 h (a gap).
/// - CronJob `report` (Job `report-29000000`, pod `report-29000000-h7k2m`) running for the first 20 minutes.
/// - The pod-level (`container=""`) and pause (`container="POD"`) cgroups cAdvisor also exports.
public struct PrometheusScenario: Sendable {
    /// Unix seconds of the first scrape.
    public var start: Int
    /// The namespace every workload runs in.
    public var namespace: String
    /// Multiplies every CPU and memory figure, so two clusters differ.
    public var scale: Double
    /// A `cluster` label value put on every series (a shared Prometheus such as Thanos), or nil.
    public var clusterLabel: String?

    /// Seconds between scrapes.
    public static let interval = 30
    /// Scrapes in the window (6 hours).
    public static let scrapes = 720

    /// Creates a scenario.
    public init(start: Int = 1_767_225_600, namespace: String = "shop", scale: Double = 1, clusterLabel: String? = nil) {
        self.start = start
        self.namespace = namespace
        self.scale = scale
        self.clusterLabel = clusterLabel
    }

    /// The end of the window: the last scrape's time.
    public var end: Int { start + (Self.scrapes - 1) * Self.interval }

    /// The OpenMetrics text, ending in `# EOF`.
    public func openMetrics() -> String {
        var families: [String: [String]] = [:]
        var types: [String: String] = [:]
        func emit(_ family: String, _ type: String, _ labels: [(String, String)], _ value: Double, _ time: Int) {
            types[family] = type
            var all = labels
            if let clusterLabel { all.append(("cluster", clusterLabel)) }
            let text = all.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
            let name = type == "counter" ? family + "_total" : family
            families[family, default: []].append("\(name){\(text)} \(Self.format(value)) \(time)")
        }
        let ns = namespace
        let pods: [(pod: String, container: String, from: Int, to: Int, cpu: Double, memory: Double)] = [
            ("api-7d4b9c6f8d-x2k9p", "api", 0, Self.scrapes, 0.25, 180),
            ("api-7d4b9c6f8d-q8w4n", "api", 0, Self.scrapes, 0.20, 160),
            ("api-7d4b9c6f8d-zz9kq", "api", 0, 240, 0.30, 200),
            ("db-0", "db", 0, Self.scrapes, 0.10, 400),
            ("report-29000000-h7k2m", "report", 0, 40, 0.90, 300),
        ]
        let oomAt = 360, throttleFrom = 600, gap = 480..<540
        for entry in pods {
            var counter = 0.0
            var restarts = 0.0
            for i in entry.from..<entry.to {
                if entry.pod == "db-0", gap.contains(i) { continue }
                let t = start + i * Self.interval
                let labels = [("namespace", ns), ("pod", entry.pod), ("container", entry.container)]
                // A slow wave (period 2 h) over the base rate, so percentiles differ from the mean.
                let wave = Double((i % 240 < 120) ? i % 120 : 120 - i % 120) / 120
                let rate = (entry.cpu + 0.1 * wave) * scale
                if entry.pod.hasSuffix("x2k9p"), i == oomAt {
                    counter = 0
                    restarts = 1
                }
                counter += rate * Double(Self.interval)
                emit("container_cpu_usage_seconds", "counter", labels, counter, t)
                let memory = (entry.memory + 40 * wave) * scale * 1_048_576
                emit("container_memory_working_set_bytes", "gauge", labels, memory.rounded(), t)
                emit(
                    "container_memory_working_set_bytes", "gauge", [("namespace", ns), ("pod", entry.pod), ("container", "")],
                    (memory + 4_194_304).rounded(), t)
                emit(
                    "container_memory_working_set_bytes", "gauge", [("namespace", ns), ("pod", entry.pod), ("container", "POD")], 1_048_576,
                    t)
                let periods = Double(i * 300)
                let throttled = entry.pod.hasSuffix("x2k9p") && i >= throttleFrom ? Double((i - throttleFrom) * 120) : 0
                emit("container_cpu_cfs_periods", "counter", labels, periods, t)
                emit("container_cpu_cfs_throttled_periods", "counter", labels, throttled, t)
                emit("kube_pod_container_status_restarts", "counter", labels, restarts, t)
                if restarts > 0 {
                    emit("kube_pod_container_status_last_terminated_reason", "gauge", labels + [("reason", "OOMKilled")], 1, t)
                }
                let owner: (String, String) =
                    entry.pod.hasPrefix("api-")
                    ? ("ReplicaSet", "api-7d4b9c6f8d")
                    : entry.pod == "db-0" ? ("StatefulSet", "db") : ("Job", "report-29000000")
                emit(
                    "kube_pod_owner", "gauge",
                    [
                        ("namespace", ns), ("pod", entry.pod), ("owner_kind", owner.0), ("owner_name", owner.1),
                        ("owner_is_controller", "true"),
                    ],
                    1, t)
            }
        }
        for i in 0..<Self.scrapes {
            let t = start + i * Self.interval
            emit(
                "kube_replicaset_owner", "gauge",
                [
                    ("namespace", ns), ("replicaset", "api-7d4b9c6f8d"), ("owner_kind", "Deployment"), ("owner_name", "api"),
                    ("owner_is_controller", "true"),
                ],
                1, t)
            if i < 40 {
                emit(
                    "kube_job_owner", "gauge",
                    [
                        ("namespace", ns), ("job_name", "report-29000000"), ("owner_kind", "CronJob"), ("owner_name", "report"),
                        ("owner_is_controller", "true"),
                    ],
                    1, t)
            }
        }
        var text = ""
        for family in families.keys.sorted() {
            text += "# TYPE \(family) \(types[family]!)\n"
            // OpenMetrics wants each series' samples together and in time order.
            var bySeries: [String: [String]] = [:]
            var order: [String] = []
            for line in families[family]! {
                let series = String(line[..<line.firstIndex(of: "}")!])
                if bySeries[series] == nil { order.append(series) }
                bySeries[series, default: []].append(line)
            }
            for series in order { text += bySeries[series]!.joined(separator: "\n") + "\n" }
        }
        return text + "# EOF\n"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6f", value)
    }
}

/// A real Prometheus server (Debian's `prometheus`) on loopback, its TSDB filled from OpenMetrics text with
/// `promtool tsdb create-blocks-from openmetrics`, stopped by `stop()` or when released.
public final class PrometheusServer: @unchecked Sendable {
    /// The base URL, `http://127.0.0.1:PORT`.
    public let url: String
    private let process: Process
    private let folder: URL

    /// Whether `prometheus` and `promtool` are installed.
    public static var isAvailable: Bool {
        ["/usr/bin/prometheus", "/usr/bin/promtool"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Fills a TSDB from `openMetrics` and starts a server on a free loopback port; waits until it is ready. With
    /// `tls` (PEM certificate and key files) it serves HTTPS only.
    public init(openMetrics: String, tls: (certificate: String, key: String)? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = folder.appendingPathComponent("series.om")
        try openMetrics.write(to: input, atomically: true, encoding: .utf8)
        let data = folder.appendingPathComponent("data")
        try LoopbackTools.run(
            "/usr/bin/promtool", ["tsdb", "create-blocks-from", "openmetrics", input.path, data.path], domain: "PrometheusServer")
        let config = folder.appendingPathComponent("prometheus.yml")
        try "global:\n  scrape_interval: 1m\n".write(to: config, atomically: true, encoding: .utf8)
        let port = try LoopbackTools.freePort()
        url = "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)"
        var web: [String] = []
        if let tls {
            let file = folder.appendingPathComponent("web.yml")
            try "tls_server_config:\n  cert_file: \(tls.certificate)\n  key_file: \(tls.key)\n".write(
                to: file, atomically: true, encoding: .utf8)
            web = ["--web.config.file=\(file.path)"]
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments =
            [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(data.path)", "--storage.tsdb.retention.time=100y",
                "--web.listen-address=127.0.0.1:\(port)",
            ] + web
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            // Over TLS the test's own trust is not the point: a listening port is enough, then a short settle.
            if tls != nil {
                if Self.accepts(port) {
                    Thread.sleep(forTimeInterval: 1)
                    return
                }
            } else if let ready = URL(string: "\(url)/-/ready"), (try? Data(contentsOf: ready)) != nil {
                return
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw NSError(domain: "PrometheusServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "prometheus did not become ready in 30 s"])
    }

    deinit { stop() }

    /// Stops the server and removes its TSDB.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A private CA and a certificate for 127.0.0.1 it signed, made with openssl in `folder`: (CA, certificate, key).
    public static func makeCertificates(in folder: URL) throws -> (ca: String, certificate: String, key: String) {
        let ext = folder.appendingPathComponent("san.ext")
        try "subjectAltName=IP:127.0.0.1\n".write(to: ext, atomically: true, encoding: .utf8)
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        try LoopbackTools.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj",
                "/CN=komply test CA",
            ], domain: "PrometheusServer")
        try LoopbackTools.run(
            "/usr/bin/openssl",
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=127.0.0.1"],
            domain: "PrometheusServer")
        try LoopbackTools.run(
            "/usr/bin/openssl",
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial", "-out",
                path("server.crt"), "-days", "2", "-extfile", ext.path,
            ], domain: "PrometheusServer")
        return (path("ca.pem"), path("server.crt"), path("server.key"))
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

}
