import Foundation
import KomplyCore

/// The engine's side of "the LLM proposes, the engine disposes": accepts an operation only on an
/// allow-listed path and only within bounds, judged from the draft and the sizing evidence alone (never
/// from the prompt, so text planted in labels or env values cannot widen what is accepted).
public struct PatchValidator: Sendable {
    /// Resources may move within [reference ÷ factor, reference × factor] of the draft's value.
    public var resourceFactor: Double

    /// The paths an operation may name, as the prompt and the rejections state them.
    public static let allowList = [
        "/containers/<name>/resources/{requests,limits}/{cpu,memory}",
        "/containers/<name>/{livenessProbe,readinessProbe,startupProbe}/{initialDelaySeconds,periodSeconds,timeoutSeconds,failureThreshold,successThreshold}",
        "/containers/<name>/{livenessProbe,readinessProbe,startupProbe}/{httpGet/path,httpGet/port,tcpSocket/port}",
        "/containers/<name>/env/{JAVA_TOOL_OPTIONS,JAVA_OPTS,NODE_OPTIONS,GOMEMLIMIT} (memory flags only)",
        "/replicas (Deployments without an autoscaler)",
        "/autoscaling/{minReplicas,maxReplicas,targetCPUUtilizationPercentage}",
        "/annotations/komply.dev~1review-note",
    ]

    /// A validator; `resourceFactor` is komply.yaml's `refine.resourceFactor`.
    public init(resourceFactor: Double = 2) {
        self.resourceFactor = resourceFactor
    }

    /// Every operation of `proposal` judged against `draft`: accepted (resolved) or rejected with a reason.
    public func review(_ proposal: PatchProposal, draft: ServiceDraft) -> PatchReview {
        var review = PatchReview(
            accepted: [], rejected: proposal.malformed.map { PatchReview.Rejection(operation: "malformed", reason: $0) })
        var working = draft
        var touched: Set<String> = []
        for operation in proposal.operations {
            let outcome = resolve(operation, in: working, original: draft)
            switch outcome {
            case .failure(let rejection):
                review.rejected.append(PatchReview.Rejection(operation: operation.summary, reason: rejection.reason))
            case .success(let change):
                let key = "\(change.document)/\(change.path.map(\.description).joined(separator: "/"))"
                guard !touched.contains(key) else {
                    review.rejected.append(
                        PatchReview.Rejection(operation: operation.summary, reason: "a second operation on the same path"))
                    continue
                }
                touched.insert(key)
                review.accepted.append(change)
                working.documents = PatchReview(accepted: [change], rejected: []).applied(to: working.documents)
            }
        }
        enforceConstraints(&review, draft: draft)
        return review
    }
}

/// Why one operation is rejected.
struct Rejected: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension PatchValidator {
    /// The change `operation` makes to `draft` (with earlier accepted changes applied), or why not.
    func resolve(_ operation: PatchOperation, in draft: ServiceDraft, original: ServiceDraft) -> Result<PatchReview.Change, Rejected> {
        guard operation.op == "replace" || operation.op == "add" else {
            return .failure(Rejected("op \(operation.op) is not allowed (only replace and add)"))
        }
        guard operation.path.hasPrefix("/") else { return .failure(Rejected("the path must start with /")) }
        let parts = operation.path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
        guard let workload = draft.workloadIndex, let kind = draft.workloadKind else {
            return .failure(Rejected("the service has no workload to refine"))
        }
        do {
            switch parts.first ?? "" {
            case "containers":
                guard parts.count >= 3 else { throw notAllowed(operation.path) }
                let name = parts[1]
                guard let container = draft.containerPath(name) else {
                    throw Rejected(
                        "\(kind.rawValue) \(draft.service) has no container \(name) (containers: \(draft.containerNames.joined(separator: ", ")))"
                    )
                }
                let rest = Array(parts[2...])
                switch rest[0] {
                case "resources":
                    return .success(try resource(operation, rest, container: name, at: container, workload: workload, draft, original))
                case "livenessProbe", "readinessProbe", "startupProbe":
                    return .success(try probe(operation, rest, container: name, at: container, workload: workload, draft))
                case "env":
                    return .success(try runtimeFlag(operation, rest, container: name, at: container, workload: workload, draft, original))
                case "image": throw Rejected("the image is never changed by refinement; it comes from the sources")
                case "securityContext", "command", "args", "volumeMounts", "ports":
                    throw Rejected(
                        "\(rest[0]) is not on the allow-list: security, commands, mounts and ports come from the sources and the policy")
                default: throw notAllowed(operation.path)
                }
            case "replicas" where parts.count == 1:
                return .success(try replicas(operation, kind: kind, workload: workload, draft, original))
            case "autoscaling" where parts.count == 2:
                return .success(try autoscaling(operation, field: parts[1], draft, original))
            case "annotations" where parts.count >= 2:
                return .success(try annotation(operation, key: parts[1...].joined(separator: "/"), workload: workload))
            case "spec", "metadata", "hostNetwork", "hostPID", "hostIPC", "securityContext", "serviceAccountName", "volumes":
                throw Rejected("\(operation.path) is not on the allow-list: pod-level settings come from the sources and the policy")
            default:
                throw notAllowed(operation.path)
            }
        } catch let rejected as Rejected {
            return .failure(rejected)
        } catch {
            return .failure(Rejected(error.localizedDescription))
        }
    }

    /// The rejection for a path outside the allow-list.
    func notAllowed(_ path: String) -> Rejected {
        Rejected("\(path) is not on the allow-list (\(Self.allowList.joined(separator: "; ")))")
    }

    /// A whole number from an operation's value, within `range`.
    func whole(_ operation: PatchOperation, _ what: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let number = operation.value.wholeNumber else {
            throw Rejected("\(what) must be a whole number, not \(operation.value.compactJSON)")
        }
        guard range.contains(number) else { throw Rejected("\(what) \(number) is outside \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    /// [current ÷ factor, current × factor] for counts, rounded outwards.
    func countRange(around current: Int, floor: Int = 1) -> ClosedRange<Int> {
        let low = max(floor, Int((Double(current) / resourceFactor).rounded(.down)))
        let high = max(low, Int((Double(max(current, 1)) * resourceFactor).rounded(.up)))
        return low...high
    }
}
