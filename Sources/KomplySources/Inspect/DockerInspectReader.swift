import Foundation
import KomplyCore

/// Reads `docker inspect` snapshots (a JSON array of Docker Engine API `ContainerInspectResponse` objects)
/// into compose projects whose `canonical()` form is what `docker compose config` prints for an
/// equivalent compose file.
///
/// Containers started by docker compose are grouped by their `com.docker.compose.project` label into one
/// project, one service per `com.docker.compose.service` label; several containers of one service become
/// `deploy.replicas`. Every other container becomes a project of its own, named after the container.
/// The snapshot records the effective configuration, so image defaults (the image's `CMD`, its `EXPOSE` ports
/// and labels) are kept: they are what ran; variables the image sets (`PATH`, `*_VERSION`…, see
/// `ImageBakedEnvironment`) are left out with an info notice naming them, as they come with the image. Settings
/// komply cannot express are reported as warnings in `ComposeProject.diagnostics`, never dropped silently.
public enum DockerInspectReader {
    /// The `x-komply.origin` of services read from a snapshot.
    public static let origin = "docker-inspect"

    /// True when the parsed documents look like `docker inspect` output.
    ///
    /// That is one JSON array of objects, each with "Config" and either "HostConfig" or "Id".
    public static func looksLikeInspect(_ documents: [Node]) -> Bool {
        guard documents.count == 1, let items = documents[0].sequence, !items.isEmpty else { return false }
        return items.allSatisfy { item in
            item.mapping != nil && item["Config"] != nil && (item["HostConfig"] != nil || item["Id"] != nil)
        }
    }

    /// Reads a snapshot into projects, sorted by name; `file` names the snapshot in messages and `sourceFiles`.
    ///
    /// One project per compose project label (`com.docker.compose.project`), its services named by
    /// `com.docker.compose.service`, several containers of one service counted as `deploy.replicas`; one
    /// single-service project per other container, project and service named after the container name
    /// without the leading "/".
    public static func read(_ documents: [Node], file: String) throws(SourcesError) -> [ComposeProject] {
        let items = try containerNodes(documents, file: file)
        var containers: [ContainerSnapshot] = []
        for (index, item) in items.enumerated() {
            containers.append(try ContainerSnapshot(InspectField(node: item, path: ""), index: index))
        }
        return group(containers, file: file)
    }
}

// MARK: - Typed access to the snapshot's JSON

/// A JSON value in a snapshot, with the path (`Config.Env`) that names it in messages.
///
/// Reads are strict: `docker inspect` and `docker stats` print typed JSON, so a string where a number
/// belongs means the file is not what it claims to be. JSON null reads as absent.
struct InspectField {
    /// The node holding the value.
    let node: Node
    /// Where the value sits in its container object, as messages name it.
    let path: String

    /// The node's position.
    var location: SourceLocation { node.location }

    /// The member `key` of this object; nil when the member is absent or null.
    func member(_ key: String) throws(SourcesError) -> InspectField? {
        for entry in try members() where entry.key == key {
            return entry.value.node.isNull ? nil : entry.value
        }
        return nil
    }

    /// The members of this object in file order, each with its key node.
    func members() throws(SourcesError) -> [(key: String, keyNode: Node, value: InspectField)] {
        guard let pairs = node.mapping else { throw mismatch("an object") }
        var result: [(key: String, keyNode: Node, value: InspectField)] = []
        for pair in pairs {
            let key = pair.key.scalar ?? pair.key.valueTree().compactJSON
            result.append((key, pair.key, InspectField(node: pair.value, path: Self.join(path, key))))
        }
        return result
    }

    /// The items of this array.
    func items() throws(SourcesError) -> [InspectField] {
        guard let items = node.sequence else { throw mismatch("an array") }
        return items.enumerated().map { InspectField(node: $1, path: "\(path)[\($0)]") }
    }

    /// A JSON string.
    func string() throws(SourcesError) -> String {
        guard case .string(let text)? = node.resolved() else { throw mismatch("a string") }
        // Secret markers are komply's own; a snapshot holding one could forge a Secret reference.
        guard !SecretTaint.holdsMarkerCharacter(text) else { throw .markerCharacter(location, variable: nil) }
        return text
    }

    /// A JSON string, nil when it is empty.
    func nonEmptyString() throws(SourcesError) -> String? {
        let text = try string()
        return text.isEmpty ? nil : text
    }

    /// A whole JSON number.
    func integer() throws(SourcesError) -> Int {
        switch node.resolved() {
        case .int(let value)?: return value
        case .float(let value)? where value == value.rounded() && abs(value) < 9e18: return Int(value)
        default: throw mismatch("an integer")
        }
    }

    /// A whole JSON number within `bound`; NaN, infinities and values beyond it are refused at this field.
    func integer(within bound: NumberBound) throws(SourcesError) -> Int {
        if case .float(let value)? = node.resolved(), value == value.rounded() || !value.isFinite, !(abs(value) < 9e18) {
            throw outOfBounds(.numberOutOfBounds(NumberBound.text(value), bound: bound.name, range: bound.rangeText))
        }
        let value = try integer()
        do { return try BoundedNumber.check(value, bound) } catch { throw outOfBounds(error) }
    }

    /// The error for a number of this field that `BoundedNumber` refused.
    func outOfBounds(_ error: CoreError) -> SourcesError {
        .malformed(location, message: "\(path) \(error.localizedDescription)")
    }

