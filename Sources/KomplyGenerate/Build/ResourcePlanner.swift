import Foundation
import KomplyCore

/// Requests and limits for one container, with the reason for each number.
public struct ResourcePlan: Sendable, Equatable {
    public var cpuRequest: Quantity
    public var memoryRequest: Quantity
    public var cpuLimit: Quantity
    public var memoryLimit: Quantity
    /// Why these numbers, as one sentence for the `komply.dev/sizing` annotation.
    public var reason: String
    /// Warnings (e.g. a heap that exceeds the compose memory limit).
    public var warnings: [String]

    /// The `resources` member of a container.
    public var tree: ValueTree {
        .members([
            ("requests", .members([("cpu", .string(cpuRequest.description)), ("memory", .string(memoryRequest.description))])),
            ("limits", .members([("cpu", .string(cpuLimit.description)), ("memory", .string(memoryLimit.description))])),
        ])
    }
}

/// Role and runtime defaults, compose's declared resources, JVM heap, and `x-komply` overrides, in that order.
///
/// The sizing issue replaces the defaults with predictions from history; the order of precedence stays.
public enum ResourcePlanner {
    /// The plan for a service.
    public static func plan(
        _ service: ComposeService, classification: Classification, options: ServiceOptions,
        prediction: Recommendation? = nil
    ) -> ResourcePlan {
        let role = classification.role.value
        let runtime = classification.runtime.value
        // A CUDA runtime holds host memory of its own before the first request; GPU pods start from larger defaults.
        let base = classification.gpus != nil ? gpuDefaults : defaults(role: role, runtime: runtime)
        var cpuRequest = q(base.0), memoryRequest = q(base.1), cpuLimit = q(base.2), memoryLimit = q(base.3)
        var reasons = ["\(role.rawValue)/\(runtime.rawValue)\(classification.gpus != nil ? " GPU" : "") defaults"]
        var warnings: [String] = []
        if let prediction {
            // The sizing engine already weighed compose limits, heap flags and observed usage.
            cpuRequest = prediction.cpuRequest
            memoryRequest = prediction.memoryRequest
            memoryLimit = prediction.memoryLimit
            cpuLimit = prediction.cpuLimit ?? max(cpuLimit, cpuRequest)
            reasons = [String(format: "komply predict (confidence %.2f): ", prediction.confidence) + prediction.annotation]
            if prediction.cpuLimit == nil {
                reasons.append("cpu limit \(cpuLimit) from \(role.rawValue)/\(runtime.rawValue) defaults (the sizing policy sets none)")
            }
            warnings = prediction.warnings.map(\.message)
            return finish(cpuRequest, memoryRequest, cpuLimit, memoryLimit, options: options, reasons: reasons, warnings: warnings)
        }

        if let limits = service.deploy?.limits {
            if let cpus = limits.cpus, cpus > 0 {
                cpuLimit = Quantity(milliCPU: Int((cpus * 1000).rounded(.up)))
                reasons.append("compose cpu limit \(cpuLimit)")
            }
            if let bytes = limits.memoryBytes, bytes > 0 {
                memoryLimit = Quantity(bytes: Int(bytes))
                reasons.append("compose memory limit \(memoryLimit)")
            }
        }
        if let reservations = service.deploy?.reservations {
            if let cpus = reservations.cpus, cpus > 0 {
                cpuRequest = Quantity(milliCPU: Int((cpus * 1000).rounded(.up)))
                reasons.append("compose cpu reservation \(cpuRequest)")
            }
            if let bytes = reservations.memoryBytes, bytes > 0 {
                memoryRequest = Quantity(bytes: Int(bytes))
                reasons.append("compose memory reservation \(memoryRequest)")
            }
        }
        if let heap = jvmHeapBytes(service) {
            // Heap plus 25% and 256Mi for metaspace, thread stacks, code cache and direct buffers.
            let needed = roundUp(heap + heap / 4 + 256 << 20, to: 64 << 20)
            let heapText = Quantity(bytes: heap).description
            if memoryLimit.bytes < needed {
                let old = memoryLimit
                memoryLimit = Quantity(bytes: needed)
                let message = "JVM heap -Xmx \(heapText) plus overhead needs \(memoryLimit); memory limit raised from \(old)"
                warnings.append(message)
                reasons.append(message)
            } else {
                reasons.append("JVM heap \(heapText) plus overhead fits the \(memoryLimit) limit")
            }
            if memoryRequest.bytes < heap { memoryRequest = Quantity(bytes: roundUp(heap, to: 64 << 20)) }
        }
        if let observed = service.komply.observed {
            let used = Int(observed.memoryBytes)
            if memoryRequest.bytes < used {
                memoryRequest = Quantity(bytes: roundUp(used + used / 5, to: 16 << 20))
                reasons.append("observed \(Quantity(bytes: used)) in docker stats plus 20%")
            }
        }
        return finish(cpuRequest, memoryRequest, cpuLimit, memoryLimit, options: options, reasons: reasons, warnings: warnings)
    }

