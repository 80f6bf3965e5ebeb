import CGit2
import Foundation

/// How komply authenticates to a remote: a token over HTTPS, or the SSH agent.
public struct GitCredentials: Sendable {
    /// The user name sent with the token (GitHub accepts `x-access-token`, GitLab `oauth2`, Gitea any).
    public var username: String?
    /// The token sent as the HTTPS password; never logged.
    public var token: String?
    /// Whether SSH remotes may use keys from the agent (`SSH_AUTH_SOCK`).
    public var sshAgent: Bool

    public init(username: String? = nil, token: String? = nil, sshAgent: Bool = true) {
        self.username = username
        self.token = token
        self.sshAgent = sshAgent
    }

    /// The variables a token is read from, first found wins.
    public static let tokenVariables = ["KOMPLY_GIT_TOKEN", "GITHUB_TOKEN", "GITEA_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"]

    /// Credentials from `KOMPLY_GIT_TOKEN` (or the hosts' usual variables) and `KOMPLY_GIT_USERNAME`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> GitCredentials {
        let token = tokenVariables.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        var username = environment["KOMPLY_GIT_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        if username == nil, environment["KOMPLY_GIT_TOKEN"] == nil, environment["CI_JOB_TOKEN"] == token, token != nil {
            username = "gitlab-ci-token"
        }
        return GitCredentials(username: username, token: token)
    }
}

extension GitRepository {
    /// The URL of remote `name`, or `name` itself when it is a URL or a path.
    public func remoteURL(_ name: String) throws -> String {
        let remote = try lookupRemote(name)
        defer { git_remote_free(remote) }
        guard let url = git_remote_url(remote) else { throw GitError.unknownRemote(name) }
        return String(cString: url)
    }

    /// The branches the remote has (`refs/heads/…` → commit id), as `git ls-remote --heads` lists them.
    public func remoteBranches(_ remote: String, credentials: GitCredentials) throws -> [String: String] {
        let handleRemote = try lookupRemote(remote)
        defer { git_remote_free(handleRemote) }
        let session = CallbackSession(credentials: credentials)
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        session.install(in: &callbacks)
        defer { session.release() }
        let code = git_remote_connect(handleRemote, GIT_DIRECTION_FETCH, &callbacks, nil, nil)
        try session.check(code, remote: remote, operation: "connect to \(remote)")
        defer { git_remote_disconnect(handleRemote) }
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check(git_remote_ls(&heads, &count, handleRemote), "list the branches of \(remote)")
        var branches: [String: String] = [:]
        for index in 0..<count {
            guard let head = heads?[index] else { continue }
            let name = String(cString: head.pointee.name)
            guard name.hasPrefix("refs/heads/") else { continue }
            var id = head.pointee.oid
            branches[name] = hex(&id)
        }
        return branches
    }

    /// Fetches `branch` from `remote` into `refs/remotes/<remote>/<branch>` (objects and that ref only)
    /// and returns its tip; nil when the remote has no such branch.
    @discardableResult
    public func fetch(branch: String, from remote: String, credentials: GitCredentials) throws -> String? {
        guard let tip = try remoteBranches(remote, credentials: credentials)["refs/heads/" + branch] else { return nil }
        let handleRemote = try lookupRemote(remote)
        defer { git_remote_free(handleRemote) }
        let session = CallbackSession(credentials: credentials)
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        session.install(in: &options.callbacks)
        defer { session.release() }
        let trackingName = isURL(remote) ? "komply-remote" : remote
        let refspec = "+refs/heads/\(branch):refs/remotes/\(trackingName)/\(branch)"
        let code = withStringArray([refspec]) { array in
            git_remote_fetch(handleRemote, &array, &options, "komply sync: fetch \(branch)")
        }
        try session.check(code, remote: remote, operation: "fetch \(branch) from \(remote)")
        return tip
    }

