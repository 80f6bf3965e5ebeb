import Foundation
import KomplyCore

/// Reads `docker inspect` arrays (declared limits, OOM kills, restarts) and `docker stats` JSON lines.
///
/// Assumptions: a compose container's service is its `com.docker.compose.service` label, else the
/// container name; docker stats lines carry no time, so the first line of each container is at
/// `--at` and later lines of the same container follow every `statsInterval` seconds.
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
            let service = options.service ?? labels["com.docker.compose.service"] ?? name
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
                app: labels["com.docker.compose.project"] ?? service, service: service, container: service,
                image: image, command: argv, environment: env, ports: ports.sorted())
            let traits = WorkloadTraits.of(features)
            batch.deployments.append(
                DeploymentRecord(
                    service: service, container: service, image: image, runtime: traits.runtime, role: traits.role,
                    features: traits.featureMap,
                    resources: ResourceAmounts(cpuRequest: nil, cpuLimit: nanoCPUs, memoryRequest: reservation, memoryLimit: memory),
                    environment: options.environment, cluster: options.cluster, time: time))
            if state?.node["OOMKilled"]?.scalar == "true" {
                let finished = try state?.optionalString("FinishedAt").flatMap(Timestamp.parse).flatMap { $0 > 0 ? $0 : nil }
                batch.events.append(
                    UsageEvent(
                        service: service, container: service, time: finished ?? time, kind: .oomKilled,
                        value: memory, detail: "docker inspect: State.OOMKilled"))
            }
            if let restarts = try fields.optionalNumber("RestartCount"), restarts > 0 {
                if let why = HistoryBatch.problem(restarts, .count) {
                    throw .invalidInput(fields.location("RestartCount"), expected: "RestartCount within bounds: \(why)")
                }
                batch.events.append(
                    UsageEvent(
                        service: service, container: service, time: time, kind: .restart, value: restarts,
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
            let service = options.service ?? composeService(name)
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
                        service: service, container: service, time: time, resource: .cpu, value: percent / 100, source: "docker-stats"))
            }
            batch.samples.append(
                UsageSample(
                    service: service, container: service, time: time, resource: .memory, value: Double(bytes), source: "docker-stats"))
        }
        return batch
    }

    /// `shop-api-1` (compose v2) or `shop_api_1` (v1) → `api`; other names stay as they are.
    static func composeService(_ name: String) -> String {
        for separator in ["-", "_"] {
            let parts = name.split(separator: Character(separator)).map(String.init)
            if parts.count >= 3, Int(parts.last!) != nil { return parts.dropFirst().dropLast().joined(separator: separator) }
        }
        return name
    }
}