    /// A JSON number.
    func number() throws(SourcesError) -> Double {
        switch node.resolved() {
        case .int(let value)?: return Double(value)
        case .float(let value)?: return value
        default: throw mismatch("a number")
        }
    }

    /// A JSON boolean.
    func bool() throws(SourcesError) -> Bool {
        guard case .bool(let value)? = node.resolved() else { throw mismatch("a boolean") }
        return value
    }

    /// An array of strings (docker prints null for an empty one).
    func strings() throws(SourcesError) -> [String] {
        guard !node.isNull else { return [] }
        guard node.sequence != nil else { throw mismatch("an array of strings") }
        var result: [String] = []
        for item in try items() { result.append(try item.string()) }
        return result
    }

    /// An object whose values are strings.
    func stringMap() throws(SourcesError) -> [String: String] {
        guard !node.isNull else { return [:] }
        guard node.mapping != nil else { throw mismatch("an object of strings") }
        var result: [String: String] = [:]
        for entry in try members() { result[entry.key] = try entry.value.string() }
        return result
    }

    /// The `invalid` error for this value.
    func mismatch(_ expected: String) -> SourcesError {
        .invalid(location, key: path, expected: expected, found: Self.describe(node))
    }

    /// True when the value says something (not null, zero, false, empty, or made only of those).
    var isMeaningful: Bool {
        switch node.content {
        case .sequence(let items): return items.contains { InspectField(node: $0, path: path).isMeaningful }
        case .mapping(let pairs): return !pairs.isEmpty
        case .scalar:
            switch node.resolved() {
            case .null?, nil: return false
            case .bool(let value)?: return value
            case .int(let value)?: return value != 0
            case .float(let value)?: return value != 0
            case .string(let text)?: return !text.isEmpty
            }
        }
    }

    /// The value as one line of JSON, shortened for messages.
    var excerpt: String {
        let json = node.valueTree().compactJSON
        return json.count > 80 ? String(json.prefix(77)) + "..." : json
    }

    /// What a node holds, in JSON words, for "found …" in messages.
    static func describe(_ node: Node) -> String {
        switch node.content {
        case .sequence: return "an array"
        case .mapping: return "an object"
        case .scalar(let text, _):
            switch node.resolved() {
            case .null?: return "null"
            case .bool(let value)?: return "the boolean \(value)"
            case .int?, .float?: return "the number \(text)"
            case .string?, nil:
                let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
                return "the string \(JSONEmitter.quote(shown))"
            }
        }
    }

    /// `Config.Env`, or `Config.Labels["com.docker.compose.project"]` for keys that are not identifiers.
    static func join(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if !plain { return "\(path)[\(JSONEmitter.quote(key))]" }
        return path.isEmpty ? key : "\(path).\(key)"
    }
}

// MARK: - One container

/// One container of the snapshot, read into a service plus the top-level entries it refers to.
private struct ContainerSnapshot {
    /// The container name without the leading "/".
    var name: String
    /// The full container id ("" when the snapshot has none).
    var id: String
    /// The compose project label, if docker compose started the container.
    var project: String?
    /// The compose container number (`com.docker.compose.container-number`).
    var number: Int?
    /// The service as this container alone describes it.
    var service: ComposeService
    /// Top-level networks, volumes and secrets the service refers to.
    var networks: [String: ValueTree] = [:]
    var volumes: [String: ValueTree] = [:]
    var secrets: [String: ValueTree] = [:]
    /// Warnings and notes about this container.
    var diagnostics: [Diagnostic] = []
    /// The container object's position.
    var location: SourceLocation

    /// Reads the container object `root`, the `index`th of the snapshot.
    init(_ root: InspectField, index: Int) throws(SourcesError) {
        location = root.location
        guard let config = try root.member("Config") else {
            throw .malformed(
                root.location,
                message: "container object has no \"Config\"; expected docker inspect output of a container")
        }
        let hostConfig = try root.member("HostConfig")
        if hostConfig == nil, try root.member("RepoTags") != nil {
            throw .invalid(
                root.location, key: "[\(index)]", expected: "a container object (docker inspect of a container)",
                found: "an image object (docker image inspect)")
        }
        id = try root.member("Id")?.string() ?? ""
        let rawName = try root.member("Name")?.string() ?? ""
        let trimmed = rawName.hasPrefix("/") ? String(rawName.dropFirst()) : rawName
        guard let containerName = trimmed.isEmpty ? (id.isEmpty ? nil : String(id.prefix(12))) : trimmed else {
            throw .malformed(
                root.location,
                message: "container object has neither \"Name\" nor \"Id\"; expected docker inspect output")
        }
        name = containerName

        let labelsField = try config.member("Labels")
        let labels = try labelsField?.stringMap() ?? [:]
        project = labels[ComposeLabel.project].flatMap { $0.isEmpty ? nil : $0 }
        number = labels[ComposeLabel.containerNumber].flatMap { Int($0) }
        var serviceName = name
        if project != nil {
            if let label = labels[ComposeLabel.service], !label.isEmpty {
                serviceName = label
            } else {
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        "container \"\(name)\" has a compose project label but no "
                            + "\(ComposeLabel.service) label; its service is named after the container", at: root.location))
            }
        }
        service = ComposeService(name: serviceName)
        service.labels = labels.filter { !$0.key.hasPrefix(ComposeLabel.prefix) }
        service.komply = KomplyServiceInfo(source: root.location, origin: DockerInspectReader.origin, containers: [name])

        try readConfig(config)
        if let hostConfig { try readHostConfig(hostConfig) }
        if let mode = service.networkMode, mode == "host" || mode.hasPrefix("container:") {
            // The container then shares the host's or the other container's name; it did not choose one.
            service.hostname = nil
        }
        try readPorts(hostConfig: hostConfig, config: config)
        try readMounts(root.member("Mounts"))
        try readNetworks(root.member("NetworkSettings"))
        if let labelsField, let dependencies = try labelsField.member(ComposeLabel.dependsOn) {
            try readDependsOn(dependencies)
        }
        try readRuntime(root)
    }
}

