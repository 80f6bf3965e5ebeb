import Foundation
import KomplyCore

/// The JSON-lines form of a history: one `{"type": "deployment" | "sample" | "event", …}` object a
/// line, members sorted, times in RFC 3339 UTC, so the file diffs well in git. `app` is written when the
/// row has one (rows recorded before history was keyed by app have none); a deployment's `source` (`llm`,
/// `manual`) when it is not `deterministic`, so histories recorded before sources existed export unchanged.
public enum HistoryJSONLines {
    /// Encodes a batch, deployments first, then samples, then events.
    public static func encode(_ batch: HistoryBatch) -> String {
        var out = ""
        for record in batch.deployments {
            var resources: [String: ValueTree] = [:]
            resources["cpu_request"] = record.resources.cpuRequest.map { .double($0) }
            resources["cpu_limit"] = record.resources.cpuLimit.map { .double($0) }
            resources["memory_request"] = record.resources.memoryRequest.map { .double($0) }
            resources["memory_limit"] = record.resources.memoryLimit.map { .double($0) }
            var object: [String: ValueTree] = [
                "type": .string("deployment"), "service": .string(record.service), "container": .string(record.container),
                "time": .string(Timestamp.format(record.time)), "features": .sortedObject(record.features.mapValues { .string($0) }),
                "resources": .sortedObject(resources),
            ]
            if !record.app.isEmpty { object["app"] = .string(record.app) }
            object["image"] = record.image.map { .string($0) }
            object["runtime"] = record.runtime.map { .string($0) }
            object["role"] = record.role.map { .string($0) }
            object["replicas"] = record.replicas.map { .int($0) }
            object["environment"] = record.environment.map { .string($0) }
            object["cluster"] = record.cluster.map { .string($0) }
            object["commit"] = record.commit.map { .string($0) }
            object["outcome"] = record.outcome.map { .string($0) }
            if record.source != .deterministic { object["source"] = .string(record.source.rawValue) }
            out += JSONEmitter.emit(.sortedObject(object), pretty: false) + "\n"
        }
        for sample in batch.samples {
            var object: [String: ValueTree] = [
                "type": .string("sample"), "service": .string(sample.service), "container": .string(sample.container),
                "time": .string(Timestamp.format(sample.time)), "resource": .string(sample.resource.rawValue),
                "value": .double(sample.value), "source": .string(sample.source),
            ]
            if !sample.app.isEmpty { object["app"] = .string(sample.app) }
            out += JSONEmitter.emit(.sortedObject(object), pretty: false) + "\n"
        }
        for event in batch.events {
            var object: [String: ValueTree] = [
                "type": .string("event"), "service": .string(event.service), "container": .string(event.container),
                "time": .string(Timestamp.format(event.time)), "kind": .string(event.kind.rawValue), "detail": .string(event.detail),
            ]
            if !event.app.isEmpty { object["app"] = .string(event.app) }
            object["value"] = event.value.map { .double($0) }
            out += JSONEmitter.emit(.sortedObject(object), pretty: false) + "\n"
        }
        return out
    }

