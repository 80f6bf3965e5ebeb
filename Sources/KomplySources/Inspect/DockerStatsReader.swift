import Foundation
import KomplyCore

/// One container's line of `docker stats --no-stream --format '{{json .}}'`.
public struct StatsSample: Sendable, Equatable {
    /// The container name (`Name`, or `Container` when the line has no name).
    public var name: String
    /// The short container id (`ID`); empty when the line has none.
    public var id: String
    /// CPU in cores: `CPUPerc` / 100 (`"17.92%"` is 0.1792 cores).
    public var cpuCores: Double
    /// Memory in use, in bytes (the left side of `MemUsage`).
    public var memoryBytes: Int64
    /// The memory limit docker printed (the right side of `MemUsage`; the host's memory when the container has
    /// no limit), nil when docker printed none or 0.
    public var memoryLimitBytes: Int64?
    /// The line's JSON object in the stats file.
    public var location: SourceLocation

    /// Creates a sample.
    public init(
        name: String, id: String, cpuCores: Double, memoryBytes: Int64, memoryLimitBytes: Int64?,
        location: SourceLocation
    ) {
        self.name = name
        self.id = id
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.location = location
    }
}

/// Reads `docker stats` snapshots and attaches what they observed to services.
public enum DockerStatsReader {
    /// Parses `docker stats --no-stream --format '{{json .}}'` JSON lines (blank lines allowed). Errors name file:line:column.
    public static func read(path: String, displayName: String) throws(SourcesError) -> [StatsSample] {
        let data: Data
        do { data = try YAMLLoader.read(path: path, displayName: displayName) } catch { throw .core(error) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(
                SourceLocation(file: displayName),
                message: "file is not UTF-8 text; expected docker stats JSON lines")
        }
        return try parse(text, file: displayName)
    }

    /// Parses the text of a stats file; `file` is what locations call it.
    public static func parse(_ text: String, file: String) throws(SourcesError) -> [StatsSample] {
        var samples: [StatsSample] = []
        var offset = 0
        // Split on scalars: as Characters, "\r\n" is one grapheme that is not "\n".
        for (index, scalars) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineStart = offset
            offset += scalars.count + 1
            let line = String(String.UnicodeScalarView(scalars.last == "\r" ? scalars.dropLast() : scalars))
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let shift = LineShift(lines: index, offset: lineStart, length: line.unicodeScalars.count)
            samples.append(try sample(line, file: file, shift: shift))
        }
        return samples
    }

    /// Attaches samples to services as `komply.observed`; returns a warning for each sample that matches no service.
    ///
    /// A sample belongs to the service whose `komply.containers` records its container name or id, else to the
    /// service compose would have named it after (`<project>-<service>-<n>` or `<project>_<service>_<n>`).
    ///
    /// A file may hold several snapshots (one `docker stats --no-stream` run appended after another), so the
    /// lines of one container are first averaged; the averages of a service's containers are then summed,
    /// because each replica uses its own CPU and memory. `memoryLimitBytes` is summed the same way and left
    /// out when any container's line printed no limit. `samples` counts the lines that contributed. An
    /// existing observation of a matched service is replaced.
    public static func attach(_ samples: [StatsSample], to projects: inout [ComposeProject], source: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Per (project, service): per container key, in first-seen order, the lines that matched.
        var matched: [ServiceIndex: [(container: String, lines: [StatsSample])]] = [:]
        var order: [ServiceIndex] = []
        for sample in samples {
            guard let target = match(sample, in: projects) else {
                let idText = sample.id.isEmpty ? "" : " (id \(sample.id))"
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        "docker stats sample for container \"\(sample.name)\"\(idText) "
                            + "matches no service; it is ignored", at: sample.location))
                continue
            }
            if matched[target] == nil { order.append(target) }
            var containers = matched[target, default: []]
            let key = sample.name.isEmpty ? sample.id : sample.name
            if let position = containers.firstIndex(where: { $0.container == key }) {
                containers[position].lines.append(sample)
            } else {
                containers.append((key, [sample]))
            }
            matched[target] = containers
        }
        for target in order {
            let containers = matched[target]!
            var cpu = 0.0
            var memory: Int64 = 0
            var limit: Int64? = 0
            do {
                // Each line is within the bounds (checked when read); a line's average is too, and the sums
                // over replicas are checked against the same physical bounds.
                for (_, lines) in containers {
                    let count = Double(lines.count)
                    cpu = try BoundedNumber.sum(cpu, lines.reduce(0) { $0 + $1.cpuCores } / count, .cpuCores)
                    let average = (lines.reduce(0.0) { $0 + Double($1.memoryBytes) } / count).rounded()
                    memory = Int64(try BoundedNumber.sum(Double(memory), average, .memoryBytes))
                    let limits = lines.compactMap(\.memoryLimitBytes)
                    if limits.count == lines.count, let total = limit {
                        let averageLimit = (limits.reduce(0.0) { $0 + Double($1) } / count).rounded()
                        limit = Int64(try BoundedNumber.sum(Double(total), averageLimit, .memoryBytes))
                    } else {
                        limit = nil
                    }
                }
            } catch {
                let first = containers[0].lines[0]
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        "docker stats samples of service \"\(projects[target.project].services[target.service].name)\" "
                            + "add up past a physical bound (\(error.localizedDescription)); they are ignored",
                        at: first.location))
                continue
            }
            projects[target.project].services[target.service].komply.observed = ObservedUsage(
                cpuCores: roundedCores(cpu), memoryBytes: memory, memoryLimitBytes: limit,
                samples: containers.reduce(0) { $0 + $1.lines.count }, source: source)
        }
        return diagnostics
    }
}