/// The labels docker compose puts on the containers it creates.
private enum ComposeLabel {
    static let prefix = "com.docker.compose."
    static let project = "com.docker.compose.project"
    static let service = "com.docker.compose.service"
    static let containerNumber = "com.docker.compose.container-number"
    static let dependsOn = "com.docker.compose.depends_on"
}

private extension ContainerSnapshot {
    /// How a simple HostConfig or Config member prints under its compose key.
    enum Shape {
        /// An array of strings, kept when non-empty.
        case strings
        /// An object of strings, printed with sorted keys when non-empty.
        case stringMap
        /// A string, kept unless it is one of the defaults.
        case text(defaults: Set<String>)
        /// An integer, kept when non-zero.
        case integer
        /// A boolean, kept only when true.
        case flag
        /// A byte count, printed as a string like compose's `UnitBytes`, kept unless zero or `default`.
        case bytes(default: Int)
    }

    /// HostConfig members that map one-to-one onto a compose key in `service.other`.
    static let hostConfigKeys: [(key: String, compose: String, shape: Shape)] = [
        ("Dns", "dns", .strings), ("DnsOptions", "dns_opt", .strings), ("DnsSearch", "dns_search", .strings),
        ("SecurityOpt", "security_opt", .strings), ("GroupAdd", "group_add", .strings),
        ("DeviceCgroupRules", "device_cgroup_rules", .strings),
        ("Sysctls", "sysctls", .stringMap), ("StorageOpt", "storage_opt", .stringMap),
        ("Annotations", "annotations", .stringMap),
        ("PidMode", "pid", .text(defaults: [""])), ("IpcMode", "ipc", .text(defaults: ["", "private", "shareable"])),
        ("UTSMode", "uts", .text(defaults: [""])), ("UsernsMode", "userns_mode", .text(defaults: [""])),
        ("CgroupParent", "cgroup_parent", .text(defaults: [""])), ("Runtime", "runtime", .text(defaults: ["", "runc"])),
        ("Isolation", "isolation", .text(defaults: ["", "default"])), ("VolumeDriver", "volume_driver", .text(defaults: [""])),
        ("CpusetCpus", "cpuset", .text(defaults: [""])),
        ("CpuShares", "cpu_shares", .integer), ("OomScoreAdj", "oom_score_adj", .integer),
        ("CpuRealtimePeriod", "cpu_rt_period", .integer), ("CpuRealtimeRuntime", "cpu_rt_runtime", .integer),
        ("CpuCount", "cpu_count", .integer), ("CpuPercent", "cpu_percent", .integer),
        ("Init", "init", .flag), ("OomKillDisable", "oom_kill_disable", .flag),
        // Docker's default /dev/shm is 64 MiB.
        ("ShmSize", "shm_size", .bytes(default: 64 << 20)),
    ]

    /// HostConfig members read by dedicated code below.
    static let hostConfigHandled: Set<String> = [
        "NetworkMode", "PortBindings", "RestartPolicy", "CapAdd", "CapDrop", "Privileged", "ReadonlyRootfs", "Tmpfs",
        "Memory", "NanoCpus", "CpuQuota", "CpuPeriod", "MemoryReservation", "MemorySwap", "MemorySwappiness",
        "PidsLimit", "Ulimits", "DeviceRequests", "Devices", "ExtraHosts", "LogConfig", "VolumesFrom",
    ]

    /// HostConfig members that only repeat other members or hold engine defaults with no compose meaning.
    static let hostConfigIgnored: Set<String> = [
        "Binds", "Mounts",  // the top-level Mounts array is authoritative
        "ContainerIDFile", "AutoRemove", "ConsoleSize", "MaskedPaths", "ReadonlyPaths", "CgroupnsMode",
    ]

    /// Config members that map one-to-one onto a compose key in `service.other`.
    static let configKeys: [(key: String, compose: String, shape: Shape)] = [
        ("Domainname", "domainname", .text(defaults: [""])), ("Tty", "tty", .flag), ("OpenStdin", "stdin_open", .flag),
        ("MacAddress", "mac_address", .text(defaults: [""])),
    ]

    /// Config members read by dedicated code, or that only repeat what the image or other members say.
    static let configHandledOrIgnored: Set<String> = [
        "Hostname", "User", "ExposedPorts", "Env", "Cmd", "Image", "WorkingDir", "Entrypoint", "Labels", "Healthcheck",
        "StopSignal", "StopTimeout",
        "AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce", "ArgsEscaped", "Volumes", "OnBuild", "Shell",
    ]

    // MARK: Config

