import Foundation
import KomplyCore

/// A service as one file wrote it: the decoded values, which keys were present, and its `extends`.
struct DecodedService {
    var service: ComposeService
    /// Keys written for this service (merge rules apply only to keys the override wrote).
    var keys: Set<String>
    /// The `extends` reference, if any.
    var extends: ExtendsReference?
}

/// `extends: {service, file}`.
struct ExtendsReference {
    var service: String
    var file: String?
    var location: SourceLocation
}

/// Where relative paths in one compose file are resolved.
struct FileContext {
    /// The project directory (absolute); output paths are relative to it.
    var projectDirectory: String
    /// The directory of the file being decoded (absolute).
    var fileDirectory: String
    /// Paths komply reads must stay inside this folder.
    var root: RepositoryRoot
    /// Variables for `env_file` interpolation and `environment` entries without a value.
    var variables: [String: String]
}

/// Turns one service's mapping node into a `ComposeService`.
struct ServiceDecoder {
    var context: FileContext
    var diagnostics: [Diagnostic] = []

    /// Keys the decoder maps into the model.
    static let mappedKeys: Set<String> = [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "tmpfs",
        "depends_on", "healthcheck", "deploy", "restart", "user", "working_dir", "labels", "cap_add", "cap_drop",
        "read_only", "privileged", "network_mode", "networks", "ulimits", "stop_grace_period", "stop_signal",
        "secrets", "configs", "profiles", "hostname", "extends",
    ]

    /// Keys kept as written (under `other`) that the generator reads or that need no translation.
    static let quietKeys: Set<String> = [
        "container_name", "init", "shm_size", "extra_hosts", "dns", "dns_search", "dns_opt", "sysctls", "security_opt",
        "logging", "platform", "pull_policy", "stdin_open", "tty", "mem_limit", "mem_reservation", "cpus",
        "pids_limit", "scale", "links", "external_links", "annotations", "devices", "ipc", "pid", "domainname",
        "mem_swappiness", "memswap_limit", "oom_score_adj", "group_add", "label_file", "attach", "develop",
        "cpu_shares", "cpu_count", "cpu_percent", "cpu_quota", "cpu_period", "cpuset", "gpus", "runtime",
    ]

