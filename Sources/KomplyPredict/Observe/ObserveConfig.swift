import Foundation
import KomplyCore

/// The `observe:` section of komply.yaml: the clusters `komply observe` reads, the window of a first run and the
/// PromQL it runs (docs/observe.md).
///
///     observe:
///       since: 7d
///       clusters:
///         - {name: prod-eu, url: https://prometheus.eu.example.com, tokenEnv: PROM_EU_TOKEN}
///         - {name: prod-us, url: https://thanos.example.com, clusterLabel: cluster}
///       queries: {memory: 'max by (namespace, pod, container) (container_memory_rss{container!=""$cluster})'}
public struct ObserveConfig: Sendable {
    /// One configured cluster, its token still a variable name.
    public struct ClusterEntry: Sendable, Hashable {
        /// The cluster's name.
        public var name: String
        /// The Prometheus base URL.
        public var url: URL
        /// The environment variable holding the bearer token.
        public var tokenEnvironment: String?
        /// The label that tells clusters apart in a shared Prometheus.
        public var clusterLabel: String?
        /// A PEM bundle of the CA that signed the server's certificate, as written (relative to komply.yaml).
        public var caFile: String?
        /// Where `caFile` is written in komply.yaml, for errors.
        public var caFileLocation: SourceLocation?
        /// Skip certificate verification (warned on every run).
        public var insecureSkipVerify = false

        /// Creates an entry.
        public init(name: String, url: URL, tokenEnvironment: String? = nil, clusterLabel: String? = nil) {
            self.name = name
            self.url = url
            self.tokenEnvironment = tokenEnvironment
            self.clusterLabel = clusterLabel
        }
    }

    /// The clusters, in file order.
    public var clusters: [ClusterEntry] = []
    /// Seconds read back on a cluster's first observation.
    public var since: Double = 7 * 86_400
    /// The PromQL per signal.
    public var queries = ObservationQueries.standard

    /// The defaults: no cluster, a 7-day first window, the standard queries.
    public init() {}

    /// A window such as `30m`, `12h`, `7d` or `2w` in seconds; nil unless it is one of those, positive and at most
    /// 400 days (Prometheus' retention rarely reaches a year; a typo such as `7000d` should not query decades).
    public static func window(_ text: String) -> Double? {
        guard let unit = text.last, let count = Double(text.dropLast()), count > 0, text.dropLast().allSatisfy(\.isNumber) else {
            return nil
        }
        let seconds: Double? =
            switch unit {
            case "m": 60
            case "h": 3_600
            case "d": 86_400
            case "w": 604_800
            default: nil
            }
        guard let seconds, count * seconds <= 400 * 86_400 else { return nil }
        return count * seconds
    }

    /// Reads the section (absent: the defaults); every bad value names its komply.yaml position.
    public static func read(_ file: ConfigFile) throws(PredictError) -> ObserveConfig {
        var config = ObserveConfig()
        guard let section = file.documents.first?["observe"], !section.isNull else { return config }
        guard section.mapping != nil else { throw .invalidInput(section.location, expected: "observe to be a mapping") }
        let fields = NodeFields(node: section)
        if let text = try fields.optionalString("since") {
            guard let seconds = window(text) else {
                throw .invalidInput(
                    fields.location("since"), expected: "a window such as 30m, 12h, 7d or 2w (at most 400d), found \"\(text)\"")
            }
            config.since = seconds
        }
        if let list = section["clusters"], !list.isNull {
            guard let items = list.sequence else { throw .invalidInput(list.location, expected: "observe.clusters to be a list") }
            for item in items {
                let entry = try clusterEntry(NodeFields(node: item))
                if config.clusters.contains(where: { $0.name == entry.name }) {
                    throw .invalidInput(
                        NodeFields(node: item).location("name"), expected: "a cluster name used once, \"\(entry.name)\" repeats")
                }
                config.clusters.append(entry)
            }
        }
        if let queries = fields.child("queries") {
            for (name, keyPath) in [
                ("cpu", \ObservationQueries.cpu), ("memory", \.memory), ("restarts", \.restarts), ("oomKilled", \.oomKilled),
                ("throttled", \.throttled),
            ] {
                if let query = try queries.optionalString(name) {
                    guard !query.trimmingCharacters(in: .whitespaces).isEmpty else {
                        throw .invalidInput(queries.location(name), expected: "a PromQL query")
                    }
                    config.queries[keyPath: keyPath] = query
                }
            }
        }
        return config
    }

    /// Parses `--cluster NAME=URL`.
    public static func cluster(flag: String) -> ClusterEntry? {
        guard let equals = flag.firstIndex(of: "=") else { return nil }
        let name = String(flag[..<equals]), text = String(flag[flag.index(after: equals)...])
        guard isClusterName(name), let url = prometheusURL(text) else { return nil }
        return ClusterEntry(name: name, url: url)
    }

    /// A cluster name: a DNS-1123 label (it becomes part of the samples' source).
    public static func isClusterName(_ name: String) -> Bool { DNSLabel.isValid(name) }

    /// An http(s) URL with a host and no credentials (a token goes in `tokenEnv`, never in the file).
    public static func prometheusURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false, url.user == nil, url.password == nil
        else { return nil }
        return url
    }
}

private extension ObserveConfig {
    static func clusterEntry(_ fields: NodeFields) throws(PredictError) -> ClusterEntry {
        guard fields.node.mapping != nil else { throw .invalidInput(fields.location(), expected: "a cluster {name, url}") }
        let name = try fields.string("name")
        guard isClusterName(name) else {
            throw .invalidInput(
                fields.location("name"), expected: "a cluster name of lower-case letters, digits and '-' (at most 63), found \"\(name)\"")
        }
        let text = try fields.string("url")
        guard let url = prometheusURL(text) else {
            throw .invalidInput(
                fields.location("url"), expected: "an http:// or https:// URL without credentials (put a token in tokenEnv)")
        }
        let token = try fields.optionalString("tokenEnv")
        if let token,
            token.isEmpty || !token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) || token.first!.isNumber
        {
            throw .invalidInput(fields.location("tokenEnv"), expected: "an environment variable name such as PROM_TOKEN")
        }
        let label = try fields.optionalString("clusterLabel")
        if let label,
            label.isEmpty || !label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) || label.first!.isNumber
        {
            throw .invalidInput(fields.location("clusterLabel"), expected: "a Prometheus label name such as cluster")
        }
        var entry = ClusterEntry(name: name, url: url, tokenEnvironment: token, clusterLabel: label)
        if let ca = try fields.optionalString("caFile") {
            guard !ca.isEmpty else { throw .invalidInput(fields.location("caFile"), expected: "a PEM file path relative to komply.yaml") }
            entry.caFile = ca
            entry.caFileLocation = fields.location("caFile")
        }
        if let node = fields.node["insecureSkipVerify"], !node.isNull {
            guard let text = node.scalar, text == "true" || text == "false" else {
                throw .invalidInput(fields.location("insecureSkipVerify"), expected: "true or false")
            }
            entry.insecureSkipVerify = text == "true"
        }
        return entry
    }
}