    mutating func readConfig(_ config: InspectField) throws(SourcesError) {
        service.image = try config.member("Image")?.nonEmptyString()
        if let entrypoint = try config.member("Entrypoint") { service.entrypoint = try entrypoint.strings() }
        if let command = try config.member("Cmd") { service.command = try command.strings() }
        for entry in try config.member("Env")?.strings() ?? [] {
            if let equals = entry.firstIndex(of: "=") {
                service.environment[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            } else {
                service.environment[entry] = .some(nil)
            }
        }
        let baked = ImageBakedEnvironment.names(in: service.environment, image: service.image)
        if !baked.isEmpty, let field = try config.member("Env") {
            for name in baked { service.environment.removeValue(forKey: name) }
            // Names only: a value could be a secret.
            diagnostics.append(
                Diagnostic(
                    .info,
                    "container \"\(name)\": \(baked.count) variables of Config.Env come with image \(service.image ?? "")"
                        + " and are left out: \(baked.joined(separator: ", "))", at: field.location))
        }
        service.user = try config.member("User")?.nonEmptyString()
        service.workingDir = try config.member("WorkingDir")?.nonEmptyString()
        service.stopSignal = try config.member("StopSignal")?.nonEmptyString()
        if let field = try config.member("StopTimeout"), try field.integer() == -1 {
            // `--stop-timeout -1` asks docker to wait forever, which Kubernetes cannot express.
            diagnostics.append(
                Diagnostic(
                    .warning,
                    "container \"\(name)\" sets Config.StopTimeout -1 (wait forever); Kubernetes has no such grace "
                        + "period, so komply leaves it at Kubernetes' default (30 s)", at: field.location))
        } else if let timeout = try config.member("StopTimeout")?.integer(within: .seconds) {
            service.stopGracePeriod = ComposeDuration(nanoseconds: Int64(timeout) * 1_000_000_000)
        }
        // Docker names a container's host after the first 12 characters of its id unless told otherwise.
        if let hostname = try config.member("Hostname")?.nonEmptyString(), hostname != String(id.prefix(12)) {
            service.hostname = hostname
        }
        if let healthcheck = try config.member("Healthcheck") { service.healthcheck = try readHealthcheck(healthcheck) }
        try readSimple(config, Self.configKeys)
        try warnUnmapped(config, known: Self.configHandledOrIgnored.union(Self.configKeys.map(\.key)))
    }

    func readHealthcheck(_ field: InspectField) throws(SourcesError) -> Healthcheck? {
        var check = Healthcheck()
        let test = try field.member("Test")?.strings() ?? []
        if test == ["NONE"] {
            // `docker run --no-healthcheck` and compose's `disable: true` both record ["NONE"].
            check.disable = true
        } else if !test.isEmpty {
            check.test = test
        }
        func duration(_ key: String) throws(SourcesError) -> ComposeDuration? {
            // Nanoseconds, as the engine records them; the bound is Kubernetes' 2^31 - 1 seconds.
            guard let field = try field.member(key) else { return nil }
            let value = try field.integer()
            guard value != 0 else { return nil }
            guard value > 0, Double(value) / 1e9 <= NumberBound.seconds.highest else {
                throw field.outOfBounds(
                    .numberOutOfBounds(
                        "\(value) ns", bound: "a duration in seconds", range: NumberBound.seconds.rangeText))
            }
            return ComposeDuration(nanoseconds: Int64(value))
        }
        check.interval = try duration("Interval")
        check.timeout = try duration("Timeout")
        check.startPeriod = try duration("StartPeriod")
        check.startInterval = try duration("StartInterval")
        if let retries = try field.member("Retries")?.integer(within: .count), retries != 0 { check.retries = retries }
        return check == Healthcheck() ? nil : check
    }

    // MARK: HostConfig

    mutating func readHostConfig(_ host: InspectField) throws(SourcesError) {
        if let policy = try host.member("RestartPolicy") {
            let name = try policy.member("Name")?.string() ?? ""
            let retries = try policy.member("MaximumRetryCount")?.integer(within: .count) ?? 0
            switch name {
            case "", "no": break
            case "on-failure" where retries > 0: service.restart = "on-failure:\(retries)"
            default: service.restart = name
            }
        }
        service.capAdd = try host.member("CapAdd")?.strings() ?? []
        service.capDrop = try host.member("CapDrop")?.strings() ?? []
        if try host.member("Privileged")?.bool() == true { service.privileged = true }
        if try host.member("ReadonlyRootfs")?.bool() == true { service.readOnly = true }
        if let mode = try host.member("NetworkMode")?.string(),
            mode == "host" || mode == "none" || mode.hasPrefix("container:")
        {
            service.networkMode = mode
        }
        for (path, options) in try host.member("Tmpfs")?.stringMap() ?? [:] {
            service.tmpfs.append(options.isEmpty ? path : "\(path):\(options)")
        }
        service.tmpfs.sort()
        if let ulimits = try host.member("Ulimits") {
            for item in try ulimits.items() {
                let name = try item.member("Name")?.string() ?? ""
                guard !name.isEmpty else { throw item.mismatch("an object with a \"Name\"") }
                let soft = try item.member("Soft")?.integer() ?? 0
                let hard = try item.member("Hard")?.integer() ?? 0
                service.ulimits[name] = Ulimit(soft: soft, hard: hard, single: soft == hard)
            }
        }
        try readResources(host)
        try readDevices(host)
        if let hosts = try host.member("ExtraHosts")?.strings(), !hosts.isEmpty {
            // The engine takes "host:ip"; compose prints "host=ip" so IPv6 addresses stay readable.
            let entries = hosts.map { entry -> String in
                guard !entry.contains("="), let colon = entry.firstIndex(of: ":") else { return entry }
                return String(entry[..<colon]) + "=" + String(entry[entry.index(after: colon)...])
            }
            service.other["extra_hosts"] = .array(entries.sorted().map(ValueTree.string))
        }
        if let log = try host.member("LogConfig") {
            let driver = try log.member("Type")?.string() ?? ""
            let options = try log.member("Config")?.stringMap() ?? [:]
            if !(driver == "" || driver == "json-file") || !options.isEmpty {
                service.other["logging"] = .members([
                    ("driver", driver.isEmpty ? nil : .string(driver)),
                    ("options", options.isEmpty ? nil : .sortedObject(options.mapValues(ValueTree.string))),
                ])
            }
        }
        if let from = try host.member("VolumesFrom")?.strings(), !from.isEmpty {
            service.other["volumes_from"] = .array(from.map { .string("container:" + $0) })
        }
        try readSimple(host, Self.hostConfigKeys)
        try warnUnmapped(host, known: Self.hostConfigHandled.union(Self.hostConfigIgnored).union(Self.hostConfigKeys.map(\.key)))
    }

    mutating func readResources(_ host: InspectField) throws(SourcesError) {
        var limits = ResourceSpec()
        var reservations = ResourceSpec()
        let memory = try host.member("Memory")?.integer(within: .memoryBytes) ?? 0
        if memory > 0 { limits.memoryBytes = Int64(memory) }
        let nanoField = try host.member("NanoCpus")
        let nanoCPUs = try nanoField?.integer() ?? 0
        let quotaField = try host.member("CpuQuota")
        let quota = try quotaField?.integer() ?? 0
        let period = try host.member("CpuPeriod")?.integer() ?? 0
        if nanoCPUs > 0, let nanoField {
            do { limits.cpus = try BoundedNumber.quotient(Double(nanoCPUs), 1e9, .cpuCores) } catch {
                throw nanoField.outOfBounds(error)
            }
        } else if quota > 0, let quotaField {
            // The CFS period defaults to 100ms.
            do {
                limits.cpus = try BoundedNumber.quotient(Double(quota), Double(period > 0 ? period : 100_000), .cpuCores)
            } catch {
                throw quotaField.outOfBounds(error)
            }
        } else if period > 0 {
            service.other["cpu_period"] = .int(period)
        }
        let reservation = try host.member("MemoryReservation")?.integer(within: .memoryBytes) ?? 0
        if reservation > 0 { reservations.memoryBytes = Int64(reservation) }
        let pids = try host.member("PidsLimit")?.integer() ?? 0
        if pids > 0 { limits.pids = pids }
        if let requests = try host.member("DeviceRequests") {
            for item in try requests.items() { reservations.devices.append(try readDeviceRequest(item)) }
        }
        let swap = try host.member("MemorySwap")?.integer() ?? 0
        // Without --memory-swap the engine records twice the memory limit; only other values were asked for.
        if swap != 0, !(memory > 0 && swap.isMultiple(of: 2) && swap / 2 == memory) {
            service.other["memswap_limit"] = .string(String(swap))
        }
        if let swappiness = try host.member("MemorySwappiness")?.integer(), swappiness >= 0 {
            service.other["mem_swappiness"] = .string(String(swappiness))
        }
        let hasLimits = limits != ResourceSpec()
        let hasReservations = reservations != ResourceSpec()
        if hasLimits || hasReservations {
            service.deploy = Deploy(limits: hasLimits ? limits : nil, reservations: hasReservations ? reservations : nil)
        }
    }

    mutating func readDeviceRequest(_ item: InspectField) throws(SourcesError) -> DeviceRequest {
        var capabilities: [String] = []
        if let sets = try item.member("Capabilities") {
            let alternatives = try sets.items()
            for alternative in alternatives {
                for capability in try alternative.strings() where !capabilities.contains(capability) {
                    capabilities.append(capability)
                }
            }
            if alternatives.count > 1 {
                // Compose writes one capability set; the engine's alternatives have no compose form.
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        "device request of container \"\(name)\" lists "
                            + "\(alternatives.count) alternative capability sets; komply merged them into one", at: sets.location))
            }
        }
        let ids = try item.member("DeviceIDs")?.strings() ?? []
        let count = try item.member("Count")?.integer() ?? 0
        return DeviceRequest(
            capabilities: capabilities, driver: try item.member("Driver")?.nonEmptyString(),
            count: ids.isEmpty && count != 0 ? count : nil, deviceIDs: ids,
            options: try item.member("Options")?.stringMap() ?? [:])
    }

    mutating func readDevices(_ host: InspectField) throws(SourcesError) {
        guard let devices = try host.member("Devices") else { return }
        var mapped: [ValueTree] = []
        for item in try devices.items() {
            mapped.append(
                .members([
                    ("source", try item.member("PathOnHost")?.nonEmptyString().map(ValueTree.string)),
                    ("target", try item.member("PathInContainer")?.nonEmptyString().map(ValueTree.string)),
                    ("permissions", try item.member("CgroupPermissions")?.nonEmptyString().map(ValueTree.string)),
                ]))
        }
        if !mapped.isEmpty { service.other["devices"] = .array(mapped) }
    }

    /// Copies the one-to-one members of `field` into `service.other`.
    mutating func readSimple(
        _ field: InspectField,
        _ table: [(key: String, compose: String, shape: Shape)]
    ) throws(SourcesError) {
        for (key, compose, shape) in table {
            guard let value = try field.member(key) else { continue }
            switch shape {
            case .strings:
                let list = try value.strings()
                if !list.isEmpty { service.other[compose] = .array(list.map(ValueTree.string)) }
            case .stringMap:
                let map = try value.stringMap()
                if !map.isEmpty { service.other[compose] = .sortedObject(map.mapValues(ValueTree.string)) }
            case .text(let defaults):
                let text = try value.string()
                if !defaults.contains(text) { service.other[compose] = .string(text) }
            case .integer:
                let number = try value.integer()
                if number != 0 { service.other[compose] = .int(number) }
            case .flag:
                if try value.bool() { service.other[compose] = .bool(true) }
            case .bytes(let standard):
                let bytes = try value.integer()
                if bytes != 0, bytes != standard { service.other[compose] = .string(String(bytes)) }
            }
        }
    }

    /// Warns about members of `field` that are set but that komply neither maps nor knows to be irrelevant.
    mutating func warnUnmapped(_ field: InspectField, known: Set<String>) throws(SourcesError) {
        for entry in try field.members() where !known.contains(entry.key) && entry.value.isMeaningful {
            diagnostics.append(
                Diagnostic(
                    .warning,
                    "\(entry.value.path) of container \"\(name)\" is set to "
                        + "\(entry.value.excerpt), which komply does not map; it is ignored", at: entry.value.location))
        }
    }

    // MARK: Ports

    mutating func readPorts(hostConfig: InspectField?, config: InspectField) throws(SourcesError) {
        var published: Set<String> = []
        if let bindings = try hostConfig?.member("PortBindings") {
            for entry in try bindings.members() {
                let (port, proto) = try Self.portKey(entry.key, at: entry.keyNode, path: bindings.path)
                guard !entry.value.node.isNull else { continue }
                let hostPorts = try entry.value.items()
                if !hostPorts.isEmpty { published.insert("\(port)/\(proto)") }
                for binding in hostPorts {
                    service.ports.append(
                        PortMapping(
                            target: port, published: try binding.member("HostPort")?.nonEmptyString(), protocol: proto,
                            hostIP: try binding.member("HostIp")?.nonEmptyString()))
                }
            }
        }
        service.ports.sort {
            ($0.target, $0.protocol, $0.hostIP ?? "", $0.published ?? "")
                < ($1.target, $1.protocol, $1.hostIP ?? "", $1.published ?? "")
        }
        var exposed: [(Int, String)] = []
        if let ports = try config.member("ExposedPorts") {
            for entry in try ports.members() {
                let (port, proto) = try Self.portKey(entry.key, at: entry.keyNode, path: ports.path)
                if !published.contains("\(port)/\(proto)") { exposed.append((port, proto)) }
            }
        }
        exposed.sort { $0 < $1 }
        service.expose = exposed.compactMap { PortRange(start: $0, protocol: $1) }
    }

    /// Splits `"8080/tcp"` into its port and protocol.
    static func portKey(_ key: String, at node: Node, path: String) throws(SourcesError) -> (Int, String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let port = Int(parts[0]), (0...65535).contains(port) else {
            throw .invalid(
                node.location, key: path, expected: "keys of the form \"PORT/PROTOCOL\" (e.g. \"8080/tcp\")",
                found: "the key \(JSONEmitter.quote(key))")
        }
        return (port, parts.count == 2 ? String(parts[1]) : "tcp")
    }

    // MARK: Mounts

    mutating func readMounts(_ mounts: InspectField?) throws(SourcesError) {
        guard let mounts else { return }
        let tmpfsTargets = Set(service.tmpfs.map { $0.split(separator: ":", maxSplits: 1).first.map(String.init) ?? $0 })
        for item in try mounts.items() {
            guard let type = try item.member("Type")?.nonEmptyString() else { throw item.mismatch("a mount with a \"Type\"") }
            guard let target = try item.member("Destination")?.nonEmptyString() else {
                throw item.mismatch("a mount with a \"Destination\"")
            }
            let readOnly = try item.member("RW")?.bool() == false
            let mode = try item.member("Mode")?.string() ?? ""
            switch type {
            case "bind":
                let source = try item.member("Source")?.nonEmptyString()
                var bind: [ValueTree.Member] = []
                // Docker's "z"/"Z" relabel the content for SELinux; "rprivate" is the default propagation.
                if let selinux = mode.split(separator: ",").first(where: { $0 == "z" || $0 == "Z" }) {
                    bind.append(.init(key: "selinux", value: .string(String(selinux))))
                }
                if let propagation = try item.member("Propagation")?.nonEmptyString(), propagation != "rprivate" {
                    bind.append(.init(key: "propagation", value: .string(propagation)))
                }
                service.volumes.append(
                    VolumeMount(
                        type: type, source: source, target: target, readOnly: readOnly,
                        options: ["bind": .object(bind)]))
                if target.hasPrefix(Self.secretsDirectory), let source { addSecret(source: source, target: target, at: item) }
            case "volume":
                let volumeName = try item.member("Name")?.nonEmptyString()
                var source: String?
                if let volumeName, !Self.isAnonymous(volumeName) {
                    let key = projectKey(volumeName)
                    source = key
                    var definition: [(String, ValueTree?)] = [("name", .string(volumeName))]
                    if let driver = try item.member("Driver")?.nonEmptyString(), driver != "local" {
                        definition.append(("driver", .string(driver)))
                    }
                    if key == volumeName { definition.append(("external", .bool(true))) }
                    volumes[key] = .members(definition)
                }
                service.volumes.append(
                    VolumeMount(
                        type: type, source: source, target: target, readOnly: readOnly,
                        options: ["volume": .object([])]))
            case "tmpfs":
                // HostConfig.Tmpfs entries already became `tmpfs`.
                if !tmpfsTargets.contains(target) {
                    service.volumes.append(VolumeMount(type: type, source: nil, target: target, readOnly: readOnly))
                }
            default:
                var source = try item.member("Source")?.nonEmptyString()
                if source == nil { source = try item.member("Name")?.nonEmptyString() }
                service.volumes.append(VolumeMount(type: type, source: source, target: target, readOnly: readOnly))
            }
        }
        service.volumes.sort { ($0.target, $0.type) < ($1.target, $1.type) }
    }

    /// Where compose mounts secrets.
    static let secretsDirectory = "/run/secrets/"

    /// Records a bind mount under /run/secrets/ as the compose secret it most likely was.
    mutating func addSecret(source: String, target: String, at item: InspectField) {
        let secretName = String(target.dropFirst(Self.secretsDirectory.count))
        guard !secretName.isEmpty, !secretName.contains("/") else { return }
        secrets[secretName] = .members([("file", .string(source))])
        service.secrets.append(FileReference(source: secretName))
        diagnostics.append(
            Diagnostic(
                .info,
                "bind mount \(source) at \(target) of container \"\(name)\" is read as "
                    + "secret \"\(secretName)\" and kept as a bind mount too", at: item.location))
    }

    /// Volume names docker generates for anonymous volumes are 64 hex digits.
    static func isAnonymous(_ volume: String) -> Bool {
        volume.count == 64 && volume.allSatisfy(\.isHexDigit)
    }

    /// The compose key of a volume or network: the name without the `<project>_` prefix compose adds.
    func projectKey(_ fullName: String) -> String {
        guard let project, fullName.hasPrefix(project + "_"), fullName.count > project.count + 1 else { return fullName }
        return String(fullName.dropFirst(project.count + 1))
    }

    // MARK: Networks, dependencies, runtime

    mutating func readNetworks(_ settings: InspectField?) throws(SourcesError) {
        guard service.networkMode == nil, let attached = try settings?.member("Networks") else { return }
        let defaultAliases: Set<String> = [service.name, name, String(id.prefix(12)), service.hostname ?? ""]
        for entry in try attached.members() {
            // Docker's built-in networks are not compose networks; the default bridge is what compose replaces.
            guard !["bridge", "host", "none"].contains(entry.key) else { continue }
            let key = projectKey(entry.key)
            let endpoint = entry.value
            var options: [(String, ValueTree?)] = []
            if endpoint.node.mapping != nil {
                let aliases = try endpoint.member("Aliases")?.strings().filter { !defaultAliases.contains($0) } ?? []
                if !aliases.isEmpty { options.append(("aliases", .array(Set(aliases).sorted().map(ValueTree.string)))) }
                if let ipam = try endpoint.member("IPAMConfig") {
                    options.append(("ipv4_address", try ipam.member("IPv4Address")?.nonEmptyString().map(ValueTree.string)))
                    options.append(("ipv6_address", try ipam.member("IPv6Address")?.nonEmptyString().map(ValueTree.string)))
                }
            }
            let config = ValueTree.members(options)
            service.networks[key] = config.isEmptyCollection ? .some(nil) : config
            networks[key] =
                key == entry.key
                ? .members([("name", .string(entry.key)), ("external", .bool(true))])
                : .members([("name", .string(entry.key))])
        }
    }

    /// Parses compose's `service:condition:restart,…` label (older compose versions write bare service names).
    mutating func readDependsOn(_ label: InspectField) throws(SourcesError) {
        for entry in try label.string().split(separator: ",") {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard let dependency = parts.first, !dependency.isEmpty else { continue }
            let condition = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : "service_started"
            let restart = parts.count > 2 && parts[2] == "true"
            // Compose prints `restart` only when true; the label does not record `required`, which defaults to true.
            service.dependsOn[String(dependency)] = Dependency(condition: condition, restart: restart ? true : nil)
        }
    }

    mutating func readRuntime(_ root: InspectField) throws(SourcesError) {
        let state = try root.member("State")
        service.komply.runtime = RuntimeState(
            status: try state?.member("Status")?.nonEmptyString(),
            restartCount: try root.member("RestartCount")?.integer(within: .count) ?? 0,
            oomKilled: try state?.member("OOMKilled")?.bool() ?? false,
            exitCode: try state?.member("ExitCode")?.integer())
    }
}

