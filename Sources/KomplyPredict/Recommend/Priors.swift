import Foundation

/// Cold-start starting points: what a container of a known image family or runtime typically needs.
///
/// Numbers are deliberately modest requests for an idle-to-moderate load; evidence (docker stats,
/// similar services, the service's own history) replaces them as soon as there is any.
public enum Priors {
    /// A starting point for one family or runtime.
    public struct Entry: Sendable, Hashable {
        /// Runtime the family implies.
        public var runtime: String?
        /// Role the family implies.
        public var role: String
        /// CPU request in cores.
        public var cpu: Double
        /// Memory request in bytes.
        public var memory: Double
    }

    static let mi = 1_048_576.0

    /// Well-known images by repository name.
    public static let families: [String: Entry] = [
        "nginx": Entry(runtime: "nginx", role: "web", cpu: 0.05, memory: 64 * mi),
        "nginx-unprivileged": Entry(runtime: "nginx", role: "web", cpu: 0.05, memory: 64 * mi),
        "httpd": Entry(runtime: "httpd", role: "web", cpu: 0.1, memory: 128 * mi),
        "caddy": Entry(runtime: "go", role: "web", cpu: 0.05, memory: 64 * mi),
        "traefik": Entry(runtime: "go", role: "web", cpu: 0.1, memory: 128 * mi),
        "haproxy": Entry(runtime: "haproxy", role: "web", cpu: 0.1, memory: 64 * mi),
        "envoy": Entry(runtime: "envoy", role: "web", cpu: 0.1, memory: 128 * mi),
        "redis": Entry(runtime: "redis", role: "cache", cpu: 0.1, memory: 128 * mi),
        "valkey": Entry(runtime: "redis", role: "cache", cpu: 0.1, memory: 128 * mi),
        "keydb": Entry(runtime: "redis", role: "cache", cpu: 0.1, memory: 128 * mi),
        "memcached": Entry(runtime: "memcached", role: "cache", cpu: 0.1, memory: 128 * mi),
        "postgres": Entry(runtime: "postgres", role: "database", cpu: 0.25, memory: 512 * mi),
        "postgis": Entry(runtime: "postgres", role: "database", cpu: 0.25, memory: 512 * mi),
        "mysql": Entry(runtime: "mysql", role: "database", cpu: 0.25, memory: 512 * mi),
        "mariadb": Entry(runtime: "mysql", role: "database", cpu: 0.25, memory: 512 * mi),
        "mongo": Entry(runtime: "mongo", role: "database", cpu: 0.25, memory: 1024 * mi),
        "elasticsearch": Entry(runtime: "jvm", role: "database", cpu: 1, memory: 2048 * mi),
        "rabbitmq": Entry(runtime: "erlang", role: "queue", cpu: 0.2, memory: 512 * mi),
        "kafka": Entry(runtime: "jvm", role: "queue", cpu: 0.5, memory: 1024 * mi),
        "nats": Entry(runtime: "go", role: "queue", cpu: 0.1, memory: 64 * mi),
    ]

    /// Application runtimes.
    public static let runtimes: [String: Entry] = [
        "jvm": Entry(runtime: "jvm", role: "api", cpu: 0.5, memory: 512 * mi),
        "node": Entry(runtime: "node", role: "api", cpu: 0.2, memory: 256 * mi),
        "python": Entry(runtime: "python", role: "api", cpu: 0.1, memory: 192 * mi),
        "go": Entry(runtime: "go", role: "api", cpu: 0.1, memory: 128 * mi),
        "ruby": Entry(runtime: "ruby", role: "api", cpu: 0.2, memory: 384 * mi),
        "dotnet": Entry(runtime: "dotnet", role: "api", cpu: 0.2, memory: 256 * mi),
        "php": Entry(runtime: "php", role: "api", cpu: 0.1, memory: 128 * mi),
    ]

    /// A container that reserves GPUs: CUDA libraries, the driver context and a framework (PyTorch, TensorFlow, an
    /// inference server) hold 1–3 GiB of host memory before the first request, and feeding the GPU keeps a core
    /// busy; the family or runtime prior is raised to at least this.
    public static let gpu = Entry(runtime: nil, role: "api", cpu: 1, memory: 2048 * mi)

    /// When nothing is known.
    public static let unknown = Entry(runtime: nil, role: "api", cpu: 0.1, memory: 128 * mi)

    /// Non-heap memory a JVM needs beside its heap (metaspace, code cache, threads, buffers):
    /// max(256 MiB, 25 % of the heap).
    public static func jvmOverhead(heap: Double) -> Double { max(256 * mi, 0.25 * heap) }

    /// Memory Node needs beside its old space (new space, code, buffers): max(128 MiB, 25 %).
    public static func nodeOverhead(oldSpace: Double) -> Double { max(128 * mi, 0.25 * oldSpace) }

    /// Extra memory and CPU per worker process beyond the first.
    public static let perWorker = (cpu: 0.05, memory: 64 * mi)

    /// Headroom on a local docker stats reading, which misses bursts: CPU × 1.5, memory × 1.3.
    public static let observedHeadroom = (cpu: 1.5, memory: 1.3)
}
