import KomplyCore

/// Kubernetes names and labels for an app's objects.
public enum Naming {
    /// A DNS-1123 label: lower case, `a-z0-9-`, starts and ends alphanumeric, at most 63 characters.
    public static func dnsLabel(_ raw: String, maxLength: Int = 63) -> String {
        let label = DNSLabel.make(raw, maxLength: maxLength)
        return label.isEmpty ? "app" : label
    }

    /// A ConfigMap/Secret key for a file name (`nginx.conf` stays; `/` and other characters become `-`).
    public static func dataKey(_ raw: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let key = String(raw.map { allowed.contains($0) ? $0 : "-" })
        return key.isEmpty ? "file" : key
    }

    /// The labels every object of a service carries.
    public static func labels(app: String, service: String, component: String) -> [(String, String)] {
        [
            ("app.kubernetes.io/name", service), ("app.kubernetes.io/part-of", app),
            ("app.kubernetes.io/component", component), ("app.kubernetes.io/managed-by", "komply"),
        ]
    }

    /// The labels that select a service's pods (stable across changes of role).
    public static func selector(app: String, service: String) -> [(String, String)] {
        [("app.kubernetes.io/name", service), ("app.kubernetes.io/part-of", app)]
    }

    /// A port name (at most 15 characters, IANA style) for a port.
    public static func portName(_ port: Int, protocol proto: String) -> String {
        let known: [Int: String] = [
            80: "http", 8080: "http", 3000: "http", 5000: "http", 8000: "http", 8081: "http-alt", 443: "https", 8443: "https",
            5432: "postgres", 3306: "mysql", 6379: "redis", 27017: "mongodb", 5672: "amqp", 15672: "http-mgmt",
            9092: "kafka", 2181: "zookeeper", 9200: "http-es", 9300: "transport", 11211: "memcache", 1433: "mssql",
            9090: "http-metrics", 53: "dns",
        ]
        let base = known[port] ?? "\(proto.lowercased())-\(port)"
        return proto.lowercased() == "tcp" || base.hasPrefix(proto.lowercased()) ? base : "\(proto.lowercased())-\(port)"
    }
}
