import Foundation
import KomplyCore

/// Everything the recommender needs to know about one container, independent of where it was read.
///
/// The CLI fills it from a `ComposeService` (compose file or `docker inspect` snapshot); tests and
/// other callers can build it directly.
public struct WorkloadFeatures: Sendable, Hashable {
    /// The application (compose project) name.
    public var app: String
    /// The service (workload) name.
    public var service: String
    /// The container name inside the workload (the service name for compose services).
    public var container: String
    /// The image reference.
    public var image: String?
    /// Entrypoint followed by command, as argv.
    public var command: [String]
    /// Environment variables (values from the host are left out).
    public var environment: [String: String]
    /// Container ports.
    public var ports: [Int]
    /// Declared requests (compose `deploy.resources.reservations`) and limits (`deploy.resources.limits`).
    public var declared: ResourceAmounts
    /// Usage observed locally (docker stats), if any.
    public var observed: ObservedSnapshot?
    /// How often the container restarted (docker inspect).
    public var restartCount: Int
    /// Whether the container's last exit was an OOM kill.
    public var oomKilled: Bool
    /// Replica count, if declared.
    public var replicas: Int?
    /// Where the service is defined (`file:line:column`), for messages.
    public var location: String?
    /// The classification komply generate decided, when the caller has one; it wins over guesses from the image.
    public var classified: WorkloadClass?

    /// Creates features.
    public init(
        app: String, service: String, container: String? = nil, image: String? = nil, command: [String] = [],
        environment: [String: String] = [:], ports: [Int] = [], declared: ResourceAmounts = ResourceAmounts(),
        observed: ObservedSnapshot? = nil, restartCount: Int = 0, oomKilled: Bool = false, replicas: Int? = nil,
        location: String? = nil, classified: WorkloadClass? = nil
    ) {
        self.app = app
        self.service = service
        self.container = container ?? service
        self.image = image
        self.command = command
        self.environment = environment
        self.ports = ports
        self.declared = declared
        self.observed = observed
        self.restartCount = restartCount
        self.oomKilled = oomKilled
        self.replicas = replicas
        self.location = location
        self.classified = classified
    }
}

/// A local usage observation (docker stats): one or a few samples.
public struct ObservedSnapshot: Sendable, Hashable {
    /// CPU in cores.
    public var cpuCores: Double
    /// Memory in bytes.
    public var memoryBytes: Double
    /// How many samples were averaged.
    public var samples: Int
    /// Where it came from.
    public var source: String

    /// Creates an observation.
    public init(cpuCores: Double, memoryBytes: Double, samples: Int, source: String) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.samples = samples
        self.source = source
    }
}

/// What komply infers from features: image family, runtime, role and runtime flags.
public struct WorkloadTraits: Sendable, Hashable {
    /// The image's repository name without registry, path or tag (`postgres`, `payment-api`).
    public var family: String?
    /// The image tag (`15-alpine`), if any.
    public var version: String?
    /// `jvm`, `node`, `python`, `go`, `ruby`, `dotnet`, `php`, `nginx`, `redis`, `postgres`, … or nil.
    public var runtime: String?
    /// `web`, `api`, `worker`, `database`, `cache`, `queue`, `batch`.
    public var role: String
    /// JVM maximum heap (`-Xmx`) in bytes.
    public var jvmHeapBytes: Double?
    /// Where the heap flag was found (`JAVA_OPTS`, `command`).
    public var jvmHeapSource: String?
    /// JVM `-XX:MaxRAMPercentage`.
    public var jvmMaxRAMPercentage: Double?
    /// Node `--max-old-space-size` in bytes.
    public var nodeOldSpaceBytes: Double?
    /// Where the Node flag was found.
    public var nodeOldSpaceSource: String?
    /// `GOMAXPROCS`.
    public var goMaxProcs: Int?
    /// `GOMEMLIMIT` in bytes (the Go runtime's soft memory limit).
    public var goMemLimitBytes: Double?
    /// GPUs the container reserves (from the classification), nil for none.
    public var gpus: Int?
    /// Worker processes (gunicorn, uvicorn, celery, puma, WEB_CONCURRENCY).
    public var workers: Int?
    /// Where the worker count was found.
    public var workersSource: String?
    /// Runtime flags komply did not use because their number is not finite or beyond its physical bound
    /// (`GOMEMLIMIT=NaN in GOMEMLIMIT`), each as a phrase for a sizing warning.
    public var ignoredHints: [String] = []