    /// Decodes JSON lines; blank lines are skipped; every problem names file:line:column.
    ///
    /// `app` (`--app`) is the app of every row; a row naming another app is refused rather than re-attributed.
    public static func decode(_ text: String, file: String, app: String? = nil) throws(PredictError) -> HistoryBatch {
        var batch = HistoryBatch()
        for (index, line) in text.lineSlices.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            let node = try JSONNodes.parseLine(String(line), file: file, line: index + 1)
            let fields = NodeFields(node: node, lineOffset: index)
            let rowApp = try fields.app(option: app)
            switch try fields.string("type") {
            case "deployment":
                let resources = fields.child("resources")
                batch.deployments.append(
                    DeploymentRecord(
                        app: rowApp, service: try fields.string("service"), container: try fields.container(),
                        image: try fields.optionalString("image"), runtime: try fields.optionalString("runtime"),
                        role: try fields.optionalString("role"),
                        features: try fields.stringMap("features"),
                        resources: ResourceAmounts(
                            cpuRequest: try resources?.optionalNumber("cpu_request", within: .cpuCores),
                            cpuLimit: try resources?.optionalNumber("cpu_limit", within: .cpuCores),
                            memoryRequest: try resources?.optionalNumber("memory_request", within: .memoryBytes),
                            memoryLimit: try resources?.optionalNumber("memory_limit", within: .memoryBytes)),
                        replicas: try fields.optionalNumber("replicas", within: .replicas).map { Int($0) },
                        environment: try fields.optionalString("environment"),
                        cluster: try fields.optionalString("cluster"), commit: try fields.optionalString("commit"),
                        time: try fields.time("time"),
                        outcome: try fields.optionalString("outcome"), source: try fields.sizingSource()))
            case "sample":
                let resourceText = try fields.string("resource")
                guard let resource = ResourceKind(rawValue: resourceText) else {
                    throw .invalidInput(fields.location("resource"), expected: "resource \"cpu\" or \"memory\", not \"\(resourceText)\"")
                }
                batch.samples.append(
                    UsageSample(
                        app: rowApp, service: try fields.string("service"), container: try fields.container(),
                        time: try fields.time("time"), resource: resource,
                        value: try fields.number("value", within: resource == .cpu ? .cpuCores : .memoryBytes),
                        source: try fields.optionalString("source") ?? "jsonl"))
            case "event":
                let kindText = try fields.string("kind")
                guard let kind = UsageEvent.Kind(rawValue: kindText) else {
                    throw .invalidInput(fields.location("kind"), expected: "kind oom_killed, throttled or restart, not \"\(kindText)\"")
                }
                batch.events.append(
                    UsageEvent(
                        app: rowApp, service: try fields.string("service"), container: try fields.container(),
                        time: try fields.time("time"), kind: kind,
                        value: try fields.optionalNumber("value", within: HistoryBatch.bound(of: kind)),
                        detail: try fields.optionalString("detail") ?? ""))
            case let other:
                throw .invalidInput(fields.location("type"), expected: "type \"deployment\", \"sample\" or \"event\", not \"\(other)\"")
            }
        }
        return batch
    }
}

/// JSON parsing with positions for importers.
enum JSONNodes {
    /// Parses a whole JSON (or YAML) file.
    static func parse(_ data: Data, file: String) throws(PredictError) -> Node {
        do {
            let documents = try YAMLLoader.parse(bytes: data, file: file)
            guard let node = documents.first else {
                throw PredictError.invalidInput(SourceLocation(file: file), expected: "a JSON document, found an empty file")
            }
            return node
        } catch let error as PredictError {
            throw error
        } catch let error as CoreError {
            throw .invalidInput(error.location ?? SourceLocation(file: file), expected: "valid JSON (\(error.localizedDescription))")
        } catch {
            throw .unreadable(file: file, reason: "\(error)")
        }
    }

    /// Parses one line of a JSON-lines file; positions are shifted to the line.
    static func parseLine(_ text: String, file: String, line: Int) throws(PredictError) -> Node {
        do {
            guard let node = try YAMLLoader.parse(text, file: file).first, node.mapping != nil,
                text.trimmingCharacters(in: .whitespaces).hasPrefix("{")
            else {
                throw PredictError.invalidInput(
                    SourceLocation(
                        file: file,
                        range: SourceRange(
                            start: SourcePosition(line: line, column: 1), end: SourcePosition(line: line, column: 2))),
                    expected: "a JSON object on this line")
            }
            return node
        } catch let error as PredictError {
            throw error
        } catch let error as CoreError {
            var location = error.location ?? SourceLocation(file: file)
            if var range = location.range {
                range.start.line = line
                range.end.line = line
                location.range = range
            }
            throw .invalidInput(
                location,
                expected:
                    "a JSON object (\(error.localizedDescription.split(separator: ":").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "syntax error"))"
            )
        } catch {
            throw .unreadable(file: file, reason: "\(error)")
        }
    }
}

/// Typed reads of a mapping node's members, each failure naming file:line:column.
struct NodeFields {
    var node: Node
    /// Added to every line number (JSON lines parse one line at a time).
    var lineOffset = 0

    func location(_ key: String? = nil) -> SourceLocation {
        var location = (key.flatMap { node.pair($0)?.value } ?? node).location
        if var range = location.range {
            range.start.line += lineOffset
            range.end.line += lineOffset
            location.range = range
        }
        return location
    }