    /// Decodes the service `name` from its mapping node.
    mutating func decode(name: String, node: Node) throws(SourcesError) -> DecodedService {
        let path = "services.\(name)"
        guard let pairs = node.mapping else {
            // A service written as `web:` with nothing under it is an empty mapping to compose.
            if node.isNull { return DecodedService(service: ComposeService(name: name), keys: [], extends: nil) }
            throw node.mismatch(path, expected: "a mapping")
        }
        var service = ComposeService(name: name)
        service.komply.source = node.location
        var keys = Set<String>()
        var extends: ExtendsReference?
        var envFileEntries: [(key: String, value: String?)] = []
        var environmentEntries: [(key: String, value: String?)] = []
        for pair in pairs {
            let key = try pair.key.text(path)
            let value = pair.value
            let keyPath = "\(path).\(key)"
            keys.insert(key)
            service.komply.positions[key] = value.location
            recordEntryPositions(key, value, into: &service.komply.positions)
            switch key {
            case "image": service.image = try value.optionalText(keyPath)
            case "build": service.build = try build(value, keyPath)
            case "command": service.command = try command(value, keyPath)
            case "entrypoint": service.entrypoint = try command(value, keyPath)
            case "environment":
                // `KEY` without a value takes the variable from the environment compose runs in.
                environmentEntries = try value.listOrDict(keyPath).map { ($0.key, $0.value ?? context.variables[$0.key]) }
            case "env_file": envFileEntries = try envFiles(value, keyPath)
            case "ports": service.ports = try ports(value, keyPath)
            case "expose": service.expose = try expose(value, keyPath)
            case "volumes": service.volumes = try volumes(value, keyPath)
            case "tmpfs": service.tmpfs = try value.textOrList(keyPath)
            case "depends_on": service.dependsOn = try dependsOn(value, keyPath)
            case "healthcheck": service.healthcheck = try healthcheck(value, keyPath)
            case "deploy": service.deploy = value.isNull ? nil : try deploy(value, keyPath)
            case "restart": service.restart = try value.optionalText(keyPath)
            case "user": service.user = try value.optionalText(keyPath)
            case "working_dir": service.workingDir = try value.optionalText(keyPath)
            case "labels":
                for entry in try value.listOrDict(keyPath) { service.labels[entry.key] = entry.value ?? "" }
            case "cap_add": service.capAdd = try value.textList(keyPath)
            case "cap_drop": service.capDrop = try value.textList(keyPath)
            case "read_only": service.readOnly = try value.boolean(keyPath)
            case "privileged": service.privileged = try value.boolean(keyPath)
            case "network_mode": service.networkMode = try value.optionalText(keyPath)
            case "networks": service.networks = try networks(value, keyPath)
            case "ulimits": service.ulimits = try ulimits(value, keyPath)
            case "stop_grace_period": service.stopGracePeriod = try duration(value, keyPath)
            case "stop_signal": service.stopSignal = try value.optionalText(keyPath)
            case "secrets": service.secrets = try fileReferences(value, keyPath, secret: true)
            case "configs": service.configs = try fileReferences(value, keyPath, secret: false)
            case "profiles": service.profiles = try value.textList(keyPath)
            case "hostname": service.hostname = try value.optionalText(keyPath)
            case "extends": extends = try extendsReference(value, keyPath)
            default:
                if key.hasPrefix("x-") {
                    service.extensions[key] = value.valueTree()
                } else {
                    service.other[key] = try other(key, value, keyPath)
                    if !Self.quietKeys.contains(key) {
                        diagnostics.append(
                            Diagnostic(
                                .warning,
                                "\(keyPath) is not translated by komply; it is kept in the model but has no effect on generated manifests",
                                at: pair.key.location))
                    }
                }
            }
        }
        // env_file values come first; `environment` wins over them.
        var environment: [String: String?] = [:]
        for entry in envFileEntries { environment[entry.key] = entry.value }
        for entry in environmentEntries { environment[entry.key] = entry.value }
        service.environment = environment
        if keys.contains("env_file") { keys.insert("environment") }
        // A link is also a start-order dependency, as docker compose adds it to depends_on.
        let links: [ValueTree] = if case .array(let items)? = service.other["links"] { items } else { [] }
        for link in links.compactMap(\.stringValue) {
            let target = String(link.split(separator: ":", maxSplits: 1)[0])
            guard !target.isEmpty, service.dependsOn[target] == nil else { continue }
            service.dependsOn[target] = Dependency(restart: true)
            keys.insert("depends_on")
        }
        return DecodedService(service: service, keys: keys, extends: extends)
    }

    /// A path from this file, as output relative to the project directory (absolute paths, `~` and URLs kept).
    func outputPath(_ raw: String) -> String {
        if Paths.isHostPath(raw) || raw.contains("://") || raw.hasPrefix("git@") { return raw }
        let absolute = PathUtilities.normalize(PathUtilities.join(context.fileDirectory, raw))
        return PathUtilities.relative(absolute, to: context.projectDirectory)
    }

    /// `raw` (relative to this file's folder, or absolute) resolved inside the repository root,
    /// symbolic links followed; an escape is refused at `location` naming `raw` as written.
    func confined(_ raw: String, from base: String? = nil, at location: SourceLocation) throws(SourcesError) -> String {
        do { return try context.root.resolve(raw, from: base ?? context.fileDirectory, at: location) } catch { throw .core(error) }
    }
}