// MARK: - Grouping containers into projects

private extension DockerInspectReader {
    /// The container objects of the one JSON array the snapshot must be.
    static func containerNodes(_ documents: [Node], file: String) throws(SourcesError) -> [Node] {
        let expected = "a JSON array of container objects, as docker inspect prints"
        guard let root = documents.first else {
            throw .invalid(SourceLocation(file: file), key: "document", expected: expected, found: "an empty file")
        }
        guard documents.count == 1 else {
            throw .invalid(documents[1].location, key: "document", expected: expected, found: "a second document")
        }
        guard let items = root.sequence else {
            throw .invalid(root.location, key: "document", expected: expected, found: InspectField.describe(root))
        }
        for (index, item) in items.enumerated() where item.mapping == nil {
            throw .invalid(item.location, key: "[\(index)]", expected: "a container object", found: InspectField.describe(item))
        }
        return items
    }

    static func group(_ containers: [ContainerSnapshot], file: String) -> [ComposeProject] {
        var projects: [ComposeProject] = []
        var composeOrder: [String] = []
        var composeMembers: [String: [ContainerSnapshot]] = [:]
        for container in containers {
            guard let projectName = container.project else {
                projects.append(project(named: container.name, from: [container], file: file))
                continue
            }
            if composeMembers[projectName] == nil { composeOrder.append(projectName) }
            composeMembers[projectName, default: []].append(container)
        }
        for name in composeOrder { projects.append(project(named: name, from: composeMembers[name]!, file: file)) }
        return projects.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
    }

