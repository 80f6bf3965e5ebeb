import Foundation
import KomplyCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads Prometheus HTTP API `query_range` responses (`resultType: matrix`).
///
/// Assumptions, each tested:
/// - `NaN`, `+Inf` and `-Inf` values are dropped and counted (Prometheus writes them as strings).
/// - Points are sorted by time; a point with the same time as the previous one is dropped (clock
///   skew between scrapes or overlapping responses).
/// - A counter (`cpu-seconds`) that goes down was reset (container restart): the increase over that
///   step is the new value, as Prometheus' `rate()` assumes.
/// - A step longer than 5 × the median step is a gap: no rate is computed across it, nothing is
///   filled in.
/// - The service is the `service`, `app` or `app_kubernetes_io_name` label, else the pod name
///   without its ReplicaSet and pod hashes, else the container label.
/// - The app is `--app`, else the `namespace` label mapped through the namespace templates
///   (`HistoryImporter.Options.app(namespace:)`), else empty (a legacy row).
public enum PrometheusImporter {
    /// Reads a parsed response.
    static func read(_ root: Node, options: HistoryImporter.Options) throws(PredictError) -> HistoryBatch {
        let fields = NodeFields(node: root)
        if let status = try fields.optionalString("status"), status != "success" {
            throw .invalidInput(fields.location("status"), expected: "a successful response (status \"success\"), found \"\(status)\"")
        }
        guard let data = fields.child("data"), let result = data.node["result"]?.sequence else {
            throw .invalidInput(fields.location(), expected: "a Prometheus query_range response with data.result")
        }
        if let type = try data.optionalString("resultType"), type != "matrix" {
            throw .invalidInput(data.location("resultType"), expected: "resultType \"matrix\" (a query_range response), found \"\(type)\"")
        }
        var batch = HistoryBatch()
        var dropped = 0, resets = 0, gaps = 0, duplicates = 0
        for series in result {
            let seriesFields = NodeFields(node: series)
            let labels = try seriesFields.stringMap("metric")
            guard let metric = options.metric ?? infer(labels["__name__"]) else {
                throw .invalidInput(
                    seriesFields.location("metric"), expected: "a metric kind: pass --metric cpu, cpu-seconds, memory, oom or throttled")
            }
            let service =
                options.service ?? labels["namespace"].flatMap { namespace in
                    labels["pod"].flatMap { options.podWorkloads["\(namespace)/\($0)"] }
                } ?? serviceName(labels)
            let container = labels["container"] ?? service
            let app = options.app(namespace: labels["namespace"])
            let source =
                options.sourcePerPod
                ? labels["pod"].map { "\(options.prometheusSource)/\($0)" } ?? options.prometheusSource : options.prometheusSource
            guard let values = series["values"]?.sequence else {
                throw .invalidInput(seriesFields.location(), expected: "\"values\": [[time, \"value\"], …]")
            }
            var points: [(Double, Double)] = []
            for pair in values {
                guard let items = pair.sequence, items.count == 2, let t = items[0].scalar.flatMap(Double.init), let text = items[1].scalar
                else {
                    throw .invalidInput(pair.location, expected: "a [unix time, \"value\"] pair")
                }
                guard let value = Double(text) else {
                    throw .invalidInput(items[1].location, expected: "a number as a string, found \"\(text)\"")
                }
                guard value.isFinite else { dropped += 1; continue }
                // A time outside 1970…2100 or a value past every physical bound (4 EiB) is noise: dropped and named.
                if let why = HistoryBatch.problem(time: t, now: nil) ?? HistoryBatch.problem(value, .memoryBytes) {
                    batch.warnings.append("\(pair.location): dropped the point: \(why)")
                    continue
                }
                points.append((t, value))
            }
            points.sort { $0.0 < $1.0 }
            var unique: [(Double, Double)] = []
            for point in points {
                if let last = unique.last, last.0 == point.0 { duplicates += 1; continue }
                unique.append(point)
            }
            let steps = zip(unique, unique.dropFirst()).map { $1.0 - $0.0 }.sorted()
            let median = steps.isEmpty ? 0 : steps[steps.count / 2]
            let isGap = { (dt: Double) in median > 0 && dt > 5 * median }
            switch metric {
            case .cpu, .memory:
                for (t, v) in unique {
                    batch.samples.append(
                        UsageSample(
                            app: app, service: service, container: container, time: t, resource: metric == .cpu ? .cpu : .memory,
                            value: v, source: source))
                }
                gaps += steps.filter(isGap).count
            case .cpuSeconds:
                for (previous, current) in zip(unique, unique.dropFirst()) {
                    let dt = current.0 - previous.0
                    if isGap(dt) { gaps += 1; continue }
                    var increase = current.1 - previous.1
                    if increase < 0 { resets += 1; increase = current.1 }
                    batch.samples.append(
                        UsageSample(
                            app: app, service: service, container: container, time: current.0, resource: .cpu,
                            value: increase / dt, source: source))
                }
            case .oom:
                var previous = 0.0
                for (t, v) in unique {
                    if v >= 1, previous < 1 {
                        batch.events.append(
                            UsageEvent(
                                app: app, service: service, container: container, time: t, kind: .oomKilled, value: nil,
                                detail: "prometheus: last terminated reason OOMKilled"))
                    }
                    previous = v
                }
            case .restarts:
                // A counter that goes down belongs to a new container instance: no restart is inferred from it.
                for (previous, current) in zip(unique, unique.dropFirst()) where current.1 > previous.1 {
                    batch.events.append(
                        UsageEvent(
                            app: app, service: service, container: container, time: current.0, kind: .restart,
                            value: current.1 - previous.1, detail: "prometheus: restart count rose to \(JSONEmitter.number(current.1))"))
                }
            case .throttled:
                var inEpisode = false
                for (t, v) in unique {
                    if v > options.throttlingThreshold, !inEpisode {
                        batch.events.append(
                            UsageEvent(
                                app: app, service: service, container: container, time: t, kind: .throttled, value: v,
                                detail: "prometheus: \(JSONEmitter.number((v * 100).rounded())) % of CFS periods throttled"))
                    }
                    inEpisode = v > options.throttlingThreshold
                }
            }
        }
        if dropped > 0 { batch.notes.append("dropped \(dropped) NaN or infinite value(s)") }
        if duplicates > 0 { batch.notes.append("dropped \(duplicates) point(s) repeating the previous timestamp") }
        if resets > 0 { batch.notes.append("\(resets) counter reset(s): the increase over that step is the new counter value") }
        if gaps > 0 { batch.notes.append("\(gaps) gap(s) longer than 5 × the median step: not filled, no rate across them") }
        return batch
    }