private extension ServiceDecoder {
    /// Positions of list items and mapping entries that later checks point at.
    func recordEntryPositions(_ key: String, _ node: Node, into positions: inout [String: SourceLocation]) {
        if let items = node.sequence {
            for (index, item) in items.enumerated() {
                positions["\(key)[\(index)]"] = item.location
                if let name = item.scalar, key == "depends_on" || key == "networks" { positions["\(key).\(name)"] = item.location }
            }
        } else if let pairs = node.mapping, ["depends_on", "networks", "environment", "labels", "ulimits", "x-komply"].contains(key) {
            for pair in pairs { if let name = pair.key.scalar { positions["\(key).\(name)"] = pair.key.location } }
            // x-komply.hostPath consents are checked entry by entry: each error points at its own line.
            if key == "x-komply", let consents = node["hostPath"]?.mapping {
                for consent in consents {
                    guard let path = consent.key.scalar else { continue }
                    positions["x-komply.hostPath.\(path)"] = consent.key.location
                    for field in consent.value.mapping ?? [] {
                        if let name = field.key.scalar { positions["x-komply.hostPath.\(path).\(name)"] = field.value.location }
                    }
                }
            }
        }
    }

    func build(_ node: Node, _ path: String) throws(SourcesError) -> ValueTree? {
        if node.isNull { return nil }
        if node.mapping == nil {
            let context = try node.text(path)
            try confineBuild(context: context, contextLocation: node.location, dockerfile: "Dockerfile", dockerfileLocation: node.location)
            return .members([("context", .string(outputPath(context))), ("dockerfile", .string("Dockerfile"))])
        }
        var members: [(String, ValueTree?)] = []
        var context = "."
        var dockerfile: String? = "Dockerfile"
        var rest: [(String, ValueTree?)] = []
        var contextLocation = node.location
        var dockerfileLocation = node.location
        for pair in try node.pairs(path) {
            let key = try pair.key.text(path)
            switch key {
            case "context":
                context = try pair.value.text("\(path).context")
                contextLocation = pair.value.location
            case "dockerfile":
                dockerfile = try pair.value.text("\(path).dockerfile")
                dockerfileLocation = pair.value.location
            case "dockerfile_inline":
                dockerfile = nil
                rest.append((key, pair.value.valueTree()))
            case "args":
                let args = try pair.value.listOrDict("\(path).args")
                rest.append(("args", .object(args.map { .init(key: $0.key, value: $0.value.map(ValueTree.string) ?? .null) })))
            default: rest.append((key, pair.value.valueTree()))
            }
        }
        try confineBuild(context: context, contextLocation: contextLocation, dockerfile: dockerfile, dockerfileLocation: dockerfileLocation)
        members.append(("context", .string(outputPath(context))))
        members.append(("dockerfile", dockerfile.map(ValueTree.string)))
        members += rest.sorted { $0.0 < $1.0 }
        return .members(members)
    }

    /// A local build context (not a URL) and its Dockerfile must resolve inside the repository:
    /// komply hashes the context's files to tag the image.
    func confineBuild(context: String, contextLocation: SourceLocation, dockerfile: String?, dockerfileLocation: SourceLocation)
        throws(SourcesError)
    {
        guard !Self.isRemoteContext(context) else { return }
        let folder = try confined(context, at: contextLocation)
        if let dockerfile { _ = try confined(dockerfile, from: folder, at: dockerfileLocation) }
    }

    /// A build context docker fetches itself (a git or HTTP URL), which komply never reads.
    static func isRemoteContext(_ context: String) -> Bool {
        context.contains("://") || context.hasPrefix("git@") || context.hasPrefix("github.com/")
    }

    func command(_ node: Node, _ path: String) throws(SourcesError) -> [String]? {
        if node.isNull { return nil }
        if node.sequence != nil { return try node.textList(path) }
        let text = try node.text(path)
        guard let words = ShortSyntax.shellWords(text) else {
            throw .malformed(
                node.location, message: "\(path) has an unterminated quote or trailing backslash; expected a shell-style command")
        }
        return words
    }