    func child(_ key: String) -> NodeFields? {
        node[key].flatMap { $0.isNull ? nil : NodeFields(node: $0, lineOffset: lineOffset) }
    }

    func optionalString(_ key: String) throws(PredictError) -> String? {
        guard let value = node[key], !value.isNull else { return nil }
        guard let text = value.scalar else {
            throw .invalidInput(location(key), expected: "\"\(key)\" to be a string, found \(value.kindName)")
        }
        return text
    }

    func string(_ key: String) throws(PredictError) -> String {
        guard let text = try optionalString(key) else { throw .invalidInput(location(), expected: "a \"\(key)\" member") }
        return text
    }

    func optionalNumber(_ key: String) throws(PredictError) -> Double? {
        guard let value = node[key], !value.isNull else { return nil }
        guard let text = value.scalar, let number = Double(text) else {
            throw .invalidInput(location(key), expected: "\"\(key)\" to be a number, found \(value.kindName)")
        }
        return number
    }

    /// A number within `bound`: NaN, infinities and values beyond it are refused at the member's position.
    func optionalNumber(_ key: String, within bound: NumberBound) throws(PredictError) -> Double? {
        guard let number = try optionalNumber(key) else { return nil }
        do { return try BoundedNumber.check(number, bound) } catch {
            throw .invalidInput(location(key), expected: "\"\(key)\" within bounds: \(error.localizedDescription)")
        }
    }

    /// A required number within `bound`.
    func number(_ key: String, within bound: NumberBound) throws(PredictError) -> Double {
        guard let number = try optionalNumber(key, within: bound) else { throw .invalidInput(location(), expected: "a \"\(key)\" member") }
        return number
    }

    func number(_ key: String) throws(PredictError) -> Double {
        guard let number = try optionalNumber(key) else { throw .invalidInput(location(), expected: "a \"\(key)\" member") }
        return number
    }

    func time(_ key: String) throws(PredictError) -> Double {
        let text = try string(key)
        guard let seconds = Timestamp.parse(text) else {
            throw .invalidInput(
                location(key), expected: "\"\(key)\" to be an RFC 3339 time such as 2026-01-31T12:00:00Z, found \"\(text)\"")
        }
        do { return try BoundedNumber.check(seconds, .unixSeconds) } catch {
            throw .invalidInput(location(key), expected: "\"\(key)\" between 1970 and 2100: \(error.localizedDescription)")
        }
    }

    /// The row's app key: `option` (`--app`) when given, else the `app` member, else '' (legacy). A row whose
    /// `app` differs from `option` is refused: re-attributing another app's history would size the wrong app.
    func app(option: String?) throws(PredictError) -> String {
        let own = try optionalString("app").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        guard let option else { return HistoryApp.key(own ?? "") }
        if let own, HistoryApp.key(own) != HistoryApp.key(option) {
            throw .invalidInput(
                location("app"),
                expected: "app \"\(HistoryApp.key(option))\" as --app says, found \"\(own)\" (import that app's rows without --app)")
        }
        return HistoryApp.key(option)
    }

    /// A deployment's `source`: `deterministic` when absent, else one of `SizingSource`'s values.
    func sizingSource() throws(PredictError) -> SizingSource {
        guard let text = try optionalString("source") else { return .deterministic }
        guard let source = SizingSource(rawValue: text) else {
            throw .invalidInput(
                location("source"),
                expected: "source \(SizingSource.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), not \"\(text)\"")
        }
        return source
    }

    func container() throws(PredictError) -> String {
        if let container = try optionalString("container") { return container }
        return try string("service")
    }

    func stringMap(_ key: String) throws(PredictError) -> [String: String] {
        guard let value = node[key], !value.isNull else { return [:] }
        guard let pairs = value.mapping else { throw .invalidInput(location(key), expected: "\"\(key)\" to be an object") }
        var map: [String: String] = [:]
        for pair in pairs {
            guard let k = pair.key.scalar, let v = pair.value.scalar else {
                throw .invalidInput(
                    NodeFields(node: pair.value, lineOffset: lineOffset).location(), expected: "string values in \"\(key)\"")
            }
            map[k] = v
        }
        return map
    }
}