    /// The metric kind a `__name__` implies.
    static func infer(_ name: String?) -> HistoryImporter.Metric? {
        switch name {
        case "container_cpu_usage_seconds_total": .cpuSeconds
        case "container_memory_working_set_bytes": .memory
        case "kube_pod_container_status_last_terminated_reason": .oom
        case "kube_pod_container_status_restarts_total": .restarts
        default: nil
        }
    }

    static func serviceName(_ labels: [String: String]) -> String {
        for key in ["service", "app", "app_kubernetes_io_name"] { if let value = labels[key], !value.isEmpty { return value } }
        if let pod = labels["pod"] {
            var parts = pod.split(separator: "-").map(String.init)
            if parts.count >= 3, parts.last!.count == 5 { parts.removeLast() }
            if parts.count >= 2, (9...10).contains(parts.last!.count), parts.last!.allSatisfy({ $0.isLetter || $0.isNumber }) {
                parts.removeLast()
            }
            return parts.joined(separator: "-")
        }
        return labels["container"] ?? "unknown"
    }
}

/// Fetches bytes over HTTP; replaceable in tests.
public protocol HTTPTransport: Sendable {
    /// The body of a successful GET sent with `headers` (an `Authorization` bearer token), or an error.
    func get(_ url: URL, headers: [String: String]) async throws -> Data
}

extension HTTPTransport {
    /// A GET without extra headers.
    public func get(_ url: URL) async throws -> Data { try await get(url, headers: [:]) }
}

/// `URLSession` as the transport.
public struct URLSessionTransport: HTTPTransport {
    /// Creates the transport.
    public init() {}

    public func get(_ url: URL, headers: [String: String]) async throws -> Data {
        var request = URLRequest(url: url, timeoutInterval: 60)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw PredictError.unreadable(
                file: url.absoluteString, reason: "HTTP \(http.statusCode): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }
}

/// Runs `query_range` against a live Prometheus and imports the answer.
public struct PrometheusClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:9090`.
    public var baseURL: URL
    /// How requests are made.
    public var transport: any HTTPTransport

    /// Creates a client.
    public init(baseURL: URL, transport: any HTTPTransport = URLSessionTransport()) {
        self.baseURL = baseURL
        self.transport = transport
    }

    /// The `/api/v1/query_range` URL for a query.
    public func url(query: String, start: Double, end: Double, step: Double) -> URL {
        var components = URLComponents(url: baseURL.appendingPathComponent("api/v1/query_range"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "query", value: query), URLQueryItem(name: "start", value: JSONEmitter.number(start)),
            URLQueryItem(name: "end", value: JSONEmitter.number(end)), URLQueryItem(name: "step", value: JSONEmitter.number(step)),
        ]
        return components.url!
    }

    /// Fetches and imports one query.
    public func fetch(query: String, start: Double, end: Double, step: Double, options: HistoryImporter.Options) async throws(PredictError)
        -> HistoryBatch
    {
        let url = url(query: query, start: start, end: end, step: step)
        let data: Data
        do {
            data = try await transport.get(url)
        } catch let error as PredictError {
            throw error
        } catch {
            throw .unreadable(file: url.absoluteString, reason: error.localizedDescription)
        }
        var options = options
        options.format = .prometheus
        return try HistoryImporter(options: options).read(data: data, file: url.absoluteString)
    }
}
