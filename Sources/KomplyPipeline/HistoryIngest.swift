import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict

/// `komply history import` and `observe`: usage files and a live Prometheus query read into one
/// batch, written to the store in one transaction.
public enum HistoryIngest {
    /// A Prometheus `query_range` to run.
    public struct PrometheusQuery: Sendable {
        /// The server's base URL (http or https).
        public var url: String
        /// The PromQL query.
        public var query: String
        /// The start, RFC 3339.
        public var start: String
        /// The end, RFC 3339 (default: now).
        public var end: String?
        /// The step in seconds.
        public var step: Double

        /// Creates a query.
        public init(url: String, query: String, start: String, end: String?, step: Double) {
            self.url = url
            self.query = query
            self.start = start
            self.end = end
            self.step = step
        }
    }

    /// Everything `files` and `prometheus` hold, read with `importer`.
    public static func batch(
        files: [String], importer: HistoryImporter, prometheus: PrometheusQuery? = nil, now: Double
    ) async throws -> HistoryBatch {
        var batch = HistoryBatch()
        for file in files { batch.append(try importer.read(path: file)) }
        if let prometheus {
            guard let url = URL(string: prometheus.url), url.scheme?.hasPrefix("http") == true else {
                throw PipelineError.invalidFlag(flag: "--prometheus-url", value: prometheus.url, expected: "http://host:port")
            }
            guard let from = Timestamp.parse(prometheus.start), let to = prometheus.end.map(Timestamp.parse) ?? now else {
                throw PipelineError.invalidFlag(flag: "--start or --end", value: nil, expected: "RFC 3339 times")
            }
            batch.append(
                try await PrometheusClient(baseURL: url).fetch(
                    query: prometheus.query, start: from, end: to, step: prometheus.step, options: importer.options))
        }
        return batch
    }

    /// How `komply.yaml`'s namespace templates name apps, so a namespace read from Prometheus or kubectl maps
    /// back to its app: per environment, the text around `{app}` once `{env}` is filled in (`shop-prod` under
    /// `{app}-{env}` with environment `prod` is app `shop`). Without a komply.yaml: none (the namespace is the app).
    public static func namespacePatterns(config file: ConfigFile?) throws -> [HistoryImporter.NamespacePattern] {
        guard let file else { return [] }
        let config = try GenerateConfigLoader.read(file)
        let marker = "\u{1}app\u{1}"
        var patterns: [HistoryImporter.NamespacePattern] = []
        for environment in config.effectiveEnvironments {
            let namespace = config.namespace(for: environment, app: marker)
            guard let range = namespace.range(of: marker) else { continue }
            let pattern = HistoryImporter.NamespacePattern(
                prefix: String(namespace[..<range.lowerBound]), suffix: String(namespace[range.upperBound...]))
            if !patterns.contains(pattern) { patterns.append(pattern) }
        }
        return patterns
    }
}
