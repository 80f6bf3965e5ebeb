import Foundation
import KomplyCore

/// Reads `docker inspect` arrays (declared limits, OOM kills, restarts) and `docker stats` JSON lines.
///
/// Assumptions: a compose container's service is its `com.docker.compose.service` label, else the
/// container name; its app is `--app`, else its `com.docker.compose.project` label, else the project of a
/// `<project>-<service>-<n>` name when that split is unambiguous; docker stats lines carry no time, so the
/// first line of each container is at `--at` and later lines of the same container follow every
/// `statsInterval` seconds.
enum DockerImporter {
    static func readInspect(_ root: Node, options: HistoryImporter.Options) throws(PredictError) -> HistoryBatch {
        guard let containers = root.sequence else {
            throw .invalidInput(root.location, expected: "a JSON array of containers as `docker inspect` prints it")
        }
        var batch = HistoryBatch()
        for node in containers {
            let fields = NodeFields(node: node)
            guard node.mapping != nil else { throw .invalidInput(node.location, expected: "a container object") }
            let config = fields.child("Config")
            let host = fields.child("HostConfig")
            let state = fields.child("State")
            let labels = try config?.stringMap("Labels") ?? [:]
            let name = try (fields.optionalString("Name") ?? "container").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let app: String, service: String
            switch attribute(name, labels: labels, options: options) {
            case .split(let named, let compose): (app, service) = (named, options.service ?? compose)
            case .plain: (app, service) = (HistoryApp.key(options.app ?? ""), options.service ?? name)
            case .unattributable(let why):
                batch.warnings.append("\(fields.location("Name")): skipped container \"\(name)\": \(why)")
                continue
            }
            let started = try state?.optionalString("StartedAt").flatMap(Timestamp.parse)
            guard let time = options.at ?? started.flatMap({ $0 > 0 ? $0 : nil }) else {
                throw .invalidInput(fields.location(), expected: "State.StartedAt, or a time given with --at")
            }
            var env: [String: String] = [:]
            for item in config?.node["Env"]?.sequence ?? [] {
                guard let text = item.scalar, let eq = text.firstIndex(of: "=") else { continue }
                env[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            let argv =
                (config?.node["Entrypoint"]?.sequence ?? []).compactMap(\.scalar)
                + (config?.node["Cmd"]?.sequence ?? []).compactMap(\.scalar)
            let ports = (config?.node["ExposedPorts"]?.mapping ?? []).compactMap {
                $0.key.scalar?.split(separator: "/").first.flatMap { Int($0) }
            }
            let memory = try host?.optionalNumber("Memory").flatMap { $0 > 0 ? $0 : nil }
            let reservation = try host?.optionalNumber("MemoryReservation").flatMap { $0 > 0 ? $0 : nil }
            let nanoCPUs = try host?.optionalNumber("NanoCpus").flatMap { $0 > 0 ? $0 / 1e9 : nil }
            for (key, value, bound) in [
                ("Memory", memory, NumberBound.memoryBytes), ("MemoryReservation", reservation, .memoryBytes),
                ("NanoCpus", nanoCPUs, .cpuCores),
            ] {
                if let value, let why = HistoryBatch.problem(value, bound), let host {
                    throw .invalidInput(host.location(key), expected: "HostConfig.\(key) within bounds: \(why)")
                }
            }
            let image = try config?.optionalString("Image")
            let features = WorkloadFeatures(
                app: app.isEmpty ? service : app, service: service, container: service,
                image: image, command: argv, environment: env, ports: ports.sorted())
            let traits = WorkloadTraits.of(features)
            batch.deployments.append(
                DeploymentRecord(
                    app: app, service: service, container: service, image: image, runtime: traits.runtime, role: traits.role,
                    features: traits.featureMap,
                    resources: ResourceAmounts(cpuRequest: nil, cpuLimit: nanoCPUs, memoryRequest: reservation, memoryLimit: memory),
                    environment: options.environment, cluster: options.cluster, time: time))
            if state?.node["OOMKilled"]?.scalar == "true" {
                let finished = try state?.optionalString("FinishedAt").flatMap(Timestamp.parse).flatMap { $0 > 0 ? $0 : nil }
                batch.events.append(
                    UsageEvent(
                        app: app, service: service, container: service, time: finished ?? time, kind: .oomKilled,
                        value: memory, detail: "docker inspect: State.OOMKilled"))
            }
            if let restarts = try fields.optionalNumber("RestartCount"), restarts > 0 {
                if let why = HistoryBatch.problem(restarts, .count) {
                    throw .invalidInput(fields.location("RestartCount"), expected: "RestartCount within bounds: \(why)")
                }
                batch.events.append(
                    UsageEvent(
                        app: app, service: service, container: service, time: time, kind: .restart, value: restarts,
                        detail: "docker inspect: RestartCount \(Int(restarts))"))
            }
        }
        return batch
    }

    static func readStats(_ text: String, file: String, options: HistoryImporter.Options) throws(PredictError) -> HistoryBatch {
        guard let start = options.at else {
            throw .invalidInput(
                SourceLocation(file: file),
                expected: "--at with the time this docker stats snapshot was taken (docker stats lines carry none)")
        }
        var batch = HistoryBatch()
        var seen: [String: Int] = [:]
        for (index, line) in text.lineSlices.enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let node = try JSONNodes.parseLine(String(line), file: file, line: index + 1)
            let fields = NodeFields(node: node, lineOffset: index)
            var name = try fields.optionalString("Name") ?? ""
            if name.isEmpty { name = try fields.string("Container") }
            let app: String, service: String
            switch attribute(name, labels: try statsLabels(fields), options: options) {
            case .split(let named, let compose): (app, service) = (named, options.service ?? compose)
            case .plain: (app, service) = (HistoryApp.key(options.app ?? ""), options.service ?? name)
            case .unattributable(let why):
                batch.warnings.append(
                    "\(fields.location(fields.node["Name"] == nil ? "Container" : "Name")): skipped container \"\(name)\": \(why)")
                continue
            }
            let count = seen[name, default: 0]
            seen[name] = count + 1
            let time = start + Double(count) * options.statsInterval
            if let why = HistoryBatch.problem(time: time, now: nil) {
                batch.warnings.append("\(fields.location()): dropped the line: \(why)")
                continue
            }
            let cpuText = try fields.string("CPUPerc")
            guard let percent = Double(cpuText.trimmingCharacters(in: CharacterSet(charactersIn: "% "))) else {
                throw .invalidInput(fields.location("CPUPerc"), expected: "CPUPerc such as \"17.92%\", found \"\(cpuText)\"")
            }
            // docker stats prints what the kernel counted; a line past the physical bounds is noise, dropped and named.
            if let why = HistoryBatch.problem(percent / 100, .cpuCores), percent.isFinite {
                batch.warnings.append("\(fields.location("CPUPerc")): dropped the line: CPUPerc \(why)")
                continue
            }
            let memText = try fields.string("MemUsage")
            let used = memText.split(separator: "/").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let bytes: Int64
            do { bytes = try Quantity.parseComposeByteSize(used) } catch {
                guard case .quantityOutOfRange = error else {
                    throw .invalidInput(fields.location("MemUsage"), expected: "MemUsage such as \"189MiB / 768MiB\", found \"\(memText)\"")
                }
                batch.warnings.append("\(fields.location("MemUsage")): dropped the line: MemUsage \(error.localizedDescription)")
                continue
            }
            if let why = HistoryBatch.problem(Double(bytes), .memoryBytes) {
                batch.warnings.append("\(fields.location("MemUsage")): dropped the line: MemUsage \(why)")
                continue
            }
            if percent.isFinite {
                batch.samples.append(
                    UsageSample(
                        app: app, service: service, container: service, time: time, resource: .cpu, value: percent / 100,
                        source: "docker-stats"))
            }
            batch.samples.append(
                UsageSample(
                    app: app, service: service, container: service, time: time, resource: .memory, value: Double(bytes),
                    source: "docker-stats"))
        }
        return batch
    }

    /// What a container name says about its app.
    enum ComposeName: Equatable {
        /// A compose name: its app key and service.
        case split(app: String, service: String)
        /// Not a compose name (`payment-api`, `redis`): it names no app.
        case plain
        /// A compose name whose app cannot be told, or another app than `--app`: the reason.
        case unattributable(String)
    }

    /// The app and service a container's name and labels stand for, or why its rows must not be kept.
    ///
    /// `--app` wins, then the `com.docker.compose.project` label, then the name: `shop-api-1` (compose v2) and
    /// `shop_api_1` (v1) are app `shop`, service `api`. A name with more parts (`my-shop-api-1`) splits only
    /// with help (`--app my-shop`, or `--service api`); a container of another project than `--app` is never
    /// filed under it. Both are skipped with a warning, since guessing would file one app's usage under another.
    static func attribute(_ name: String, labels: [String: String], options: HistoryImporter.Options) -> ComposeName {
        if let project = labels["com.docker.compose.project"], !project.isEmpty {
            if let app = options.app, HistoryApp.key(project) != HistoryApp.key(app) {
                return .unattributable("its compose project is \"\(project)\", not --app \(HistoryApp.key(app))")
            }
            return .split(app: HistoryApp.key(project), service: labels["com.docker.compose.service"] ?? name)
        }
        for separator in ["-", "_"] {
            let parts = name.split(separator: Character(separator), omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber),
                parts.dropLast().allSatisfy({ !$0.isEmpty })
            else { continue }
            let stem = parts.dropLast().joined(separator: separator)
            if let app = options.app {
                // The project is the leading parts whose app key is --app's (`my_shop-api-1` under --app my-shop).
                guard
                    let end = (1..<parts.count - 1).first(where: {
                        HistoryApp.key(parts[..<$0].joined(separator: separator)) == HistoryApp.key(app)
                    })
                else {
                    return .unattributable("its name is not that of a container of compose project \"\(app)\" (--app)")
                }
                return .split(app: HistoryApp.key(app), service: parts[end..<(parts.count - 1)].joined(separator: separator))
            }
            if let service = options.service, stem.hasSuffix(separator + service), stem.count > service.count + 1 {
                return .split(app: HistoryApp.key(String(stem.dropLast(service.count + 1))), service: service)
            }
            guard parts.count == 3 else {
                let splits = (1..<parts.count - 1).map {
                    parts[..<$0].joined(separator: separator) + "/" + parts[$0..<(parts.count - 1)].joined(separator: separator)
                }
                return .unattributable(
                    "its compose project is ambiguous (project/service \(splits.joined(separator: " or "))); "
                        + "import it with --app and the project name")
            }
            return .split(app: HistoryApp.key(parts[0]), service: parts[1])
        }
        return .plain
    }

    /// Compose labels a stats line carries when it was joined with `docker ps` (`Labels` as `docker ps` prints
    /// it, `k=v,k=v`, or an object); docker stats alone prints none.
    static func statsLabels(_ fields: NodeFields) throws(PredictError) -> [String: String] {
        guard let node = fields.node["Labels"], !node.isNull else { return [:] }
        if node.mapping != nil { return try fields.stringMap("Labels") }
        guard let text = node.scalar else {
            throw .invalidInput(fields.location("Labels"), expected: "\"Labels\" as docker ps prints it (k=v,k=v) or an object")
        }
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",") {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            labels[String(pair[..<eq]).trimmingCharacters(in: .whitespaces)] = String(pair[pair.index(after: eq)...])
        }
        return labels
    }
}