private extension DockerStatsReader {
    struct ServiceIndex: Hashable {
        var project: Int
        var service: Int
    }

    /// Moves positions parsed from one line to where that line sits in the file.
    struct LineShift {
        /// Lines before this one.
        var lines: Int
        /// Unicode scalars before this line.
        var offset: Int
        /// Unicode scalars on this line.
        var length: Int

        func apply(_ position: SourcePosition) -> SourcePosition {
            // The parser reports a truncated line's error just past its end; keep it on the line.
            guard position.line == 1 else { return SourcePosition(line: lines + 1, column: length + 1, offset: offset + length) }
            return SourcePosition(line: position.line + lines, column: position.column, offset: position.offset + offset)
        }

        func apply(_ location: SourceLocation) -> SourceLocation {
            SourceLocation(
                file: location.file,
                range: location.range.map { SourceRange(start: apply($0.start), end: apply($0.end)) })
        }

        func apply(_ node: Node) -> Node {
            var node = node
            node.range = SourceRange(start: apply(node.range.start), end: apply(node.range.end))
            switch node.content {
            case .scalar: break
            case .sequence(let items): node.content = .sequence(items.map(apply))
            case .mapping(let pairs): node.content = .mapping(pairs.map { Node.Pair(key: apply($0.key), value: apply($0.value)) })
            }
            return node
        }

        func apply(_ error: CoreError) -> CoreError {
            switch error {
            case .syntax(let l, let problem): return .syntax(apply(l), problem: problem)
            case .duplicateKey(let l, let key, let firstLine):
                return .duplicateKey(apply(l), key: key, firstLine: firstLine + lines)
            case .unknownAlias(let l, let name): return .unknownAlias(apply(l), name: name)
            case .aliasExpansionLimit(let l, let limit): return .aliasExpansionLimit(apply(l), limit: limit)
            case .nestingTooDeep(let l, let limit): return .nestingTooDeep(apply(l), limit: limit)
            case .invalidMerge(let l): return .invalidMerge(apply(l))
            default: return error  // no position in a line to shift
            }
        }
    }

    static let lineFormat = "one JSON object per line, as docker stats --no-stream --format '{{json .}}' prints"