    mutating func envFiles(_ node: Node, _ path: String) throws(SourcesError) -> [(key: String, value: String?)] {
        var entries: [(String, Bool, Node)] = []
        let items = node.sequence ?? [node]
        for (index, item) in items.enumerated() {
            let itemPath = node.sequence == nil ? path : "\(path)[\(index)]"
            if item.mapping != nil {
                guard let pathNode = item["path"] else {
                    throw .malformed(item.location, message: "\(itemPath) needs a \"path\"")
                }
                let required = try item["required"]?.boolean("\(itemPath).required") ?? true
                entries.append((try pathNode.text("\(itemPath).path"), required, pathNode))
            } else {
                entries.append((try item.text(itemPath), true, item))
            }
        }
        var result: [(key: String, value: String?)] = []
        for (file, required, fileNode) in entries {
            let absolute = PathUtilities.normalize(PathUtilities.join(context.fileDirectory, file))
            // Resolved before the existence check: a dangling link out of the repository is an escape.
            let resolved = try confined(file, at: fileNode.location)
            guard FileManager.default.fileExists(atPath: resolved) else {
                if required { throw .missingFile(fileNode.location, path: file, purpose: "env_file") }
                diagnostics.append(Diagnostic(.info, "optional env_file \"\(file)\" does not exist; skipped", at: fileNode.location))
                continue
            }
            let data: Data
            do { data = try YAMLLoader.read(path: resolved, displayName: file) } catch { throw .core(error) }
            let text = String(decoding: data, as: UTF8.self)
            let variables = context.variables
            do {
                let parsed = try DotEnv.parse(text, lookup: { variables[$0] }, reference: ComposeLoader.markingSecret)
                for (key, value) in parsed { result.append((key, value ?? variables[key])) }
            } catch {
                let position = SourcePosition(line: error.line, column: error.column)
                throw .malformed(
                    SourceLocation(
                        file: PathUtilities.relative(absolute, to: context.projectDirectory),
                        range: SourceRange(start: position, end: position)),
                    message: error.message)
            }
        }
        return result
    }

