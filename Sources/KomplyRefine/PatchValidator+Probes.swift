import Foundation
import KomplyCore

extension PatchValidator {
    /// Sane ranges for probe timings, in seconds or counts.
    static let probeTimings: [String: ClosedRange<Int>] = [
        "initialDelaySeconds": 0...600, "periodSeconds": 1...300, "timeoutSeconds": 1...60, "failureThreshold": 1...30,
        "successThreshold": 1...10,
    ]

    /// `/containers/<name>/<probe>/…`: timings within sane ranges, a path that is a plain URL path, a port the
    /// container declares; only on a probe and handler the draft already has.
    func probe(
        _ operation: PatchOperation, _ rest: [String], container: String, at path: [TreeStep], workload: Int, _ draft: ServiceDraft
    ) throws -> PatchReview.Change {
        let probe = rest[0]
        let document = draft.documents[workload]
        guard let current = document.value(at: path + [.key(probe)]), current.objectMembers != nil else {
            throw Rejected("container \(container) has no \(probe); probes are added by the generator, not by refinement")
        }
        let target = path + rest.map { TreeStep.key($0) }
        let group = "\(container)/\(probe)"
        if rest.count == 2, let range = Self.probeTimings[rest[1]] {
            var range = range
            // Kubernetes requires successThreshold 1 for liveness and startup probes.
            if rest[1] == "successThreshold" && probe != "readinessProbe" { range = 1...1 }
            let value = try whole(operation, "\(probe).\(rest[1])", range)
            return PatchReview.Change(operation: operation, document: workload, path: target, value: .int(value), group: group)
        }
        guard rest.count == 3 else { throw notAllowed(operation.path) }
        guard current[rest[1]] != nil else {
            throw Rejected("the \(probe) of container \(container) has no \(rest[1]) handler; the handler is not changed by refinement")
        }
        switch (rest[1], rest[2]) {
        case ("httpGet", "path"):
            guard case .string(let text) = operation.value, text.hasPrefix("/"), text.count <= 200,
                text.unicodeScalars.allSatisfy({ Self.urlPathCharacters.contains($0) })
            else { throw Rejected("httpGet.path must be a URL path starting with / (at most 200 plain characters)") }
            return PatchReview.Change(operation: operation, document: workload, path: target, value: .string(text), group: group)
        case ("httpGet", "port"), ("tcpSocket", "port"):
            let ports = (document.value(at: path + [.key("ports")])?.arrayItems ?? [])
            let numbers = Set(ports.compactMap { $0["containerPort"]?.wholeNumber })
            let names = Set(ports.compactMap { $0["name"]?.stringValue })
            if let number = operation.value.wholeNumber {
                guard numbers.contains(number) else {
                    throw Rejected(
                        "port \(number) is not a port container \(container) declares (\(numbers.sorted().map(String.init).joined(separator: ", ")))"
                    )
                }
                return PatchReview.Change(operation: operation, document: workload, path: target, value: .int(number), group: group)
            }
            guard case .string(let name) = operation.value, names.contains(name) else {
                throw Rejected("the probe port must be a port container \(container) declares")
            }
            return PatchReview.Change(operation: operation, document: workload, path: target, value: .string(name), group: group)
        default:
            throw notAllowed(operation.path)
        }
    }

    /// Characters a probe path may hold: unreserved, sub-delims, `/`, `?`, `%`, `:`, `@`.
    static let urlPathCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?%:@!$&'()*+,;=")
}