    /// Applies `x-komply.resources` and keeps every limit at or above its request.
    private static func finish(
        _ cpuRequest: Quantity, _ memoryRequest: Quantity, _ cpuLimit: Quantity, _ memoryLimit: Quantity,
        options: ServiceOptions, reasons: [String], warnings: [String]
    ) -> ResourcePlan {
        var cpuRequest = cpuRequest, memoryRequest = memoryRequest, cpuLimit = cpuLimit, memoryLimit = memoryLimit
        var reasons = reasons
        if let cpu = options.requests["cpu"] { cpuRequest = cpu }
        if let memory = options.requests["memory"] { memoryRequest = memory }
        if let cpu = options.limits["cpu"] { cpuLimit = cpu }
        if let memory = options.limits["memory"] { memoryLimit = memory }
        if !options.requests.isEmpty || !options.limits.isEmpty { reasons.append("x-komply.resources") }
        // A limit below its request is invalid; the request wins only where the user asked for it.
        if cpuLimit < cpuRequest { cpuLimit = cpuRequest }
        if memoryLimit < memoryRequest {
            if options.limits["memory"] != nil { memoryRequest = memoryLimit } else { memoryLimit = memoryRequest }
        }
        return ResourcePlan(
            cpuRequest: cpuRequest, memoryRequest: memoryRequest, cpuLimit: cpuLimit, memoryLimit: memoryLimit,
            reason: reasons.joined(separator: "; "), warnings: warnings)
    }

    /// The largest `-Xmx` in the JVM option variables or the command line, in bytes.
    public static func jvmHeapBytes(_ service: ComposeService) -> Int? {
        var texts = ["JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CATALINA_OPTS"].compactMap {
            service.environment[$0] ?? nil
        }
        texts += (service.entrypoint ?? []) + (service.command ?? [])
        var best: Int?
        for text in texts {
            for word in text.split(separator: " ") where word.hasPrefix("-Xmx") {
                // A heap past 4 EiB is no heap (the sizing engine warns about it); the sums below stay within Int.
                if let bytes = try? Quantity.parseComposeByteSize(String(word.dropFirst(4))),
                    (try? BoundedNumber.check(Int(bytes), .memoryBytes)) != nil
                {
                    best = max(best ?? 0, Int(bytes))
                }
            }
        }
        return best
    }
}

private extension ResourcePlanner {
    static func q(_ text: String) -> Quantity {
        // Built-in defaults below are valid quantities; a failure here is a bug in this table.
        guard let quantity = try? Quantity(parsing: text) else { preconditionFailure("bad default quantity \(text)") }
        return quantity
    }

    /// (cpu request, memory request, cpu limit, memory limit) of a container that reserves GPUs.
    static let gpuDefaults = ("1", "2Gi", "2", "4Gi")

    /// (cpu request, memory request, cpu limit, memory limit).
    static func defaults(role: Role, runtime: Runtime) -> (String, String, String, String) {
        switch runtime {
        case .jvm: return ("250m", "512Mi", "1", "1Gi")
        default: break
        }
        switch role {
        case .database, .queue: return ("250m", "512Mi", "1", "1Gi")
        case .cache: return ("100m", "128Mi", "500m", "256Mi")
        case .proxy: return ("50m", "64Mi", "500m", "128Mi")
        case .web: return ("100m", "128Mi", "500m", "256Mi")
        case .api, .worker, .batch:
            return runtime == .node || runtime == .python || runtime == .ruby
                ? ("100m", "256Mi", "1", "512Mi") : ("100m", "128Mi", "1", "256Mi")
        }
    }

    static func roundUp(_ value: Int, to step: Int) -> Int { (value + step - 1) / step * step }
}
