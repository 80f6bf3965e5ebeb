import Foundation
import KomplyCore

/// The typed `x-komply` block of a service: every classification and default can be overridden here.
///
/// ```yaml
/// x-komply:
///   kind: StatefulSet          # Deployment | StatefulSet | DaemonSet | Job | CronJob
///   role: database             # web | api | worker | database | cache | queue | proxy | batch
///   runtime: jvm               # jvm | node | python | go | ruby | php | dotnet | static | native
///   schedule: "0 3 * * *"      # makes a CronJob
///   replicas: 3
///   uid: 10001                 # numeric user to run as
///   storage: {size: 20Gi, class: fast-ssd}
///   ingress: {host: shop.example.com, path: /, port: 80, className: nginx, tls: shop-tls}
///   probes: {path: /healthz, port: 8080}     # or {disable: "reason"}
///   resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}
///   writablePaths: [/var/cache/app]
///   secretEnv: [SESSION_KEY]   # treat as secret although the name does not say so
///   plainEnv: [TOKEN_TTL]      # not a secret although the name looks like one
///   hostPath:                  # consent to mount a host path (never read by komply), with why and until when
///     /var/run/docker.sock: {reason: "CI runner builds images", expires: 2027-01-31}
/// ```
public struct ServiceOptions: Sendable, Equatable {
    public var kind: WorkloadKind?
    public var role: Role?
    public var runtime: Runtime?
    public var schedule: String?
    public var replicas: Int?
    public var uid: Int?
    public var storageSize: Quantity?
    public var storageClass: String?
    public var ingress: IngressOptions?
    public var probePath: String?
    public var probePort: Int?
    public var probesDisabledReason: String?
    public var requests: [String: Quantity] = [:]
    public var limits: [String: Quantity] = [:]
    public var writablePaths: [String] = []
    public var secretEnv: Set<String> = []
    public var plainEnv: Set<String> = []
    /// Host paths a bind mount may mount as a `hostPath` volume, by absolute path, each with its consent.
    public var hostPaths: [String: HostPathConsent] = [:]

    /// A human's recorded acceptance of one `hostPath` volume: why, and the last day it holds.
    public struct HostPathConsent: Sendable, Equatable {
        public var reason: String
        public var expires: String
    }

    /// An Ingress request.
    public struct IngressOptions: Sendable, Equatable {
        public var host: String
        public var path: String
        public var port: Int?
        public var className: String?
        public var tlsSecret: String?
    }

    /// The keys `x-komply` accepts.
    public static let keys = [
        "kind", "role", "runtime", "schedule", "replicas", "uid", "storage", "ingress", "probes", "resources", "writablePaths",
        "secretEnv", "plainEnv", "hostPath",
    ]

    /// No overrides.
    public init() {}