    /// The traits of `features`.
    public static func of(_ features: WorkloadFeatures) -> WorkloadTraits {
        TraitReader(features: features).read()
    }

    /// Key/values stored with a deployment so later predictions can find similar services.
    public var featureMap: [String: String] {
        var map: [String: String] = ["role": role]
        map["family"] = family
        map["version"] = version
        map["runtime"] = runtime
        map["heap_bytes"] = jvmHeapBytes.map { String(Int64($0)) }
        map["node_old_space_bytes"] = nodeOldSpaceBytes.map { String(Int64($0)) }
        map["gomaxprocs"] = goMaxProcs.map(String.init)
        map["gomemlimit_bytes"] = goMemLimitBytes.map { String(Int64($0)) }
        map["workers"] = workers.map(String.init)
        return map
    }
}

private struct TraitReader {
    var features: WorkloadFeatures

    func read() -> WorkloadTraits {
        let (family, version) = Self.family(of: features.image)
        var traits = WorkloadTraits(family: family, version: version, runtime: nil, role: "api")
        let sources = flagSources()
        for (source, words) in sources {
            for (index, word) in words.enumerated() {
                if traits.jvmHeapBytes == nil, word.hasPrefix("-Xmx"), let bytes = Self.jvmSize(String(word.dropFirst(4))) {
                    if let bytes = bounded(bytes, .memoryBytes, word, source, &traits) {
                        traits.jvmHeapBytes = bytes
                        traits.jvmHeapSource = source
                    }
                }
                if traits.jvmMaxRAMPercentage == nil, word.hasPrefix("-XX:MaxRAMPercentage="),
                    let value = Double(word.dropFirst("-XX:MaxRAMPercentage=".count))
                {
                    traits.jvmMaxRAMPercentage = bounded(value, Self.percentage, word, source, &traits)
                }
                if traits.nodeOldSpaceBytes == nil, word.hasPrefix("--max-old-space-size="),
                    let mb = Double(word.dropFirst("--max-old-space-size=".count))
                {
                    if let bytes = bounded(mb * 1_048_576, .memoryBytes, word, source, &traits) {
                        traits.nodeOldSpaceBytes = bytes
                        traits.nodeOldSpaceSource = source
                    }
                }
                if traits.workers == nil, let count = Self.workerCount(words, index) {
                    guard let count = bounded(Double(count), .count, word, source, &traits).map({ Int($0) }) else { continue }
                    traits.workers = count
                    traits.workersSource = source
                }
            }
        }
        if let value = features.environment["GOMAXPROCS"] {
            if let procs = Int(value), procs > 0 {
                traits.goMaxProcs = bounded(Double(procs), .cpuCores, "GOMAXPROCS=\(value)", "GOMAXPROCS", &traits).map { Int($0) }
            } else if let procs = Double(value), !procs.isFinite || procs >= 9e18 {
                // Digits past Int's range, NaN or infinity: not a thread count; say so instead of ignoring it quietly.
                _ = bounded(procs, .cpuCores, "GOMAXPROCS=\(value)", "GOMAXPROCS", &traits)
            }
        }
        if let value = features.environment["GOMEMLIMIT"], let bytes = Self.goSize(value) {
            traits.goMemLimitBytes = bounded(bytes, .memoryBytes, "GOMEMLIMIT=\(value)", "GOMEMLIMIT", &traits)
        }
        if traits.workers == nil {
            for key in ["WEB_CONCURRENCY", "GUNICORN_WORKERS", "UVICORN_WORKERS", "PUMA_WORKERS", "CELERY_CONCURRENCY"] {
                if let value = features.environment[key], let n = Int(value), n > 0 {
                    guard let n = bounded(Double(n), .count, "\(key)=\(value)", key, &traits).map({ Int($0) }) else { break }
                    traits.workers = n
                    traits.workersSource = key
                    break
                }
            }
        }
        if let classified = features.classified {
            // One decision: the generator's classification (labels, explanation) is what sizing starts from.
            traits.family = classified.family ?? family
            traits.runtime = traits.family.flatMap { Priors.families[$0]?.runtime } ?? classified.runtime
            traits.role = classified.role
            traits.gpus = classified.gpus
            return traits
        }
        traits.runtime = runtime(family: family, traits: traits)
        traits.role = role(family: family, runtime: traits.runtime)
        return traits
    }

