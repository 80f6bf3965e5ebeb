import Foundation
import KomplyCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads what one cluster's containers used over a window from its Prometheus HTTP API: CPU, working-set
/// memory, restarts, OOM kills and CPU throttling per container, each series mapped to its workload through
/// kube-state-metrics' owner series, as one history batch keyed per app.
public struct ClusterObserver: Sendable {
    /// One cluster to observe.
    public struct Cluster: Sendable, Hashable {
        /// The cluster's name (recorded with every sample as `prometheus:<name>`).
        public var name: String
        /// The Prometheus base URL (`http://…` or `https://…`, with any path prefix).
        public var url: URL
        /// The bearer token sent to Prometheus, read from the environment variable the config names; never logged.
        public var token: String?
        /// The label that tells clusters apart in a shared Prometheus (`cluster`), or nil when the server holds
        /// only this cluster.
        public var clusterLabel: String?

        /// Creates a cluster.
        public init(name: String, url: URL, token: String? = nil, clusterLabel: String? = nil) {
            self.name = name
            self.url = url
            self.token = token
            self.clusterLabel = clusterLabel
        }
    }

    /// What one observation read.
    public struct Observation: Sendable {
        /// The samples and events, keyed per app.
        public var batch: HistoryBatch
        /// The window's start and end actually queried (aligned to the step), Unix seconds.
        public var start: Double
        /// The end of the window (the next observation starts one step later).
        public var end: Double
        /// The query step in seconds.
        public var step: Double
        /// Pods mapped to a workload through the owner series.
        public var mappedPods: Int
        /// Series per signal (`cpu`, `memory`, …).
        public var series: [String: Int]
    }

    /// The cluster.
    public var cluster: Cluster
    /// The PromQL per signal.
    public var queries: ObservationQueries
    /// How requests are made.
    public var transport: any HTTPTransport

    /// Creates an observer.
    public init(cluster: Cluster, queries: ObservationQueries = .standard, transport: any HTTPTransport = URLSessionTransport()) {
        self.cluster = cluster
        self.queries = queries
        self.transport = transport
    }

    /// The step for a window: one minute, or longer so no series exceeds 10,000 points (Prometheus refuses more
    /// than 11,000), in whole minutes.
    public static func step(window: Double) -> Double {
        max(60, (window / 10_000 / 60).rounded(.up) * 60)
    }

    /// Reads `from`…`to` (Unix seconds); `options` gives the namespace → app mapping. Nil when the window
    /// is shorter than one step (nothing new to read).
    public func observe(from: Double, to: Double, options: HistoryImporter.Options) async throws(PredictError) -> Observation? {
        let step = Self.step(window: to - from)
        // Aligned to the step, so reruns over the same window ask for (and record) the same points.
        let start = (from / step).rounded(.up) * step
        let end = (to / step).rounded(.down) * step
        guard end >= start else { return nil }
        let workloads = try await podWorkloads(start: start, end: end)
        var options = options
        options.format = .prometheus
        options.podWorkloads = workloads.byPod
        options.prometheusSource = "prometheus:\(cluster.name)"
        options.sourcePerPod = true
        options.cluster = cluster.name
        var batch = HistoryBatch()
        var series: [String: Int] = [:]
        for signal in queries.all {
            let query = ObservationQueries.expand(signal.query, label: cluster.clusterLabel, name: cluster.name)
            let url = rangeURL(query: query, start: start, end: end, step: step)
            let data = try await get(url)
            options.metric = signal.metric
            let read = try HistoryImporter(options: options).read(data: data, file: "\(cluster.name): \(signal.name) query")
            series[signal.name] = Self.seriesCount(data)
            batch.append(read)
        }
        return Observation(batch: batch, start: start, end: end, step: step, mappedPods: workloads.byPod.count, series: series)
    }
}

private extension ClusterObserver {
    func podWorkloads(start: Double, end: Double) async throws(PredictError) -> PodWorkloads {
        var sets: [String: [[String: String]]] = [:]
        for metric in ["kube_pod_owner", "kube_replicaset_owner", "kube_job_owner"] {
            let selector = ObservationQueries.expand("\(metric){owner_name!=\"\"$cluster}", label: cluster.clusterLabel, name: cluster.name)
            var components = URLComponents(url: cluster.url.appendingPathComponent("api/v1/series"), resolvingAgainstBaseURL: false)!
            components.queryItems = [
                URLQueryItem(name: "match[]", value: selector), URLQueryItem(name: "start", value: JSONEmitter.number(start)),
                URLQueryItem(name: "end", value: JSONEmitter.number(end)),
            ]
            let url = components.url!
            sets[metric] = try PodWorkloads.labelSets(try await get(url), file: "\(cluster.name): \(metric) series")
        }
        return PodWorkloads(
            podOwners: sets["kube_pod_owner"] ?? [], replicaSetOwners: sets["kube_replicaset_owner"] ?? [],
            jobOwners: sets["kube_job_owner"] ?? [])
    }

    func rangeURL(query: String, start: Double, end: Double, step: Double) -> URL {
        PrometheusClient(baseURL: cluster.url, transport: transport).url(query: query, start: start, end: end, step: step)
    }

    func get(_ url: URL) async throws(PredictError) -> Data {
        var headers: [String: String] = [:]
        if let token = cluster.token { headers["Authorization"] = "Bearer \(token)" }
        do {
            return try await transport.get(url, headers: headers)
        } catch let error as PredictError {
            throw error
        } catch {
            throw .unreadable(file: "\(cluster.name) (\(Self.redacted(url)))", reason: error.localizedDescription)
        }
    }

    /// The URL without its query (PromQL is long) and without credentials.
    static func redacted(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        components?.user = nil
        components?.password = nil
        return components?.string ?? url.host ?? "?"
    }

    static func seriesCount(_ data: Data) -> Int {
        (try? JSONNodes.parse(data, file: ""))?["data"]?["result"]?.sequence?.count ?? 0
    }
}