    /// Reads the service's `x-komply` block; errors point at the block.
    public static func read(_ service: ComposeService) throws(GenerateError) -> ServiceOptions {
        var options = ServiceOptions()
        guard let block = service.extensions["x-komply"] else { return options }
        let location = service.komply.positions["x-komply"] ?? service.komply.source
        let path = "services.\(service.name).x-komply"
        guard let members = block.objectMembers else {
            throw .invalidOption(location, key: path, expected: "a mapping")
        }
        func fail(_ key: String, _ expected: String) -> GenerateError {
            // A missing field is reported where its entry is (`hostPath./x.reason` at `hostPath./x`).
            var at = "x-komply.\(key)"
            while service.komply.positions[at] == nil, let dot = at.lastIndex(of: "."), at[..<dot] != "x-komply" {
                at = String(at[..<dot])
            }
            return .invalidOption(service.komply.positions[at] ?? location, key: "\(path).\(key)", expected: expected)
        }
        func string(_ value: ValueTree, _ key: String) throws(GenerateError) -> String {
            guard case .string(let text) = value else { throw fail(key, "a string") }
            return text
        }
        func integer(_ value: ValueTree, _ key: String) throws(GenerateError) -> Int {
            guard case .int(let number) = value else { throw fail(key, "an integer") }
            return number
        }
        func quantity(_ value: ValueTree, _ key: String) throws(GenerateError) -> Quantity {
            let text: String
            switch value {
            case .string(let s): text = s
            case .int(let i): text = String(i)
            case .double(let d): text = JSONEmitter.number(d)
            default: throw fail(key, "a Kubernetes quantity such as 250m or 512Mi")
            }
            do { return try Quantity(parsing: text) } catch {
                throw fail(key, "a Kubernetes quantity such as 250m or 512Mi, not \"\(text)\"")
            }
        }
        func strings(_ value: ValueTree, _ key: String) throws(GenerateError) -> [String] {
            guard case .array(let items) = value else { throw fail(key, "a list of strings") }
            var result: [String] = []
            for item in items { result.append(try string(item, key)) }
            return result
        }
        for member in members {
            let key = member.key
            let value = member.value
            switch key {
            case "kind":
                guard let kind = WorkloadKind(rawValue: try string(value, key)) else {
                    throw fail(key, "one of " + WorkloadKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                options.kind = kind
            case "role":
                guard let role = Role(rawValue: try string(value, key)) else {
                    throw fail(key, "one of " + Role.allCases.map(\.rawValue).joined(separator: ", "))
                }
                options.role = role
            case "runtime":
                guard let runtime = Runtime(rawValue: try string(value, key)), runtime != .unknown else {
                    throw fail(key, "one of " + Runtime.allCases.filter { $0 != .unknown }.map(\.rawValue).joined(separator: ", "))
                }
                options.runtime = runtime
            case "schedule":
                let schedule = try string(value, key)
                guard schedule.split(separator: " ").count == 5 || schedule.hasPrefix("@") else {
                    throw fail(key, "a cron schedule with five fields, e.g. \"0 3 * * *\"")
                }
                options.schedule = schedule
            case "replicas":
                let replicas = try integer(value, key)
                guard replicas >= 0 else { throw fail(key, "a replica count of 0 or more") }
                options.replicas = replicas
            case "uid":
                let uid = try integer(value, key)
                guard uid > 0 else { throw fail(key, "a non-root numeric user id (greater than 0)") }
                options.uid = uid
            case "storage":
                guard let storage = value.objectMembers else { throw fail(key, "a mapping with size and class") }
                for entry in storage {
                    switch entry.key {
                    case "size": options.storageSize = try quantity(entry.value, "storage.size")
                    case "class": options.storageClass = try string(entry.value, "storage.class")
                    default: throw fail("storage.\(entry.key)", "one of size, class (unknown key)")
                    }
                }
            case "ingress":
                guard let entries = value.objectMembers else { throw fail(key, "a mapping with host, path, port, className, tls") }
                var host: String?
                var ingress = IngressOptions(host: "", path: "/", port: nil, className: nil, tlsSecret: nil)
                for entry in entries {
                    switch entry.key {
                    case "host": host = try string(entry.value, "ingress.host")
                    case "path": ingress.path = try string(entry.value, "ingress.path")
                    case "port": ingress.port = try integer(entry.value, "ingress.port")
                    case "className": ingress.className = try string(entry.value, "ingress.className")
                    case "tls": ingress.tlsSecret = try string(entry.value, "ingress.tls")
                    default: throw fail("ingress.\(entry.key)", "one of host, path, port, className, tls (unknown key)")
                    }
                }
                guard let host else { throw fail("ingress", "a host name (ingress.host)") }
                ingress.host = host
                options.ingress = ingress
            case "probes":
                guard let entries = value.objectMembers else { throw fail(key, "a mapping with path and port, or disable") }
                for entry in entries {
                    switch entry.key {
                    case "path": options.probePath = try string(entry.value, "probes.path")
                    case "port": options.probePort = try integer(entry.value, "probes.port")
                    case "disable": options.probesDisabledReason = try string(entry.value, "probes.disable")
                    default: throw fail("probes.\(entry.key)", "one of path, port, disable (unknown key)")
                    }
                }
            case "resources":
                guard let entries = value.objectMembers else { throw fail(key, "a mapping with requests and limits") }
                for entry in entries {
                    guard entry.key == "requests" || entry.key == "limits", let amounts = entry.value.objectMembers else {
                        throw fail("resources.\(entry.key)", "requests or limits, each a mapping of cpu and memory")
                    }
                    for amount in amounts {
                        guard amount.key == "cpu" || amount.key == "memory" else {
                            throw fail("resources.\(entry.key).\(amount.key)", "cpu or memory")
                        }
                        let parsed = try quantity(amount.value, "resources.\(entry.key).\(amount.key)")
                        if entry.key == "requests" { options.requests[amount.key] = parsed } else { options.limits[amount.key] = parsed }
                    }
                }
            case "writablePaths": options.writablePaths = try strings(value, key)
            case "secretEnv": options.secretEnv = Set(try strings(value, key))
            case "plainEnv": options.plainEnv = Set(try strings(value, key))
            case "hostPath":
                let expected = "a mapping of absolute host paths to {reason, expires: YYYY-MM-DD}"
                guard let entries = value.objectMembers else { throw fail(key, expected) }
                for entry in entries {
                    let entryKey = "hostPath.\(entry.key)"
                    guard entry.key.hasPrefix("/"), entry.key == Paths.normalized(entry.key), entry.key != "/" else {
                        throw fail(entryKey, "an absolute, normalized host path other than / (like /var/run/docker.sock)")
                    }
                    guard let fields = entry.value.objectMembers else { throw fail(entryKey, "a mapping with reason and expires") }
                    var reason: String?
                    var expires: String?
                    for field in fields {
                        switch field.key {
                        case "reason": reason = try string(field.value, "\(entryKey).reason")
                        case "expires": expires = try string(field.value, "\(entryKey).expires")
                        default: throw fail("\(entryKey).\(field.key)", "one of reason, expires (unknown key)")
                        }
                    }
                    guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                        throw fail("\(entryKey).reason", "why the pod needs this host path (a non-empty reason)")
                    }
                    guard let expires, Self.isDate(expires) else {
                        throw fail("\(entryKey).expires", "the last day the consent holds, as YYYY-MM-DD")
                    }
                    options.hostPaths[entry.key] = HostPathConsent(reason: reason, expires: expires)
                }
            default:
                throw fail(key, "one of " + keys.joined(separator: ", ") + " (unknown key \"\(key)\")")
            }
        }
        return options
    }
}

private extension ServiceOptions {
    /// True for a real calendar day written `YYYY-MM-DD`.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), parts.count == 3, parts[0].count == 4, parts[1].count == 2,
            parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }
}
