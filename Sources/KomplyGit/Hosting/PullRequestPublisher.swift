import Foundation

/// Opens or updates the pull request for a branch `komply sync` pushed: the hosted repository from
/// the remote's URL, the token from the environment, the API root from `apiURL` or the host.
public struct PullRequestPublisher: Sendable {
    /// The hosting API to talk to.
    public var host: HostingKind
    /// The API root as the user gave it; nil uses the host's default (`PullRequestClient.defaultAPIURL`).
    public var apiURL: String?
    /// Where the token is looked up (`PullRequestClient.tokenVariables`).
    public var environment: [String: String]
    /// How requests are sent.
    public var transport: HTTPTransport

    /// A publisher for `host`; the environment and transport are replaceable for tests.
    public init(
        host: HostingKind, apiURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        transport: HTTPTransport = URLSessionTransport()
    ) {
        self.host = host
        self.apiURL = apiURL
        self.environment = environment
        self.transport = transport
    }

    /// Opens the pull request from `branch` into `base` of the repository `remoteURL` names, or updates
    /// the one already open (title and body).
    public func publish(remoteURL: String, branch: String, base: String, title: String, body: String) async throws
        -> PublishedPullRequest
    {
        guard let hosted = HostedRepository(remoteURL: remoteURL) else {
            throw GitError.unhostedRemote(remote: RepositoryInfo.publicURL(remoteURL))
        }
        let token = try Self.token(for: host, in: environment)
        guard let api = apiURL.flatMap(URL.init(string:)) ?? PullRequestClient.defaultAPIURL(kind: host, repository: hosted) else {
            throw GitError.invalidAPIURL(apiURL ?? "")
        }
        let client = PullRequestClient(kind: host, apiURL: api, repository: hosted, token: token, transport: transport)
        return try await client.publish(PullRequestDraft(head: branch, base: base, title: title, body: body))
    }

    /// The first non-empty token among `host`'s variables in `environment`.
    public static func token(for host: HostingKind, in environment: [String: String]) throws(GitError) -> String {
        let variables = PullRequestClient.tokenVariables(for: host)
        guard let token = variables.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else {
            throw .missingToken(variables: variables)
        }
        return token
    }
}