    /// `expose`: ports and ranges with an optional protocol (`"3000"`, `8000-8010`, `"53/udp"`).
    func expose(_ node: Node, _ path: String) throws(SourcesError) -> [PortRange] {
        guard let items = node.sequence else { throw node.mismatch(path, expected: "a list of ports") }
        var result: [PortRange] = []
        var total = 0
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            let text = try item.text(itemPath)
            guard let range = PortRange(parsing: text) else {
                throw .malformed(
                    item.location,
                    message:
                        "\(itemPath) \"\(text)\" is not a port; expected PORT, START-END or either with /PROTOCOL (tcp, udp, sctp), e.g. \"8000-8010/udp\""
                )
            }
            try checkRangeSize(range.ports.count, item, itemPath, text)
            result.append(range)
            total += range.ports.count
            try checkTotal(total, item, path)
        }
        return result
    }

    /// Refuses a `ports` or `expose` list whose ranges add up to more than `ComposeLoader.maxPortsPerList` ports.
    func checkTotal(_ count: Int, _ item: Node, _ path: String) throws(SourcesError) {
        guard count <= ComposeLoader.maxPortsPerList else {
            throw .tooManyPorts(item.location, key: path, limit: ComposeLoader.maxPortsPerList)
        }
    }

    /// Refuses a port range that would become more than `ComposeLoader.maxPortsPerRange` ports.
    func checkRangeSize(_ count: Int, _ item: Node, _ itemPath: String, _ text: String) throws(SourcesError) {
        guard count <= ComposeLoader.maxPortsPerRange else {
            throw .portRangeTooLarge(item.location, key: itemPath, range: text, count: count, limit: ComposeLoader.maxPortsPerRange)
        }
    }

    func ports(_ node: Node, _ path: String) throws(SourcesError) -> [PortMapping] {
        guard let items = node.sequence else { throw node.mismatch(path, expected: "a list of ports") }
        var result: [PortMapping] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if let pairs = item.mapping {
                var port = PortMapping(target: 0)
                var hasTarget = false
                for pair in pairs {
                    let key = try pair.key.text(itemPath)
                    let value = pair.value
                    switch key {
                    case "target":
                        port.target = try value.integer("\(itemPath).target")
                        hasTarget = true
                        // docker compose refuses 0 ("missing a target port") and negative numbers.
                        guard (1...65535).contains(port.target) else {
                            throw .malformed(
                                value.location, message: "\(itemPath).target \(port.target) is not a port; expected 1 to 65535")
                        }
                    case "published":
                        port.published = try value.optionalText("\(itemPath).published")
                    case "protocol": port.protocol = try value.text("\(itemPath).protocol")
                    case "host_ip": port.hostIP = try value.optionalText("\(itemPath).host_ip")
                    case "mode": port.mode = try value.text("\(itemPath).mode")
                    case "name": port.name = try value.optionalText("\(itemPath).name")
                    case "app_protocol": port.appProtocol = try value.optionalText("\(itemPath).app_protocol")
                    default:
                        if !key.hasPrefix("x-") {
                            throw .malformed(
                                pair.key.location,
                                message:
                                    "\(itemPath) has unknown key \"\(key)\"; expected target, published, protocol, host_ip, mode, name or app_protocol"
                            )
                        }
                    }
                }
                guard hasTarget else { throw .malformed(item.location, message: "\(itemPath) needs a \"target\" port") }
                result.append(port)
                try checkTotal(result.count, item, path)
            } else {
                let text = try item.text(itemPath)
                guard let parsed = ShortSyntax.portSpec(text) else {
                    throw .malformed(
                        item.location,
                        message:
                            "\(itemPath) \"\(text)\" is not a port; expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. \"8080:80\""
                    )
                }
                guard parsed.container.lowerBound >= 1 else {
                    throw .malformed(item.location, message: "\(itemPath) \"\(text)\" has container port 0; expected 1 to 65535")
                }
                try checkRangeSize(parsed.container.count, item, itemPath, text)
                result += parsed.mappings
                try checkTotal(result.count, item, path)
            }
        }
        // Compose drops exact duplicates.
        var seen = Set<PortMapping>()
        return result.filter { seen.insert($0).inserted }
    }

    func volumes(_ node: Node, _ path: String) throws(SourcesError) -> [VolumeMount] {
        guard let items = node.sequence else { throw node.mismatch(path, expected: "a list of volumes") }
        var result: [VolumeMount] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var mount: VolumeMount
            if let pairs = item.mapping {
                mount = VolumeMount(type: "volume", source: nil, target: "")
                var hasType = false
                for pair in pairs {
                    let key = try pair.key.text(itemPath)
                    let value = pair.value
                    switch key {
                    case "type":
                        mount.type = try value.text("\(itemPath).type")
                        hasType = true
                    case "source": mount.source = try value.optionalText("\(itemPath).source")
                    case "target": mount.target = try value.text("\(itemPath).target")
                    case "read_only": mount.readOnly = try value.boolean("\(itemPath).read_only")
                    default:
                        if !key.hasPrefix("x-") { mount.options[key] = value.valueTree() }
                    }
                }
                guard hasType else {
                    throw .malformed(item.location, message: "\(itemPath) needs a \"type\" (bind, volume, tmpfs, npipe, cluster or image)")
                }
                guard !mount.target.isEmpty else { throw .malformed(item.location, message: "\(itemPath) needs a \"target\" path") }
            } else {
                let text = try item.text(itemPath)
                guard let parsed = ShortSyntax.volume(text) else {
                    throw .malformed(
                        item.location,
                        message: "\(itemPath) \"\(text)\" is not a volume; expected [SOURCE:]TARGET[:MODE], e.g. \"./conf:/etc/app:ro\"")
                }
                mount = parsed
            }
            if mount.type == "bind", let source = mount.source {
                try confineBindSource(source, at: item.location)
                mount.source = outputPath(source)
            }
            // Docker cleans container paths (`/var/www/html/` → `/var/www/html`).
            if mount.target.hasPrefix("/") { mount.target = PathUtilities.normalize(mount.target) }
            if case .object(var tmpfs)? = mount.options["tmpfs"],
                let index = tmpfs.firstIndex(where: { $0.key == "size" }), case .string(let size) = tmpfs[index].value,
                let bytes = try? Quantity.parseComposeByteSize(size)
            {
                tmpfs[index].value = .int(Int(bytes))
                mount.options["tmpfs"] = .object(tmpfs)
            }
            result.append(mount)
        }
        return result
    }

    func dependsOn(_ node: Node, _ path: String) throws(SourcesError) -> [String: Dependency] {
        var result: [String: Dependency] = [:]
        if node.sequence != nil {
            for name in try node.textList(path) { result[name] = Dependency() }
            return result
        }
        for pair in try node.pairs(path) {
            let name = try pair.key.text(path)
            let itemPath = "\(path).\(name)"
            var dependency = Dependency()
            if !pair.value.isNull {
                for option in try pair.value.pairs(itemPath) {
                    let key = try option.key.text(itemPath)
                    switch key {
                    case "condition": dependency.condition = try option.value.text("\(itemPath).condition")
                    case "required": dependency.required = try option.value.boolean("\(itemPath).required")
                    case "restart": dependency.restart = try option.value.boolean("\(itemPath).restart")
                    default: break
                    }
                }
            }
            result[name] = dependency
        }
        return result
    }

    func healthcheck(_ node: Node, _ path: String) throws(SourcesError) -> Healthcheck? {
        if node.isNull { return nil }
        var check = Healthcheck()
        for pair in try node.pairs(path) {
            let key = try pair.key.text(path)
            let value = pair.value
            let keyPath = "\(path).\(key)"
            switch key {
            case "test":
                if value.sequence != nil {
                    let test = try value.textList(keyPath)
                    guard let first = test.first, ["NONE", "CMD", "CMD-SHELL"].contains(first) else {
                        throw .malformed(value.location, message: "\(keyPath) must start with \"CMD\", \"CMD-SHELL\" or \"NONE\"")
                    }
                    check.test = test
                } else if !value.isNull {
                    check.test = ["CMD-SHELL", try value.text(keyPath)]
                }
            case "interval": check.interval = try duration(value, keyPath)
            case "timeout": check.timeout = try duration(value, keyPath)
            case "start_period": check.startPeriod = try duration(value, keyPath)
            case "start_interval": check.startInterval = try duration(value, keyPath)
            case "retries": check.retries = value.isNull ? nil : try value.integer(keyPath, within: .count)
            case "disable": check.disable = try value.boolean(keyPath)
            default: break
            }
        }
        if check.disable { return Healthcheck(disable: true) }
        return check
    }

    func duration(_ node: Node, _ path: String) throws(SourcesError) -> ComposeDuration? {
        if node.isNull { return nil }
        let text = try node.text(path)
        guard let duration = ComposeDuration(parsing: text) else {
            throw .malformed(node.location, message: "\(path) \"\(text)\" is not a duration; expected e.g. \"10s\", \"1m30s\" or \"500ms\"")
        }
        // Compose takes no negative durations; longer than 2^31 - 1 seconds fits no Kubernetes field.
        do { try BoundedNumber.check(Double(duration.nanoseconds) / 1e9, .seconds) } catch {
            throw .malformed(
                node.location,
                message: "\(path) \"\(text)\" is out of range: expected a duration \(NumberBound.seconds.rangeText) seconds")
        }
        return duration
    }

    func deploy(_ node: Node, _ path: String) throws(SourcesError) -> Deploy {
        var deploy = Deploy()
        for pair in try node.pairs(path) {
            let key = try pair.key.text(path)
            let value = pair.value
            let keyPath = "\(path).\(key)"
            switch key {
            case "mode": deploy.mode = try value.optionalText(keyPath)
            case "replicas": deploy.replicas = value.isNull ? nil : try value.integer(keyPath, within: .replicas)
            case "resources":
                for resource in try value.pairs(keyPath) {
                    let kind = try resource.key.text(keyPath)
                    let spec = try resources(resource.value, "\(keyPath).\(kind)")
                    if kind == "limits" { deploy.limits = spec }
                    if kind == "reservations" { deploy.reservations = spec }
                }
            case "restart_policy":
                var members: [(String, ValueTree?)] = []
                for option in try value.pairs(keyPath) {
                    let name = try option.key.text(keyPath)
                    switch name {
                    case "delay", "window":
                        members.append((name, try duration(option.value, "\(keyPath).\(name)").map { .string($0.description) }))
                    case "max_attempts":
                        members.append((name, .int(try option.value.integer("\(keyPath).\(name)", within: .count))))
                    default: members.append((name, option.value.valueTree()))
                    }
                }
                deploy.restartPolicy = .members(members)
            case "labels":
                let labels = try value.listOrDict(keyPath)
                deploy.other[key] = .sortedObject(
                    Dictionary(labels.map { ($0.key, ValueTree.string($0.value ?? "")) }, uniquingKeysWith: { $1 }))
            default:
                deploy.other[key] = value.valueTree()
            }
        }
        return deploy
    }

    func resources(_ node: Node, _ path: String) throws(SourcesError) -> ResourceSpec? {
        if node.isNull { return nil }
        var spec = ResourceSpec()
        for pair in try node.pairs(path) {
            let key = try pair.key.text(path)
            let value = pair.value
            let keyPath = "\(path).\(key)"
            switch key {
            case "cpus": spec.cpus = try value.number(keyPath, within: .cpuCores)
            case "memory": spec.memoryBytes = try bytes(value, keyPath)
            case "pids":
                // Docker reads 0 (and -1) as "no limit"; -1 is kept as written, as docker compose prints it.
                let pids = try value.integer(keyPath, within: NumberBound("a PIDs limit", -1, NumberBound.count.highest))
                spec.pids = pids == 0 ? nil : pids
            case "devices":
                guard let items = value.sequence else { throw value.mismatch(keyPath, expected: "a list of devices") }
                for (index, item) in items.enumerated() {
                    let itemPath = "\(keyPath)[\(index)]"
                    var device = DeviceRequest(capabilities: [])
                    for option in try item.pairs(itemPath) {
                        let name = try option.key.text(itemPath)
                        switch name {
                        case "capabilities": device.capabilities = try option.value.textList("\(itemPath).capabilities")
                        case "driver": device.driver = try option.value.text("\(itemPath).driver")
                        case "count":
                            if option.value.scalar == "all" {
                                device.count = -1
                            } else {
                                // -1 is what "all" reads as.
                                device.count = try option.value.integer(
                                    "\(itemPath).count", within: NumberBound("a device count", -1, NumberBound.count.highest))
                            }
                        case "device_ids": device.deviceIDs = try option.value.textList("\(itemPath).device_ids")
                        case "options":
                            for entry in try option.value.listOrDict("\(itemPath).options") {
                                device.options[entry.key] = entry.value ?? ""
                            }
                        default: break
                        }
                    }
                    spec.devices.append(device)
                }
            default: break
            }
        }
        return spec
    }

    func bytes(_ node: Node, _ path: String) throws(SourcesError) -> Int64 {
        let text = try node.text(path)
        let bytes: Int64
        do { bytes = try Quantity.parseComposeByteSize(text) } catch {
            guard case .quantityOutOfRange = error else {
                throw .malformed(
                    node.location, message: "\(path) \"\(text)\" is not a byte size; expected e.g. \"512m\", \"1g\" or a number of bytes")
            }
            throw node.outOfBounds(
                path, .numberOutOfBounds(text, bound: NumberBound.memoryBytes.name, range: NumberBound.memoryBytes.rangeText))
        }
        guard Double(bytes) <= NumberBound.memoryBytes.highest else {
            let bound = NumberBound.memoryBytes
            throw node.outOfBounds(path, .numberOutOfBounds("\(text) (\(bytes) bytes)", bound: bound.name, range: bound.rangeText))
        }
        return bytes
    }

    func networks(_ node: Node, _ path: String) throws(SourcesError) -> [String: ValueTree?] {
        var result: [String: ValueTree?] = [:]
        if node.sequence != nil {
            for name in try node.textList(path) { result[name] = .some(nil) }
            return result
        }
        for pair in try node.pairs(path) {
            result[try pair.key.text(path)] = pair.value.isNull ? .some(nil) : pair.value.valueTree()
        }
        return result
    }

    func ulimits(_ node: Node, _ path: String) throws(SourcesError) -> [String: Ulimit] {
        var result: [String: Ulimit] = [:]
        for pair in try node.pairs(path) {
            let name = try pair.key.text(path)
            let itemPath = "\(path).\(name)"
            if pair.value.mapping != nil {
                guard let soft = pair.value["soft"], let hard = pair.value["hard"] else {
                    throw .malformed(pair.value.location, message: "\(itemPath) needs both \"soft\" and \"hard\"")
                }
                result[name] = Ulimit(soft: try soft.integer("\(itemPath).soft"), hard: try hard.integer("\(itemPath).hard"))
            } else {
                let value = try pair.value.integer(itemPath)
                result[name] = Ulimit(soft: value, hard: value, single: true)
            }
        }
        return result
    }

    func fileReferences(_ node: Node, _ path: String, secret: Bool) throws(SourcesError) -> [FileReference] {
        guard let items = node.sequence else { throw node.mismatch(path, expected: "a list") }
        var result: [FileReference] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if item.mapping != nil {
                guard let source = item["source"] else { throw .malformed(item.location, message: "\(itemPath) needs a \"source\"") }
                var reference = FileReference(source: try source.text("\(itemPath).source"))
                reference.target = try item["target"]?.optionalText("\(itemPath).target")
                reference.uid = try item["uid"]?.optionalText("\(itemPath).uid")
                reference.gid = try item["gid"]?.optionalText("\(itemPath).gid")
                if let mode = item["mode"], !mode.isNull {
                    let text = try mode.text("\(itemPath).mode")
                    let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
                    guard let value = Int(digits, radix: 8) else {
                        throw .malformed(
                            mode.location, message: "\(itemPath).mode \"\(text)\" is not an octal file mode; expected e.g. 0440")
                    }
                    let octal = String(value, radix: 8)
                    reference.mode = String(repeating: "0", count: max(1, 4 - octal.count)) + octal
                }
                if secret, reference.target == nil { reference.target = "/run/secrets/\(reference.source)" }
                result.append(reference)
            } else {
                let name = try item.text(itemPath)
                result.append(FileReference(source: name, target: secret ? "/run/secrets/\(name)" : nil))
            }
        }
        return result
    }

    func extendsReference(_ node: Node, _ path: String) throws(SourcesError) -> ExtendsReference {
        if node.mapping == nil { return ExtendsReference(service: try node.text(path), file: nil, location: node.location) }
        guard let service = node["service"] else { throw .malformed(node.location, message: "\(path) needs a \"service\"") }
        return ExtendsReference(
            service: try service.text("\(path).service"), file: try node["file"]?.optionalText("\(path).file"),
            location: node.location)
    }

    /// A repository bind source (what the generator copies into a ConfigMap) and, for a folder, each
    /// of the entries it copies, must resolve inside the repository. Host paths (absolute, `~`) are
    /// never read: the generator leaves them out or, with `x-komply.hostPath` consent, mounts them.
    func confineBindSource(_ source: String, at location: SourceLocation) throws(SourcesError) {
        guard !Paths.isHostPath(source) else { return }
        let resolved = try confined(source, at: location)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), isFolder.boolValue else { return }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: resolved)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") {
            do { _ = try context.root.resolve(name, from: resolved, at: location) } catch {
                guard case .pathEscapesRoot(_, _, let through) = error else { throw .core(error) }
                throw .core(.pathEscapesRoot(location, path: Paths.join(source, name), through: through))
            }
        }
    }

    /// Keys kept as written, normalised where docker compose normalises them.
    func other(_ key: String, _ node: Node, _ path: String) throws(SourcesError) -> ValueTree {
        switch key {
        case "mem_limit", "mem_reservation", "memswap_limit", "shm_size":
            return node.isNull ? .null : .string(String(try bytes(node, path)))
        case "extra_hosts":
            let entries = try node.listOrDict(
                path, separator: node.sequence != nil && (node.sequence?.first?.scalar?.contains("=") ?? false) ? "=" : ":")
            return .array(entries.map { .string("\($0.key)=\($0.value ?? "")") })
        case "sysctls":
            let entries = try node.listOrDict(path)
            return .sortedObject(Dictionary(entries.map { ($0.key, ValueTree.string($0.value ?? "")) }, uniquingKeysWith: { $1 }))
        default:
            return node.valueTree()
        }
    }
}
