/// Kubernetes names and labels for an app's objects.
public enum Naming {
    /// A DNS-1123 label: lower case, `a-z0-9-`, starts and ends alphanumeric, at most 63 characters.
    public static func dnsLabel(_ raw: String, maxLength: Int = 63) -> String {
        var out = ""
        var lastWasDash = false
        for scalar in raw.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash, !out.isEmpty {
                out += "-"
                lastWasDash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > maxLength { out = String(out.prefix(maxLength)) }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "app" : out
    }

    /// Whether `name` is a DNS-1123 label as it stands (what a namespace name must be).
    public static func isDNSLabel(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        let allowed = { (scalar: Unicode.Scalar) in ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) }
        guard let first = scalars.first, let last = scalars.last, scalars.count <= 63 else { return false }
        return allowed(first) && allowed(last) && scalars.allSatisfy { allowed($0) || $0 == "-" }
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
