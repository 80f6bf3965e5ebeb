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
    }

    /// Options that apply to formats that need them.
    public struct Options: Sendable {
        /// Format; nil detects it from the name and content.
        public var format: Format?
        /// Prometheus metric; nil infers it from `__name__`.
        public var metric: Metric?
        /// Service name to use instead of the one in the file.
        public var service: String?
        /// Time of a snapshot that has none (docker stats, docker inspect without StartedAt).
        public var at: Double?
        /// Seconds between successive docker stats lines of one container.
        public var statsInterval: Double = 1
        /// Environment recorded with imported deployments.
        public var environment: String?
        /// Cluster recorded with imported deployments.
        public var cluster: String?
        /// Throttled fraction above which a throttling event is recorded.
        public var throttlingThreshold: Double = 0.25

        /// Creates options.
        public init(
            format: Format? = nil, metric: Metric? = nil, service: String? = nil, at: Double? = nil,
            environment: String? = nil, cluster: String? = nil
        ) {
            self.format = format
            self.metric = metric
            self.service = service
            self.at = at
            self.environment = environment
            self.cluster = cluster
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
        case .jsonl: return try HistoryJSONLines.decode(String(decoding: data, as: UTF8.self), file: file)
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
