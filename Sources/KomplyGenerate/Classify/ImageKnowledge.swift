/// What komply knows about a well-known image family: how it runs and what it needs.
public struct ImageProfile: Sendable, Equatable {
    /// The family name, e.g. `postgres`.
    public var family: String
    /// The role the image plays.
    public var role: Role
    /// The runtime inside the image.
    public var runtime: Runtime
    /// True when the image keeps state that must survive restarts (database, queue, search).
    public var stateful: Bool
    /// The numeric user the image is built to run as (non-root), when known.
    public var uid: Int?
    /// Where the image keeps its data (the volume a StatefulSet claims).
    public var dataPath: String?
    /// Paths the image writes to at runtime besides its data (emptyDir under a read-only root).
    public var writablePaths: [String]
    /// The port the image listens on by default.
    public var defaultPort: Int?
    /// A probe command that works without credentials, when the image has one.
    public var probeCommand: [String]?
    /// An HTTP health path served on the default port, when the image has one.
    public var healthPath: String?
    /// Default storage size for its data.
    public var storageSize: String
}

/// Knowledge of common images, looked up by the last path component of the repository.
public enum ImageKnowledge {
    /// The profile for an image reference (`docker.io/library/postgres:16` → postgres), if known.
    ///
    /// Matched by whole repository path (`mcr.microsoft.com/mssql/server`) or whole last path component
    /// (`bitnami/postgresql` → postgresql) and a few known variant names (`mysql-server`, `redis-stack`), never by
    /// substring: `prom/node-exporter` is not `node`.
    public static func profile(for image: String?) -> ImageProfile? {
        guard let image, !image.isEmpty else { return nil }
        var path = repository(image).lowercased()
        for prefix in ["docker.io/", "index.docker.io/"] where path.hasPrefix(prefix) { path.removeFirst(prefix.count) }
        if path.hasPrefix("library/") { path.removeFirst("library/".count) }
        if let known = paths[path] { return table[known] }
        let family = familyName(image)
        return table[aliases[family] ?? family]
    }

    /// `registry:5000/org/name:tag@sha256:…` → `name`.
    public static func familyName(_ image: String) -> String {
        var reference = Substring(image)
        if let at = reference.firstIndex(of: "@") { reference = reference[..<at] }
        let last = reference.split(separator: "/").last ?? reference
        let name = last.split(separator: ":").first ?? last
        return name.lowercased()
    }

    /// The image reference without tag or digest (`registry:5000/org/name:1.2` → `registry:5000/org/name`).
    public static func repository(_ image: String) -> String {
        var reference = Substring(image)
        if let at = reference.firstIndex(of: "@") { reference = reference[..<at] }
        if let slash = reference.lastIndex(of: "/"), let colon = reference[slash...].lastIndex(of: ":") {
            return String(reference[..<colon])
        }
        if !reference.contains("/"), let colon = reference.lastIndex(of: ":") { return String(reference[..<colon]) }
        return String(reference)
    }

    /// The tag of an image reference, nil when there is none (which means `latest`).
    public static func tag(_ image: String) -> String? {
        var reference = Substring(image)
        if let at = reference.firstIndex(of: "@") { reference = reference[..<at] }
        let last = reference.split(separator: "/", omittingEmptySubsequences: false).last ?? reference
        guard let colon = last.lastIndex(of: ":") else { return nil }
        return String(last[last.index(after: colon)...])
    }
}

private extension ImageKnowledge {
    static func p(
        _ family: String, _ role: Role, _ runtime: Runtime, stateful: Bool = false, uid: Int? = nil, data: String? = nil,
        writable: [String] = ["/tmp"], port: Int? = nil, probe: [String]? = nil, health: String? = nil, storage: String = "1Gi"
    ) -> ImageProfile {
        ImageProfile(
            family: family, role: role, runtime: runtime, stateful: stateful, uid: uid, dataPath: data,
            writablePaths: writable, defaultPort: port, probeCommand: probe, healthPath: health, storageSize: storage)
    }