    /// A percentage flag (`MaxRAMPercentage`): 0 to 100 of the container's memory.
    static let percentage = NumberBound("a percentage", 0, 100)

    /// `value` when it is finite and within `bound`; otherwise nil, with `flag` (from `source`) recorded as ignored.
    func bounded(_ value: Double, _ bound: NumberBound, _ flag: String, _ source: String, _ traits: inout WorkloadTraits)
        -> Double?
    {
        do { return try BoundedNumber.check(value, bound) } catch {
            guard Self.flagSources.contains(source) else {
                // Flags are read from every variable; one that is not a runtime-options variable may be a
                // secret, so its value never reaches a warning: only the flag's name, the variable and the bound.
                let name = flag.prefix { $0 != "=" }.prefix(flag.hasPrefix("-Xmx") ? 4 : 40)
                traits.ignoredHints.append("\(name) (\(source)) outside \(bound.name) \(bound.rangeText), or not finite")
                return nil
            }
            let shown = flag.count > 80 ? String(flag.prefix(77)) + "..." : flag
            traits.ignoredHints.append("\(shown) (\(source)): \(error.localizedDescription)")
            return nil
        }
    }

    /// Where runtime flags are expected, so their values may be shown in warnings.
    static let flagSources: Set<String> = [
        "command", "GOMEMLIMIT", "GOMAXPROCS", "JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
        "CATALINA_OPTS", "NODE_OPTIONS", "WEB_CONCURRENCY", "GUNICORN_WORKERS", "UVICORN_WORKERS", "PUMA_WORKERS",
        "CELERY_CONCURRENCY",
    ]

