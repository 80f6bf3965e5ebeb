import Foundation
import KomplyCore

/// Reads history from the files teams already have: kubectl dumps, docker inspect and stats
/// snapshots, Prometheus `query_range` responses, CSV and komply's own JSON lines.
public struct HistoryImporter: Sendable {
    /// The input formats.
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv, kubectl, dockerInspect = "docker-inspect", dockerStats = "docker-stats", prometheus
    }

    /// What a Prometheus series measures.
    public enum Metric: String, Sendable, CaseIterable {
        /// CPU usage rate in cores (`rate(container_cpu_usage_seconds_total[5m])`).
        case cpu
        /// The raw CPU counter in seconds (`container_cpu_usage_seconds_total`); rates are derived.
        case cpuSeconds = "cpu-seconds"
        /// Working-set memory in bytes.
        case memory
        /// Last-terminated reason OOMKilled (`kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}`).
        case oom
        /// Fraction of CFS periods throttled (`rate(throttled_periods) / rate(periods)`).
        case throttled
        /// Container restarts, a counter (`kube_pod_container_status_restarts_total`); each increase is an event.
        case restarts
    }

    /// Options that apply to formats that need them.
    public struct Options: Sendable {
        /// Format; nil detects it from the name and content.
        public var format: Format?
        /// Prometheus metric; nil infers it from `__name__`.
        public var metric: Metric?
        /// Service name to use instead of the one in the file.
        public var service: String?
        /// The app (`--app`) of everything read: the history key's first part. Without it each format finds the
        /// app in the file (docs/sizing.md, "Per-app history") or leaves it empty (a legacy row).
        public var app: String?
        /// Time of a snapshot that has none (docker stats, docker inspect without StartedAt).
        public var at: Double?
        /// Seconds between successive docker stats lines of one container.
        public var statsInterval: Double = 1
        /// How namespaces name apps: each pattern is the text around `{app}` in a namespace template
        /// (`{app}-prod` → ("", "-prod")); a namespace matching one gives that app, else the namespace is the app.
        public var namespacePatterns: [NamespacePattern] = []
        /// Environment recorded with imported deployments.
        public var environment: String?
        /// Cluster recorded with imported deployments.
        public var cluster: String?
        /// Throttled fraction above which a throttling event is recorded.
        public var throttlingThreshold: Double = 0.25
        /// The workload of each pod (`namespace/pod` → Deployment, StatefulSet, CronJob… name), from
        /// kube-state-metrics' owner series; a pod found here is that workload's, whatever its name says.
        public var podWorkloads: [String: String] = [:]
        /// The `source` recorded with Prometheus samples (`prometheus`, or `prometheus:<cluster>` from `komply
        /// observe`, so two clusters' samples of one container at one time are both kept).
        public var prometheusSource = "prometheus"
        /// Whether each series' pod is part of its samples' source (`prometheus:<cluster>/<pod>`): replicas of one
        /// container measured at the same instant are then each kept, not folded into the first one read.
        public var sourcePerPod = false

        /// Creates options.
        public init(
            format: Format? = nil, metric: Metric? = nil, service: String? = nil, at: Double? = nil,
            environment: String? = nil, cluster: String? = nil, app: String? = nil
        ) {
            self.app = app
            self.format = format
            self.metric = metric
            self.service = service
            self.at = at
            self.environment = environment
            self.cluster = cluster
        }
    }

    /// The text around `{app}` in a namespace template, with `{env}` already filled in.
    public struct NamespacePattern: Sendable, Hashable {
        /// Before `{app}`.
        public var prefix: String
        /// After `{app}`.
        public var suffix: String

        /// Creates a pattern.
        public init(prefix: String, suffix: String) {
            self.prefix = prefix
            self.suffix = suffix
        }
    }

    /// The options.
    public var options: Options

    /// Creates an importer.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Reads one file.
    public func read(path: String) throws(PredictError) -> HistoryBatch {
        let data: Data
        do {
            data = try YAMLLoader.read(path: path, displayName: path)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        return try read(data: data, file: path)
    }

    /// Reads the bytes of a file named `file`.
    public func read(data: Data, file: String) throws(PredictError) -> HistoryBatch {
        var format = options.format
        if format == nil { format = try detect(data: data, file: file) }
        switch format! {
        case .jsonl: return try HistoryJSONLines.decode(String(decoding: data, as: UTF8.self), file: file, app: options.app)
        case .csv: return try CSVImporter.read(String(decoding: data, as: UTF8.self), file: file, options: options)
        case .dockerStats: return try DockerImporter.readStats(String(decoding: data, as: UTF8.self), file: file, options: options)
        case .dockerInspect: return try DockerImporter.readInspect(JSONNodes.parse(data, file: file), options: options)
        case .kubectl: return try KubectlImporter.read(JSONNodes.parse(data, file: file), options: options)
        case .prometheus: return try PrometheusImporter.read(JSONNodes.parse(data, file: file), options: options)
        }
    }
}

private extension HistoryImporter {
    func detect(data: Data, file: String) throws(PredictError) -> Format {
        let lower = file.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        let head = text.drop { $0.isWhitespace }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            return head.prefix(2000).contains("\"CPUPerc\"") ? .dockerStats : .jsonl
        }
        if head.hasPrefix("[") { return .dockerInspect }
        if head.contains("\"resultType\"") || head.contains("\"status\": \"success\"") || head.contains("\"status\":\"success\"") {
            return .prometheus
        }
        if head.contains("\"apiVersion\"") || head.contains("\"kind\"") { return .kubectl }
        throw .invalidInput(
            SourceLocation(
                file: file, range: SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 2))),
            expected: "a history file komply can read (.csv, .jsonl, a kubectl -o json dump, docker inspect JSON, docker stats "
                + "JSON lines or a Prometheus query_range response); name the format with --format")
    }
}

extension HistoryImporter.Options {
    /// The app key of a Kubernetes namespace: `--app` when given, else the `{app}` part of the first namespace
    /// pattern it matches (longest pattern first), else the namespace itself; nil namespace and no `--app`: ''.
    func app(namespace: String?) -> String {
        if let app { return HistoryApp.key(app) }
        guard let namespace, !namespace.isEmpty else { return "" }
        let patterns = namespacePatterns.filter { !($0.prefix.isEmpty && $0.suffix.isEmpty) }
            .sorted {
                ($0.prefix.count + $0.suffix.count, $0.prefix, $0.suffix) > ($1.prefix.count + $1.suffix.count, $1.prefix, $1.suffix)
            }
        for pattern in patterns
        where namespace.count > pattern.prefix.count + pattern.suffix.count && namespace.hasPrefix(pattern.prefix)
            && namespace.hasSuffix(pattern.suffix)
        {
            return HistoryApp.key(String(namespace.dropFirst(pattern.prefix.count).dropLast(pattern.suffix.count)))
        }
        return HistoryApp.key(namespace)
    }
}