    static let profiles: [ImageProfile] = [
        p(
            "postgres", .database, .native, stateful: true, uid: 999, data: "/var/lib/postgresql/data",
            writable: ["/tmp", "/var/run/postgresql"], port: 5432, probe: ["pg_isready", "-h", "127.0.0.1"], storage: "10Gi"),
        p(
            "postgresql", .database, .native, stateful: true, uid: 1001, data: "/bitnami/postgresql",
            writable: ["/tmp", "/opt/bitnami/postgresql/tmp"], port: 5432, probe: ["pg_isready", "-h", "127.0.0.1"], storage: "10Gi"),
        p(
            "mysql", .database, .native, stateful: true, uid: 999, data: "/var/lib/mysql",
            writable: ["/tmp", "/var/run/mysqld"], port: 3306, probe: ["mysqladmin", "ping", "-h", "127.0.0.1"], storage: "10Gi"),
        p(
            "mariadb", .database, .native, stateful: true, uid: 999, data: "/var/lib/mysql",
            writable: ["/tmp", "/run/mysqld"], port: 3306, probe: ["healthcheck.sh", "--connect"], storage: "10Gi"),
        p(
            "mongo", .database, .native, stateful: true, uid: 999, data: "/data/db", writable: ["/tmp", "/data/configdb"], port: 27017,
            storage: "10Gi"),
        p("mssql", .database, .native, stateful: true, uid: 10001, data: "/var/opt/mssql", writable: ["/tmp"], port: 1433, storage: "10Gi"),
        p("redis", .cache, .native, uid: 999, data: "/data", port: 6379, probe: ["redis-cli", "ping"]),
        p("redismod", .cache, .native, uid: 999, data: "/data", port: 6379, probe: ["redis-cli", "ping"]),
        p("valkey", .cache, .native, uid: 999, data: "/data", port: 6379, probe: ["valkey-cli", "ping"]),
        p("memcached", .cache, .native, uid: 11211, port: 11211),
        p(
            "elasticsearch", .database, .jvm, stateful: true, uid: 1000, data: "/usr/share/elasticsearch/data",
            writable: ["/tmp", "/usr/share/elasticsearch/logs"], port: 9200,
            health: "/_cluster/health?local=true", storage: "10Gi"),
        p(
            "opensearch", .database, .jvm, stateful: true, uid: 1000, data: "/usr/share/opensearch/data",
            writable: ["/tmp", "/usr/share/opensearch/logs"], port: 9200, storage: "10Gi"),
        p("logstash", .worker, .jvm, uid: 1000, writable: ["/tmp", "/usr/share/logstash/data"], port: 9600, health: "/"),
        p("kibana", .web, .node, uid: 1000, writable: ["/tmp", "/usr/share/kibana/data"], port: 5601, health: "/api/status"),
        p(
            "kafka", .queue, .jvm, stateful: true, uid: 1000, data: "/var/lib/kafka/data", writable: ["/tmp", "/opt/kafka/logs"],
            port: 9092, storage: "10Gi"),
        p("zookeeper", .queue, .jvm, stateful: true, uid: 1000, data: "/data", writable: ["/tmp", "/datalog", "/logs"], port: 2181),
        p(
            "rabbitmq", .queue, .native, stateful: true, uid: 999, data: "/var/lib/rabbitmq", writable: ["/tmp"], port: 5672,
            probe: ["rabbitmq-diagnostics", "-q", "ping"], storage: "5Gi"),
        p("nats", .queue, .go, uid: 1000, port: 4222),
        p("nginx", .proxy, .static, uid: 101, writable: ["/tmp", "/var/cache/nginx", "/var/run"], port: 80),
        p("nginx-unprivileged", .proxy, .static, uid: 101, writable: ["/tmp"], port: 8080),
        p("httpd", .web, .static, uid: 33, writable: ["/tmp", "/usr/local/apache2/logs"], port: 80),
        p("traefik", .proxy, .go, uid: 65532, port: 80, health: "/ping"),
        p("haproxy", .proxy, .native, uid: 99, writable: ["/tmp", "/var/run"], port: 80),
        p("envoy", .proxy, .native, uid: 101, port: 10000),
        p("caddy", .proxy, .go, uid: 1000, writable: ["/tmp", "/data", "/config"], port: 80),
        p("wordpress", .web, .php, uid: 33, data: "/var/www/html", writable: ["/tmp", "/var/run/apache2", "/var/lock/apache2"], port: 80),
        p(
            "nextcloud", .web, .php, uid: 33, data: "/var/www/html", writable: ["/tmp", "/var/run/apache2", "/var/lock/apache2"], port: 80,
            storage: "10Gi"),
        p("gitea", .web, .go, stateful: true, uid: 1000, data: "/data", port: 3000, health: "/api/healthz", storage: "10Gi"),
        p("grafana", .web, .go, stateful: true, uid: 472, data: "/var/lib/grafana", port: 3000, health: "/api/health"),
        p(
            "prometheus", .database, .go, stateful: true, uid: 65534, data: "/prometheus", port: 9090, health: "/-/ready",
            storage: "10Gi"),
        p("pgadmin4", .web, .python, uid: 5050, data: "/var/lib/pgadmin", port: 80, health: "/misc/ping"),
        p("portainer-ce", .web, .go, uid: 1000, data: "/data", port: 9000),
        p("node", .api, .node, uid: 1000),
        p("python", .api, .python, uid: 10001),
        p("golang", .api, .go, uid: 10001),
        p("openjdk", .api, .jvm, uid: 10001),
        p("eclipse-temurin", .api, .jvm, uid: 10001),
        p("amazoncorretto", .api, .jvm, uid: 10001),
        p("ruby", .api, .ruby, uid: 10001),
        p("php", .web, .php, uid: 33, writable: ["/tmp", "/var/run/apache2", "/var/lock/apache2"]),
        p("aspnet", .api, .dotnet, uid: 1654),
        p("dotnet-sdk", .api, .dotnet, uid: 1654),
        p("maven", .api, .jvm, uid: 10001),
        p("gradle", .api, .jvm, uid: 10001),
        p("rust", .api, .native, uid: 10001),
        p("pypy", .api, .python, uid: 10001),
        p("busybox", .worker, .native, uid: 65534),
        p("alpine", .worker, .native, uid: 65534),
    ]

    static let table: [String: ImageProfile] = Dictionary(profiles.map { ($0.family, $0) }, uniquingKeysWith: { first, _ in first })

    /// Variant names of a known family (the last path component), for images that name their family differently.
    static let aliases: [String: String] = [
        "mysql-server": "mysql", "redis-stack": "redis", "redis-stack-server": "redis", "postgis": "postgres",
        "timescaledb": "postgres", "azure-sql-edge": "mssql", "elasticsearch-oss": "elasticsearch", "kibana-oss": "kibana",
        "wordpress-fpm": "wordpress", "cp-kafka": "kafka", "cp-zookeeper": "zookeeper", "jre": "openjdk", "jdk": "openjdk",
    ]

    /// Whole repository paths (registry included where it is not Docker Hub) whose last component is too generic to match.
    static let paths: [String: String] = [
        "mcr.microsoft.com/mssql/server": "mssql", "mcr.microsoft.com/dotnet/aspnet": "aspnet",
        "mcr.microsoft.com/dotnet/runtime": "aspnet", "mcr.microsoft.com/dotnet/sdk": "dotnet-sdk",
        "mcr.microsoft.com/azure-sql-edge": "mssql",
    ]
}
