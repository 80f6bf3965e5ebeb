import KomplyCore

/// The physical bounds every history number must meet before it reaches the store (and after it is read back).
extension HistoryBatch {
    /// How far after "now" a sample may be dated before it counts as clock skew (the profile builder's tolerance).
    static let futureTolerance: Double = 300

    /// This batch without samples, events and deployments whose numbers are not finite or outside their
    /// `NumberBound` (values, replicas, times outside 1970…2100), or that are dated more than
    /// `futureTolerance` seconds after `now`; one warning per kind of drop says what was dropped and why.
    func bounded(now: Double?) -> HistoryBatch {
        var result = HistoryBatch(notes: notes)
        result.warnings = warnings
        var drops = Drops()
        for sample in samples {
            if let why = Self.problem(sample, now: now) {
                drops.add("sample", "\(sample.service)/\(sample.container) \(sample.resource.rawValue)", why)
            } else {
                result.samples.append(sample)
            }
        }
        for event in events {
            if let why = Self.problem(event, now: now) {
                drops.add("event", "\(event.service)/\(event.container) \(event.kind.rawValue)", why)
            } else {
                result.events.append(event)
            }
        }
        for record in deployments {
            if let why = Self.problem(record, now: now) {
                drops.add("deployment", "\(record.service)/\(record.container)", why)
            } else {
                result.deployments.append(record)
            }
        }
        result.warnings += drops.notes
        return result
    }

    /// Why `value` cannot be stored as `bound`'s kind of number, or nil when it can.
    static func problem(_ value: Double, _ bound: NumberBound) -> String? {
        do {
            try BoundedNumber.check(value, bound)
            return nil
        } catch {
            return error.localizedDescription
        }
    }

    /// Why a time cannot be stored (outside 1970…2100, or in the future), or nil when it can.
    static func problem(time: Double, now: Double?) -> String? {
        if let why = problem(time, .unixSeconds) { return "time \(why)" }
        if let now, time > now + futureTolerance {
            return "dated more than \(Int(futureTolerance)) s after now (\(Timestamp.format(now))); a future sample is clock skew"
        }
        return nil
    }

    /// Why a sample cannot be stored, or nil when it can.
    static func problem(_ sample: UsageSample, now: Double?) -> String? {
        problem(time: sample.time, now: now) ?? problem(sample.value, sample.resource == .cpu ? .cpuCores : .memoryBytes)
    }

    /// Why an event cannot be stored, or nil when it can.
    static func problem(_ event: UsageEvent, now: Double?) -> String? {
        problem(time: event.time, now: now) ?? event.value.flatMap { problem($0, bound(of: event.kind)) }
    }

    /// The bound an event's value meets: bytes for an OOM kill, a count for restarts, cores for throttling.
    static func bound(of kind: UsageEvent.Kind) -> NumberBound {
        switch kind {
        case .oomKilled: .memoryBytes
        case .restart: .count
        case .throttled: .cpuCores
        }
    }

    /// Why a deployment cannot be stored, or nil when it can.
    static func problem(_ record: DeploymentRecord, now: Double?) -> String? {
        if let why = problem(time: record.time, now: now) { return why }
        if let replicas = record.replicas, let why = problem(Double(replicas), .replicas) { return "replicas \(why)" }
        let amounts: [(String, Double?, NumberBound)] = [
            ("cpu_request", record.resources.cpuRequest, .cpuCores), ("cpu_limit", record.resources.cpuLimit, .cpuCores),
            ("memory_request", record.resources.memoryRequest, .memoryBytes),
            ("memory_limit", record.resources.memoryLimit, .memoryBytes),
        ]
        for (name, value, bound) in amounts {
            if let value, let why = problem(value, bound) { return "\(name) \(why)" }
        }
        return nil
    }
}

/// Dropped items counted by kind, with the first example of each, so a noisy file yields a few notes, not thousands.
private struct Drops {
    var counts: [String: (count: Int, example: String)] = [:]
    var order: [String] = []

    mutating func add(_ kind: String, _ what: String, _ why: String) {
        if let entry = counts[kind] {
            counts[kind] = (entry.count + 1, entry.example)
        } else {
            counts[kind] = (1, "\(what): \(why)")
            order.append(kind)
        }
    }

    var notes: [String] {
        order.map { kind in
            let entry = counts[kind]!
            return "dropped \(entry.count) \(kind)(s) outside komply's physical bounds (first: \(entry.example))"
        }
    }
}

extension UsageProfile {
    /// Whether every number of the profile is finite and within the bounds of what it measures.
    var isWithinBounds: Bool {
        let memory = [peakMemory] + memoryValues.map(\.value) + [oomBumpedMemory ?? 0]
        let cpu = [peakCPU] + cpuValues.map(\.value)
        let times = [firstSample ?? 0, lastSample ?? 0]
        let weights = (cpuValues + memoryValues).map(\.weight)
        return memory.allSatisfy { HistoryBatch.problem($0, .memoryBytes) == nil }
            && cpu.allSatisfy { HistoryBatch.problem($0, .cpuCores) == nil }
            && times.allSatisfy { HistoryBatch.problem($0, .unixSeconds) == nil }
            && weights.allSatisfy(\.isFinite)
    }
}