    /// Pushes `branch` to the same name on `remote` as a fast-forward (never forced).
    public func push(branch: String, to remote: String, credentials: GitCredentials) throws {
        let handleRemote = try lookupRemote(remote)
        defer { git_remote_free(handleRemote) }
        let session = CallbackSession(credentials: credentials)
        var options = git_push_options()
        git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        session.install(in: &options.callbacks)
        defer { session.release() }
        let refspec = "refs/heads/\(branch):refs/heads/\(branch)"
        let code = withStringArray([refspec]) { array in git_remote_push(handleRemote, &array, &options) }
        try session.check(code, remote: remote, operation: "push \(branch) to \(remote)")
        if let (reference, reason) = session.rejected.first { throw GitError.pushRejected(reference: reference, reason: reason) }
    }
}

private extension GitRepository {
    func isURL(_ remote: String) -> Bool {
        remote.contains("://") || remote.hasPrefix("/") || remote.hasPrefix(".") || remote.contains("@") && remote.contains(":")
    }

    /// A named remote, or an anonymous one for a URL or path.
    func lookupRemote(_ name: String) throws -> OpaquePointer {
        var remote: OpaquePointer?
        if isURL(name) {
            try check(git_remote_create_anonymous(&remote, handle, name), "use remote \(RepositoryInfo.publicURL(name))")
            return remote!
        }
        let code = git_remote_lookup(&remote, handle, name)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue { throw GitError.unknownRemote(name) }
        try check(code, "look up remote \(name)")
        return remote!
    }

    func withStringArray<Result>(_ strings: [String], _ body: (inout git_strarray) -> Result) -> Result {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
            return body(&array)
        }
    }
}

/// State shared with libgit2's C callbacks for one network operation: the credentials to offer
/// (each kind once, so a refused token ends the operation instead of looping) and the refs the
/// server rejected.
final class CallbackSession {
    let credentials: GitCredentials
    var offered: Set<UInt32> = []
    var refusedCredentials = false
    var rejected: [(String, String)] = []
    private var retained: Unmanaged<CallbackSession>?

    init(credentials: GitCredentials) {
        self.credentials = credentials
    }

    func install(in callbacks: inout git_remote_callbacks) {
        let unmanaged = Unmanaged.passRetained(self)
        retained = unmanaged
        callbacks.payload = unmanaged.toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            guard let payload, let out else { return -1 }
            let session = Unmanaged<CallbackSession>.fromOpaque(payload).takeUnretainedValue()
            return session.provide(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowed: allowed)
        }
        callbacks.push_update_reference = { reference, status, payload in
            guard let payload, let status, let reference else { return 0 }
            let session = Unmanaged<CallbackSession>.fromOpaque(payload).takeUnretainedValue()
            session.rejected.append((String(cString: reference), String(cString: status)))
            return 0
        }
    }

    func release() {
        retained?.release()
        retained = nil
    }

    func provide(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, usernameFromURL: String?, allowed: UInt32) -> Int32 {
        let plaintext = GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue
        let sshKey = GIT_CREDENTIAL_SSH_KEY.rawValue
        let username = GIT_CREDENTIAL_USERNAME.rawValue
        if allowed & plaintext != 0, let token = credentials.token, !offered.contains(plaintext) {
            offered.insert(plaintext)
            let user = credentials.username ?? usernameFromURL ?? "x-access-token"
            return git_credential_userpass_plaintext_new(out, user, token)
        }
        if allowed & sshKey != 0, credentials.sshAgent, !offered.contains(sshKey) {
            offered.insert(sshKey)
            return git_credential_ssh_key_from_agent(out, usernameFromURL ?? credentials.username ?? "git")
        }
        if allowed & username != 0, !offered.contains(username) {
            offered.insert(username)
            return git_credential_username_new(out, usernameFromURL ?? credentials.username ?? "git")
        }
        refusedCredentials = true
        return GIT_EAUTH.rawValue
    }

    /// Maps a failed network call to an authentication error when credentials ran out, else libgit2's error.
    func check(_ code: Int32, remote: String, operation: String) throws {
        guard code < 0 else { return }
        let message = lastErrorMessage()
        if refusedCredentials || code == GIT_EAUTH.rawValue || message.contains("401") || message.lowercased().contains("authentication") {
            let detail = credentials.token == nil ? "no token was offered" : "the token was refused"
            throw GitError.authentication(remote: RepositoryInfo.publicURL(remote), detail: detail)
        }
        throw GitError.libgit2(
            operation: operation.replacingOccurrences(of: remote, with: RepositoryInfo.publicURL(remote)), code: code, message: message)
    }
}
