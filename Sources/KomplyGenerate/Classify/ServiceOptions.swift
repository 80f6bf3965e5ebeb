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
///   port: 8080                 # the port a service that declares none listens on
///   uid: 10001                 # numeric user to run as
///   storage: {size: 20Gi, class: fast-ssd}
///   ingress: {host: shop.example.com, path: /, port: 80, className: nginx, tls: shop-tls}
///   probes: {path: /healthz, port: 8080}     # or {disable: "reason"}
///   resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}
///   writablePaths: [/var/cache/app]
///   secretEnv: [SESSION_KEY]   # treat as secret although the name does not say so
///   plainEnv: [TOKEN_TTL]      # not a secret although the name looks like one
///   accept:                    # risks compose asks for, accepted by a person until a date
///     privileged-container: {reason: "loads kernel modules for the VPN", expires: 2027-03-31}
///   hostPath:                  # consent to mount a host path (never read by komply), with why and until when
///     /var/run/docker.sock: {reason: "CI runner builds images", expires: 2027-01-31}
/// ```
public struct ServiceOptions: Sendable, Equatable {
    public var kind: WorkloadKind?
    public var role: Role?
    public var runtime: Runtime?
    public var schedule: String?
    public var replicas: Int?
    /// The port the service listens on when compose declares none (`x-komply.port`).
    public var port: Int?
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
    /// Risks accepted by a person (`accept: {rule-id: {reason, expires}}`), by rule id; only these become
    /// `komply.dev/ignore` entries for security and supply-chain rules.
    public var accept: [String: Acceptance] = [:]
    /// Host paths a bind mount may mount as a `hostPath` volume, by absolute path, each with its consent.
    public var hostPaths: [String: Acceptance] = [:]

    /// A risk a person accepted for a while (a rule, a host path): why, and the last day it holds.
    public struct Acceptance: Sendable, Equatable {
        public var reason: String
        /// `YYYY-MM-DD`.
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
        "kind", "role", "runtime", "schedule", "replicas", "port", "uid", "storage", "ingress", "probes", "resources", "writablePaths",
        "secretEnv", "plainEnv", "accept", "hostPath",
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
        // `{reason, expires}`: a person's acceptance of a risk (a rule, a host path) until a date.
        func acceptance(_ value: ValueTree, _ at: String) throws(GenerateError) -> Acceptance {
            guard let fields = value.objectMembers else { throw fail(at, "a mapping {reason: why, expires: YYYY-MM-DD}") }
            var reason: String?
            var expires: String?
            for field in fields {
                switch field.key {
                case "reason": reason = try string(field.value, "\(at).reason")
                case "expires":
                    // YAML reads an unquoted 2027-03-31 as a string in the core schema komply uses.
                    let text = try string(field.value, "\(at).expires")
                    guard Suppression.isValidDate(text) else { throw fail("\(at).expires", "a calendar date YYYY-MM-DD, not \"\(text)\"") }
                    expires = text
                default: throw fail("\(at).\(field.key)", "reason or expires (unknown key)")
                }
            }
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("\(at).reason", "a reason: why this risk is accepted")
            }
            guard let expires else { throw fail("\(at).expires", "an expires date (YYYY-MM-DD): every accepted risk is reviewed") }
            return Acceptance(reason: reason, expires: expires)
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
                guard (try? BoundedNumber.check(replicas, .replicas)) != nil else {
                    throw fail(key, "a replica count \(NumberBound.replicas.rangeText)")
                }
                options.replicas = replicas
            case "port":
                let port = try integer(value, key)
                guard (try? BoundedNumber.check(port, .port)) != nil else {
                    throw fail(key, "\(NumberBound.port.name) \(NumberBound.port.rangeText)")
                }
                options.port = port
            case "uid":
                let uid = try integer(value, key)
                // komply.yaml's defaults.uid has the same range: Linux user ids are 32-bit.
                guard (1...2_147_483_647).contains(uid) else {
                    throw fail(key, "a non-root numeric user id from 1 to 2147483647")
                }
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
                    case "tls":
                        // A Secret's name, not a switch: `tls: true` would say nothing of the certificate.
                        guard case .string(let secret) = entry.value else {
                            throw fail("ingress.tls", "a string: the name of the Secret holding the TLS certificate, such as shop-tls")
                        }
                        ingress.tlsSecret = secret
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
                    case "port":
                        let port = try integer(entry.value, "probes.port")
                        guard (1...65535).contains(port) else { throw fail("probes.port", "a port from 1 to 65535") }
                        options.probePort = port
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
                        // Physical bounds, as for compose's own resources: 1,000,000 cores, 4 EiB.
                        let bound: NumberBound = amount.key == "cpu" ? .cpuCores : .memoryBytes
                        let units = amount.key == "cpu" ? Double(parsed.milliValue) / 1000 : Double(parsed.value)
                        guard !parsed.isNegative, (try? BoundedNumber.check(units, bound)) != nil else {
                            throw fail(
                                "resources.\(entry.key).\(amount.key)",
                                amount.key == "cpu"
                                    ? "a CPU quantity from 0 to 1000000 cores" : "a memory quantity from 0 to 4Ei (2^62 bytes)")
                        }
                        if entry.key == "requests" { options.requests[amount.key] = parsed } else { options.limits[amount.key] = parsed }
                    }
                }
            case "writablePaths": options.writablePaths = try strings(value, key)
            case "secretEnv": options.secretEnv = Set(try strings(value, key))
            case "plainEnv": options.plainEnv = Set(try strings(value, key))
            case "accept":
                guard let entries = value.objectMembers else {
                    throw fail(key, "a mapping of rule ids to {reason: why, expires: YYYY-MM-DD}")
                }
                for entry in entries {
                    let at = "accept.\(entry.key)"
                    guard Suppression.isValidRuleID(entry.key) else { throw fail(at, "a rule id such as run-as-root") }
                    options.accept[entry.key] = try acceptance(entry.value, at)
                }
            case "hostPath":
                let expected = "a mapping of absolute host paths to {reason, expires: YYYY-MM-DD}"
                guard let entries = value.objectMembers else { throw fail(key, expected) }
                for entry in entries {
                    let at = "hostPath.\(entry.key)"
                    let posix = entry.key.hasPrefix("/") && entry.key == Paths.normalized(entry.key) && entry.key != "/"
                    guard posix || (Paths.isWindowsAbsolute(entry.key) && entry.key == Paths.normalized(entry.key)) else {
                        throw fail(at, "an absolute, normalized host path other than / (like /var/run/docker.sock or C:\\data)")
                    }
                    options.hostPaths[entry.key] = try acceptance(entry.value, at)
                }
            default:
                throw fail(key, "one of " + keys.joined(separator: ", ") + " (unknown key \"\(key)\")")
            }
        }
        return options
    }
}