    static func project(named name: String, from containers: [ContainerSnapshot], file: String) -> ComposeProject {
        var result = ComposeProject(name: name, sourceFiles: [file])
        var byService: [String: [ContainerSnapshot]] = [:]
        for container in containers { byService[container.service.name, default: []].append(container) }
        for serviceName in byService.keys.sorted() {
            let replicas = byService[serviceName]!.sorted { ($0.number ?? .max, $0.name) < ($1.number ?? .max, $1.name) }
            result.services.append(service(from: replicas, into: &result))
        }
        resolveReferences(&result, containers: containers)
        SecretScrubber.scrub(&result)
        return result
    }

    /// One service from the containers that run it; the first (lowest container number) describes it.
    static func service(from replicas: [ContainerSnapshot], into project: inout ComposeProject) -> ComposeService {
        let primary = replicas[0]
        var service = primary.service
        for container in replicas {
            project.diagnostics += container.diagnostics
            project.diagnostics += merge(container.networks, into: &project.networks, kind: "network", from: container)
            project.diagnostics += merge(container.volumes, into: &project.volumes, kind: "volume", from: container)
            project.diagnostics += merge(container.secrets, into: &project.secrets, kind: "secret", from: container)
        }
        guard replicas.count > 1 else { return service }
        for replica in replicas.dropFirst() {
            let keys = differingKeys(replica.service, primary.service)
            guard !keys.isEmpty else { continue }
            project.diagnostics.append(
                Diagnostic(
                    .warning,
                    "container \"\(replica.name)\" of service \"\(service.name)\" "
                        + "differs from \"\(primary.name)\" in \(keys.joined(separator: ", ")); "
                        + "komply read the service from \"\(primary.name)\"",
                    at: replica.location))
        }
        var deploy = service.deploy ?? Deploy()
        deploy.replicas = replicas.count
        service.deploy = deploy
        service.komply.containers = replicas.map(\.name)
        // Replicas share one runtime summary: restarts add up, and the least healthy state is the one reported.
        let states = replicas.compactMap(\.service.komply.runtime)
        if let first = states.first {
            service.komply.runtime = RuntimeState(
                status: states.first { $0.status != first.status && $0.status != "running" }?.status ?? first.status,
                // Each count is within 2^31 - 1 and a snapshot holds far fewer than 2^32 containers, so the sum
                // cannot overflow; it is capped at the count bound, which messages print as is.
                restartCount: min(states.reduce(0) { $0 + $1.restartCount }, Int(NumberBound.count.highest)),
                oomKilled: states.contains { $0.oomKilled },
                exitCode: states.first { ($0.exitCode ?? 0) != 0 }?.exitCode ?? first.exitCode)
        }
        return service
    }