    /// Reads one non-blank line.
    static func sample(_ line: String, file: String, shift: LineShift) throws(SourcesError) -> StatsSample {
        let documents: [Node]
        do { documents = try YAMLLoader.parse(line, file: file) } catch {
            if case .syntax(let location, let problem) = error {
                // The parser saw the line alone, so its "at line 1" means this line.
                let context = problem.replacingOccurrences(
                    of: " at line 1, column ",
                    with: " at line \(shift.lines + 1), column ")
                throw .malformed(shift.apply(location), message: "expected \(lineFormat): \(context)")
            }
            throw .core(shift.apply(error))
        }
        let lineLocation = SourceLocation(
            file: file,
            range: SourceRange(
                start: shift.apply(SourcePosition(line: 1, column: 1)),
                end: shift.apply(SourcePosition(line: 1, column: 1 + shift.length))))
        guard documents.count == 1 else {
            throw .malformed(documents.first.map { shift.apply($0.location) } ?? lineLocation, message: "expected \(lineFormat)")
        }
        let root = InspectField(node: shift.apply(documents[0]), path: "")
        guard root.node.mapping != nil else {
            throw .invalid(
                root.location, key: "docker stats line", expected: "a JSON object",
                found: InspectField.describe(root.node))
        }
        func required(_ key: String) throws(SourcesError) -> InspectField {
            guard let field = try root.member(key) else {
                throw .malformed(root.location, message: "docker stats line has no \"\(key)\"; expected \(lineFormat)")
            }
            return field
        }
        let cpuField = try required("CPUPerc")
        let memoryField = try required("MemUsage")
        let name = try root.member("Name")?.nonEmptyString()
        let container = try root.member("Container")?.nonEmptyString()
        let id = try root.member("ID")?.nonEmptyString()
        guard let displayName = name ?? container ?? id else {
            throw .malformed(
                root.location,
                message: "docker stats line has no \"Name\", \"Container\" or \"ID\"; expected \(lineFormat)")
        }
        let cpuText = try cpuField.string()
        guard let cores = percentAsCores(cpuText) else {
            throw .invalid(
                cpuField.location, key: "CPUPerc", expected: "a percentage such as \"17.92%\"",
                found: InspectField.describe(cpuField.node))
        }
        do { try BoundedNumber.check(cores, .cpuCores) } catch { throw cpuField.outOfBounds(error) }
        let memoryText = try memoryField.string()
        let sides = memoryText.split(separator: "/", omittingEmptySubsequences: false)
        let used = sides.first.flatMap { bytes(String($0)) }
        let limit = sides.count == 2 ? bytes(String(sides[1])) : nil
        guard let used, sides.count <= 2, sides.count == 1 || limit != nil else {
            throw .invalid(
                memoryField.location, key: "MemUsage",
                expected: "\"USED / LIMIT\" in docker's units (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB), "
                    + "such as \"189MiB / 768MiB\"",
                found: InspectField.describe(memoryField.node))
        }
        for bytes in [used, limit ?? 0] {
            do { try BoundedNumber.check(Int(bytes), .memoryBytes) } catch { throw memoryField.outOfBounds(error) }
        }
        return StatsSample(
            name: displayName, id: id ?? container ?? "", cpuCores: cores, memoryBytes: used,
            memoryLimitBytes: limit == 0 ? nil : limit, location: root.location)
    }

    /// `"17.92%"` → 0.1792, shifting the decimal point in the text so no binary rounding creeps in.
    static func percentAsCores(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("%") else { return nil }
        let number = trimmed.dropLast().trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number + "e-2"), value.isFinite
        else { return nil }
        return value
    }

    /// Byte counts as docker prints them (go-units): binary `KiB`…`PiB`, decimal `kB`…`PB`, plain `B`.
    static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, let value = Double(number), let scale = units[unit] else { return nil }
        let result = (value * scale).rounded()
        guard result < 9.2e18 else { return nil }
        return Int64(result)
    }

    static let units: [String: Double] = [
        "B": 1, "": 1,
        "KiB": 1024, "MiB": 1024 * 1024, "GiB": 1024 * 1024 * 1024, "TiB": 1024 * 1024 * 1024 * 1024,
        "PiB": 1024 * 1024 * 1024 * 1024 * 1024,
        "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15,
    ]

    /// Sums of two-decimal percentages pick up binary noise (0.0341 + 0.1792); cores are kept to a millionth.
    static func roundedCores(_ cores: Double) -> Double {
        (cores * 1e6).rounded() / 1e6
    }

    /// The service a sample belongs to: by recorded container name or id, then by compose's container naming.
    static func match(_ sample: StatsSample, in projects: [ComposeProject]) -> ServiceIndex? {
        let keys = [sample.name, sample.id].filter { !$0.isEmpty }
        for (p, project) in projects.enumerated() {
            for (s, service) in project.services.enumerated() where service.komply.containers.contains(where: keys.contains) {
                return ServiceIndex(project: p, service: s)
            }
        }
        for (p, project) in projects.enumerated() {
            for (s, service) in project.services.enumerated() {
                for separator in ["-", "_"] {
                    let prefix = project.name + separator + service.name + separator
                    guard sample.name.hasPrefix(prefix) else { continue }
                    let number = sample.name.dropFirst(prefix.count)
                    if !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }) {
                        return ServiceIndex(project: p, service: s)
                    }
                }
            }
        }
        return nil
    }
}