    /// Words of the command and of every environment value, labelled by where they came from.
    func flagSources() -> [(String, [String])] {
        var sources: [(String, [String])] = [("command", features.command.flatMap { Self.words($0) })]
        for key in features.environment.keys.sorted() {
            sources.append((key, Self.words(features.environment[key]!)))
        }
        return sources
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map {
            String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
    }

    static func workerCount(_ words: [String], _ index: Int) -> Int? {
        let word = words[index]
        let program = words.first { ["gunicorn", "uvicorn", "celery", "puma", "hypercorn"].contains(($0 as NSString).lastPathComponent) }
        guard program != nil else { return nil }
        for flag in ["--workers", "--concurrency"] where word.hasPrefix(flag + "=") {
            return Int(word.dropFirst(flag.count + 1))
        }
        if ["-w", "--workers", "-c", "--concurrency"].contains(word), index + 1 < words.count,
            !(word == "-c" && (program! as NSString).lastPathComponent == "gunicorn")
        {
            return Int(words[index + 1])
        }
        return nil
    }

    /// A JVM size (`768m`, `2g`, `1048576`): k, m, g, t are powers of 1024.
    static func jvmSize(_ text: String) -> Double? {
        let lower = text.lowercased()
        let units: [Character: Double] = ["k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776]
        if let last = lower.last, let unit = units[last], let number = Double(lower.dropLast()) { return number * unit }
        return Double(lower)
    }

    /// A Go memory size (`900MiB`, `1GiB`, `536870912`): B, KiB, MiB, GiB, TiB.
    static func goSize(_ text: String) -> Double? {
        let units: [(String, Double)] = [("TiB", 1_099_511_627_776), ("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("B", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }

    static func family(of image: String?) -> (String?, String?) {
        guard var reference = image, !reference.isEmpty else { return (nil, nil) }
        if let at = reference.firstIndex(of: "@") { reference = String(reference[..<at]) }
        var tag: String?
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            tag = String(reference[reference.index(after: colon)...])
            reference = String(reference[..<colon])
        }
        let name = reference.split(separator: "/").last.map(String.init)
        return (name?.lowercased(), tag)
    }

    func runtime(family: String?, traits: WorkloadTraits) -> String? {
        let env = features.environment
        if let family, let known = Priors.families[family] { return known.runtime }
        // Whole words only: an image's path components and the command's programs (`prom/node-exporter` is not node).
        let components = Set(Self.imagePath(features.image))
        let programs = Set(features.command.flatMap { Self.words($0) }.map { ($0 as NSString).lastPathComponent.lowercased() })
        func named(_ images: Set<String>, _ commands: Set<String>) -> Bool {
            !components.isDisjoint(with: images) || !programs.isDisjoint(with: commands)
        }
        if traits.jvmHeapBytes != nil || traits.jvmMaxRAMPercentage != nil || env["JAVA_HOME"] != nil || env["JAVA_VERSION"] != nil
            || named(
                ["openjdk", "eclipse-temurin", "amazoncorretto", "ibmjava", "ibm-semeru-runtimes", "sapmachine", "tomcat", "jetty"],
                ["java"])
        {
            return "jvm"
        }
        if traits.nodeOldSpaceBytes != nil || env["NODE_ENV"] != nil || env["NODE_OPTIONS"] != nil || env["NODE_VERSION"] != nil
            || named(["node"], ["node", "npm", "npx", "yarn", "pnpm"])
        {
            return "node"
        }
        if env["PYTHONPATH"] != nil || env["PYTHON_VERSION"] != nil
            || named(
                ["python", "pypy"],
                ["python", "python3", "gunicorn", "uvicorn", "celery", "flask", "django-admin", "hypercorn", "daphne"])
        {
            return "python"
        }
        if traits.goMaxProcs != nil || env["GOMEMLIMIT"] != nil || env["GOGC"] != nil || named(["golang"], []) { return "go" }
        if named(["ruby"], ["ruby", "rails", "puma", "sidekiq", "bundle", "rake"]) { return "ruby" }
        if named(["dotnet", "aspnet"], ["dotnet"]) || env.keys.contains(where: { $0.hasPrefix("ASPNETCORE_") }) { return "dotnet" }
        if named(["php"], ["php", "php-fpm"]) { return "php" }
        return nil
    }

    /// The lowercased path components of an image's repository (`registry:5000/prom/node-exporter:v1` → registry:5000, prom, node-exporter).
    static func imagePath(_ image: String?) -> [String] {
        guard var reference = image?.lowercased(), !reference.isEmpty else { return [] }
        if let at = reference.firstIndex(of: "@") { reference = String(reference[..<at]) }
        var parts = reference.split(separator: "/").map(String.init)
        if let last = parts.popLast() { parts.append(String(last.split(separator: ":").first ?? Substring(last))) }
        return parts
    }

    func role(family: String?, runtime: String?) -> String {
        if let family, let known = Priors.families[family] { return known.role }
        // Whole words of the image's name and the command (`jobsearch-api` is no job, `workerman` no worker).
        let words = Set(
            (Self.imagePath(features.image).suffix(1)
                + features.command.flatMap { Self.words($0) }.map { ($0 as NSString).lastPathComponent })
                .flatMap { $0.lowercased().split(whereSeparator: { "-_.:".contains($0) }).map(String.init) })
        let command = features.command.joined(separator: " ")
        if !words.isDisjoint(with: ["worker", "celery", "sidekiq", "consumer"]) || command.contains("queue:work") { return "worker" }
        if !words.isDisjoint(with: ["migrate", "migration", "migrations", "batch", "cron", "job"]) { return "batch" }
        return features.ports.isEmpty ? "worker" : "api"
    }
}