    /// The compose keys whose canonical values differ between two services (komply's own info aside).
    static func differingKeys(_ lhs: ComposeService, _ rhs: ComposeService) -> [String] {
        let left = lhs.canonical().objectMembers ?? []
        let right = rhs.canonical().objectMembers ?? []
        let keys = Set(left.map(\.key)).union(right.map(\.key)).subtracting(["x-komply"])
        return keys.filter { key in left.first { $0.key == key }?.value != right.first { $0.key == key }?.value }.sorted()
    }

    /// Adds a container's top-level entries to the project's; a conflicting entry keeps the first and is reported.
    static func merge(
        _ entries: [String: ValueTree], into table: inout [String: ValueTree], kind: String,
        from container: ContainerSnapshot
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for key in entries.keys.sorted() {
            let value = entries[key]!
            if let existing = table[key], existing != value {
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        "\(kind) \"\(key)\" of container \"\(container.name)\" "
                            + "differs from the one other containers use (\(value.compactJSON) vs \(existing.compactJSON)); "
                            + "komply kept the first", at: container.location))
                continue
            }
            table[key] = value
        }
        return diagnostics
    }

    /// Points `network_mode: container:…` at sibling services and drops dependencies on services the snapshot lacks.
    static func resolveReferences(_ project: inout ComposeProject, containers: [ContainerSnapshot]) {
        let names = Set(project.services.map(\.name))
        for index in project.services.indices {
            var service = project.services[index]
            if let mode = service.networkMode, mode.hasPrefix("container:") {
                let reference = String(mode.dropFirst("container:".count))
                if !reference.isEmpty,
                    let owner = containers.first(where: {
                        $0.name == reference || (!$0.id.isEmpty && $0.id.hasPrefix(reference))
                    })
                {
                    service.networkMode = "service:" + owner.service.name
                }
            }
            for dependency in service.dependsOn.keys.sorted() where !names.contains(dependency) {
                service.dependsOn[dependency] = nil
                project.diagnostics.append(
                    Diagnostic(
                        .warning,
                        "service \"\(service.name)\" depends on \"\(dependency)\", "
                            + "which is not in the snapshot; the dependency is left out", at: service.komply.source))
            }
            project.services[index] = service
        }
    }
}
