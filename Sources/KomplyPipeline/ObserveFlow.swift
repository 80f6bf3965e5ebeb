import Foundation
import KomplyCore
import KomplyPredict

/// `komply observe`: every configured cluster's Prometheus and local `docker stats` snapshots read into the
/// history store, each cluster from where its previous observation stopped.
public enum ObserveFlow {
    /// What to observe.
    public struct Request: Sendable {
        /// `--cluster NAME=URL` flags (a name also in komply.yaml replaces that entry's URL).
        public var clusterFlags: [String] = []
        /// `--since` (first observation's window), else komply.yaml's `observe.since`, else 7 days.
        public var since: String?
        /// `docker stats --no-stream --format '{{json .}}'` files (`-`: standard input, given as `dockerStatsInput`).
        public var dockerStats: [String] = []
        /// The bytes of standard input when `dockerStats` holds `-`.
        public var dockerStatsInput: Data?
        /// The history file.
        public var historyPath: String
        /// "Now", Unix seconds.
        public var now: Double
        /// komply.yaml, validated.
        public var config: ConfigFile?
        /// The process environment (tokens are read from it by name).
        public var environment: [String: String]

        /// Creates a request.
        public init(historyPath: String, now: Double, config: ConfigFile?, environment: [String: String]) {
            self.historyPath = historyPath
            self.now = now
            self.config = config
            self.environment = environment
        }
    }

    /// What one source gave.
    public struct SourceReport: Sendable {
        /// The cluster name, or `docker stats FILE`.
        public var name: String
        /// The window read (nil: nothing new since the last observation, or a snapshot without a window).
        public var window: (start: Double, end: Double, step: Double)?
        /// Series per signal.
        public var series: [String: Int] = [:]
        /// Pods mapped to their workloads.
        public var mappedPods = 0
        /// What the store kept.
        public var summary = HistoryStore.WriteSummary()
        /// Notes from reading (counter resets, gaps).
        public var notes: [String] = []
    }

    /// The outcome: one report per source that was read, and each failure (a down cluster does not stop the others).
    public struct Report: Sendable {
        /// Sources read and recorded.
        public var sources: [SourceReport] = []
        /// `name: reason` of each source that could not be read; the command exits 2 when there is one.
        public var failures: [String] = []
        /// Risks the configuration takes (certificate verification switched off).
        public var warnings: [String] = []
    }

    /// Observes every cluster (komply.yaml's and `--cluster`) and docker stats file; each source is recorded in its
    /// own transaction.
    /// `transport` replaces each cluster's client (tests); by default each cluster gets a `PrometheusTransport` with
    /// its TLS trust.
    public static func run(_ request: Request, transport: (any KomplyPredict.HTTPTransport)? = nil) async throws -> Report {
        var config = ObserveConfig()
        if let file = request.config { config = try ObserveConfig.read(file) }
        var clusters = config.clusters
        for flag in request.clusterFlags {
            guard let entry = ObserveConfig.cluster(flag: flag) else {
                throw PipelineError.invalidFlag(
                    flag: "--cluster", value: flag, expected: "NAME=URL with a DNS-1123 name and an http(s) URL without credentials")
            }
            if let index = clusters.firstIndex(where: { $0.name == entry.name }) {
                clusters[index].url = entry.url
            } else {
                clusters.append(entry)
            }
        }
        if let since = request.since {
            guard let seconds = ObserveConfig.window(since) else {
                throw PipelineError.invalidFlag(
                    flag: "--since", value: since, expected: "a window such as 30m, 12h, 7d or 2w (at most 400d)")
            }
            config.since = seconds
        }
        guard !clusters.isEmpty || !request.dockerStats.isEmpty else {
            throw PipelineError.invalidFlag(
                flag: "--cluster", value: nil,
                expected: "a cluster to observe (--cluster NAME=URL or observe.clusters in komply.yaml) or --docker-stats FILE")
        }
        var report = Report()
        // Tokens are checked before anything is read, so a missing variable fails fast and names itself.
        var resolved: [(cluster: ClusterObserver.Cluster, transport: any KomplyPredict.HTTPTransport)] = []
        let root = request.config.flatMap { RepositoryRoot.enclosing(Paths.normalized(($0.path as NSString).deletingLastPathComponent)) }
        for entry in clusters {
            var token: String?
            if let variable = entry.tokenEnvironment {
                guard let value = request.environment[variable], !value.isEmpty else {
                    throw PipelineError.invalidFlag(
                        flag: "observe.clusters[\(entry.name)].tokenEnv", value: variable,
                        expected: "the environment variable \(variable) to hold the bearer token (it is unset or empty)")
                }
                token = value
            }
            // A CA bundle komply.yaml names is read only inside its repository, as every path a source names.
            var caFile: String?
            if let written = entry.caFile, let config = request.config {
                let base = (config.path as NSString).deletingLastPathComponent
                caFile = try (root ?? RepositoryRoot(base.isEmpty ? "." : base)).resolve(
                    written, from: base.isEmpty ? "." : base, at: entry.caFileLocation)
            }
            if entry.insecureSkipVerify {
                report.warnings.append(
                    "\(entry.name): insecureSkipVerify: the Prometheus certificate is not verified, so anyone on the path can read the token "
                        + "and feed komply false usage; give the CA in caFile instead")
            }
            resolved.append(
                (
                    ClusterObserver.Cluster(name: entry.name, url: entry.url, token: token, clusterLabel: entry.clusterLabel),
                    try transport ?? PrometheusTransport(caFile: caFile, insecure: entry.insecureSkipVerify)
                ))
        }
        var options = HistoryImporter.Options()
        options.namespacePatterns = try HistoryIngest.namespacePatterns(config: request.config)
        let store = try HistoryStore.open(path: request.historyPath)
        let marks = try store.observationMarks()
        for (cluster, transport) in resolved {
            let observer = ClusterObserver(cluster: cluster, queries: config.queries, transport: transport)
            // A step past the mark: the point at the mark is already recorded.
            let from = marks[cluster.name].map { $0 + 1 } ?? request.now - config.since
            var source = SourceReport(name: cluster.name)
            do {
                guard let observation = try await observer.observe(from: from, to: request.now, options: options) else {
                    report.sources.append(source)
                    continue
                }
                source.window = (observation.start, observation.end, observation.step)
                source.series = observation.series
                source.mappedPods = observation.mappedPods
                source.notes = observation.batch.notes
                source.summary = try store.write(observation.batch, now: request.now, observed: [cluster.name: observation.end])
                report.sources.append(source)
            } catch {
                report.failures.append("\(cluster.name): \(error.localizedDescription)")
            }
        }
        for file in request.dockerStats {
            var stats = options
            stats.format = .dockerStats
            stats.at = stats.at ?? request.now
            let name = file == "-" ? "docker stats (standard input)" : "docker stats \(file)"
            var source = SourceReport(name: name)
            do {
                let importer = HistoryImporter(options: stats)
                let batch =
                    file == "-"
                    ? try importer.read(data: request.dockerStatsInput ?? Data(), file: "<stdin>") : try importer.read(path: file)
                source.notes = batch.notes
                source.summary = try store.write(batch, now: request.now)
                report.sources.append(source)
            } catch {
                report.failures.append("\(name): \(error.localizedDescription)")
            }
        }
        return report
    }
}
