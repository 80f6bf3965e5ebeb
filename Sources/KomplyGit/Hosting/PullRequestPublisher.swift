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

    /// Checks before anything is pushed that the API answers, accepts the token and sees the repository
    /// `remoteURL` names (one GET); the errors name the URL and the fix.
    public func check(remoteURL: String) async throws {
        let (client, variable) = try self.client(remoteURL: remoteURL)
        try await client.checkAccess(tokenVariable: variable)
    }

    /// Opens the pull request from `branch` into `base` of the repository `remoteURL` names, or updates
    /// the one already open (title and body).
    public func publish(remoteURL: String, branch: String, base: String, title: String, body: String) async throws
        -> PublishedPullRequest
    {
        try await client(remoteURL: remoteURL).client.publish(PullRequestDraft(head: branch, base: base, title: title, body: body))
    }

    /// The client for the repository `remoteURL` names, and the variable its token came from.
    func client(remoteURL: String) throws -> (client: PullRequestClient, tokenVariable: String) {
        guard let hosted = HostedRepository(remoteURL: remoteURL) else {
            throw GitError.unhostedRemote(remote: RepositoryInfo.publicURL(remoteURL))
        }
        let (token, variable) = try Self.tokenAndVariable(for: host, in: environment)
        let api: URL
        if let apiURL {
            guard let url = URL(string: apiURL), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw GitError.invalidAPIURL(apiURL)
            }
            api = url
        } else {
            guard let url = PullRequestClient.defaultAPIURL(kind: host, repository: hosted) else {
                throw GitError.noAPIURL(kind: host.rawValue, remote: RepositoryInfo.publicURL(remoteURL))
            }
            api = url
        }
        return (PullRequestClient(kind: host, apiURL: api, repository: hosted, token: token, transport: transport), variable)
    }

    /// The first non-empty token among `host`'s variables in `environment`.
    public static func token(for host: HostingKind, in environment: [String: String]) throws(GitError) -> String {
        try tokenAndVariable(for: host, in: environment).token
    }

    /// The first non-empty token among `host`'s variables, and that variable's name.
    static func tokenAndVariable(for host: HostingKind, in environment: [String: String]) throws(GitError) -> (
        token: String, variable: String
    ) {
        let variables = PullRequestClient.tokenVariables(for: host)
        for variable in variables {
            if let token = environment[variable], !token.isEmpty { return (token, variable) }
        }
        throw .missingToken(variables: variables)
    }
}
