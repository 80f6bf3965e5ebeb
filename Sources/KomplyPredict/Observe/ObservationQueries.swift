/// The PromQL `komply observe` runs against each cluster, one per signal. Each is a template: `$cluster`
/// becomes `,<label>="<cluster name>"` when the cluster has a cluster label (one Prometheus or Thanos serving
/// several clusters), else nothing, so it goes inside a selector's braces. Every query must return series
/// labelled `namespace`, `pod` and `container`.
public struct ObservationQueries: Sendable, Hashable {
    /// CPU in cores: the rate of the CPU counter, so counter resets are handled by Prometheus' `rate()`.
    public var cpu: String
    /// Working-set memory in bytes (what the OOM killer and the kubelet's eviction look at).
    public var memory: String
    /// The restart counter per container.
    public var restarts: String
    /// 1 while the container's last termination was an OOM kill.
    public var oomKilled: String
    /// The fraction of CFS periods in which the container was throttled.
    public var throttled: String

    /// The queries for cAdvisor (kubelet) and kube-state-metrics series as a stock kube-prometheus stack names them.
    public static let standard = ObservationQueries(
        cpu: #"sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{container!="",container!="POD"$cluster}[5m]))"#,
        memory: #"max by (namespace, pod, container) (container_memory_working_set_bytes{container!="",container!="POD"$cluster})"#,
        restarts: #"max by (namespace, pod, container) (kube_pod_container_status_restarts_total{container!=""$cluster})"#,
        oomKilled:
            #"max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"$cluster})"#,
        throttled: #"sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{container!=""$cluster}[5m]))"#
            + #" / sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{container!=""$cluster}[5m]))"#)

    /// Creates a set of queries.
    public init(cpu: String, memory: String, restarts: String, oomKilled: String, throttled: String) {
        self.cpu = cpu
        self.memory = memory
        self.restarts = restarts
        self.oomKilled = oomKilled
        self.throttled = throttled
    }

    /// Each query with the metric kind its series carry, in a fixed order.
    public var all: [(name: String, query: String, metric: HistoryImporter.Metric)] {
        [
            ("cpu", cpu, .cpu), ("memory", memory, .memory), ("restarts", restarts, .restarts), ("oom", oomKilled, .oom),
            ("throttled", throttled, .throttled),
        ]
    }

    /// `query` with `$cluster` filled in for a cluster labelled `label`=`name` (nil label: removed).
    public static func expand(_ query: String, label: String?, name: String) -> String {
        let matcher =
            label.map { ",\($0)=\"\(name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
            ?? ""
        return query.replacingOccurrences(of: "$cluster", with: matcher)
    }
}
