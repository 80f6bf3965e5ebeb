import Foundation

/// Everything that can go wrong in `komply serve`: bad configuration, bad webhook deliveries and
/// failed regenerations.
public enum ServeError: LocalizedError, Equatable, Sendable {
    /// The webhook secret's environment variable is unset or empty.
    case missingSecret(variable: String)
    /// `--listen` is not `HOST:PORT`.
    case invalidListenAddress(String)
    /// The address could not be bound (in use, not local, not permitted).
    case cannotListen(address: String, detail: String)
    /// A numeric limit (queue capacity, body limit…) is out of range.
    case invalidLimit(name: String, value: Int, expected: String)
    /// A read timeout is zero, negative or too long.
    case invalidTimeout(name: String, value: Duration, expected: String)
    /// A request header the delivery needs is absent.
    case missingHeader(String)
    /// The body is not the JSON (or form-encoded JSON) payload a webhook sends.
    case malformedPayload(String)
    /// A payload field is missing, has the wrong type, or holds an unusable value.
    case invalidField(field: String, value: String, expected: String)
    /// The body is larger than the configured limit.
    case bodyTooLarge(limit: Int)
    /// The remote (as shown, without credentials) no longer has the pushed branch.
    case branchGone(remote: String, branch: String)
    /// The pushed commit is not in the clone after fetching its branch (a force push replaced it).
    case commitMissing(commit: String, branch: String)
    /// `komply sync` ended with a non-zero status; `tail` is the end of what it printed.
    case syncFailed(status: Int32, tail: String)
    /// A program could not be started.
    case cannotRun(executable: String, reason: String)
    /// A program ran longer than its time limit and was stopped.
    case timedOut(command: String, limit: Duration)
    /// `--store` is neither `memory` nor a usable `postgres://` URL.
    case invalidStore(String, expected: String)
    /// The shared store (named without a password) could not be reached, set up, read or written.
    case store(location: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missingSecret(let variable):
            return
                "\(variable) is not set; expected the webhook secret configured on GitHub or Gitea (komply serve refuses unsigned deliveries)"
        case .invalidListenAddress(let address):
            return "--listen \"\(address)\" is not HOST:PORT; expected for example 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
        case .cannotListen(let address, let detail):
            return "cannot listen on \(address): \(detail); expected a free port on an address of this machine"
        case .invalidLimit(let name, let value, let expected):
            return "\(name) \(value) is out of range; expected \(expected)"
        case .invalidTimeout(let name, let value, let expected):
            return "\(name) \(value) is out of range; expected \(expected)"
        case .missingHeader(let name):
            return "the \(name) header is missing; expected a webhook delivery from GitHub or Gitea"
        case .malformedPayload(let detail):
            return "malformed webhook payload: \(detail)"
        case .invalidField(let field, let value, let expected):
            return "payload field \(field) is \(value); expected \(expected)"
        case .bodyTooLarge(let limit):
            return "the request body is larger than \(limit) bytes; expected a webhook payload (GitHub caps them at 25 MiB)"
        case .branchGone(let remote, let branch):
            return "\(remote) has no branch \(branch) any more; nothing to regenerate"
        case .commitMissing(let commit, let branch):
            return "commit \(commit) is not on \(branch) after fetching; expected the pushed commit"
        case .syncFailed(let status, let tail):
            return "komply sync exited with status \(status)" + (tail.isEmpty ? "" : ": \(tail)")
        case .cannotRun(let executable, let reason):
            return "cannot run \(executable): \(reason)"
        case .timedOut(let command, let limit):
            return "\(command) took longer than \(limit) and was stopped"
        case .invalidStore(let value, let expected):
            return "--store \"\(value)\" is not usable; expected \(expected)"
        case .store(let location, let reason):
            return "\(location): serve store: \(reason)"
        }
    }
}
