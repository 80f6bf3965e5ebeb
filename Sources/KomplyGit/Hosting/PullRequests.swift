import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The code-hosting APIs komply opens pull requests through.
public enum HostingKind: String, Sendable, CaseIterable {
    case github, gitea, gitlab
}

/// Where a repository lives on a host, read from a remote URL.
public struct HostedRepository: Sendable, Equatable {
    /// `github.com`, `gitea.example.com:3000`.
    public var host: String
    /// `acme/shop` (GitLab: `group/subgroup/shop`).
    public var path: String
    /// `https` or `http` (SSH remotes use `https` for the API).
    public var scheme: String
    /// The remote is a folder (`/srv/git/acme/shop.git`, `file://…`): no API can be derived from it.
    public var isLocalPath = false

    public init(host: String, path: String, scheme: String = "https") {
        self.host = host
        self.path = path
        self.scheme = scheme
    }

    /// Parses `https://host/owner/repo.git`, `git@host:owner/repo.git`, `ssh://git@host/owner/repo`;
    /// for a local path, its last two folders. Credentials in the URL are dropped.
    public init?(remoteURL: String) {
        var url = remoteURL
        if url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix(".git") { url.removeLast(4) }
        if let schemeEnd = url.range(of: "://") {
            let scheme = String(url[..<schemeEnd.lowerBound]).lowercased()
            var rest = url[schemeEnd.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            var authority = rest[..<slash]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            rest = rest[rest.index(after: slash)...]
            if scheme == "file" {
                self.init(localPath: "/" + rest)
                return
            }
            guard !authority.isEmpty, rest.contains("/") else { return nil }
            var host = String(authority)
            // An SSH port is not the API's.
            if scheme.contains("ssh"), let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
            self.init(host: host, path: String(rest), scheme: scheme == "http" ? "http" : "https")
        } else if !url.hasPrefix("/"), !url.hasPrefix("."), let colon = url.firstIndex(of: ":") {
            var host = url[..<colon]
            if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
            let path = String(url[url.index(after: colon)...])
            guard !host.isEmpty, path.contains("/") else { return nil }
            self.init(host: String(host), path: path.hasPrefix("/") ? String(path.dropFirst()) : path)
        } else {
            self.init(localPath: url)
        }
    }

    private init?(localPath: String) {
        let parts = localPath.split(separator: "/")
        guard parts.count >= 2 else { return nil }
        self.init(host: "localhost", path: parts.suffix(2).joined(separator: "/"))
        isLocalPath = true
    }
}

/// One pull request to open or update: `head` into `base`.
public struct PullRequestDraft: Sendable, Equatable {
    public var head: String
    public var base: String
    public var title: String
    public var body: String

    public init(head: String, base: String, title: String, body: String) {
        self.head = head
        self.base = base
        self.title = title
        self.body = body
    }
}

/// The pull request after `publish`.
public struct PublishedPullRequest: Sendable, Equatable {
    /// GitHub/Gitea `number`, GitLab `iid`.
    public var number: Int
    /// The page people open (`html_url`, `web_url`).
    public var url: String
    /// True when this run opened it, false when it updated an open one.
    public var created: Bool
}

/// Sends HTTP requests; tests substitute nothing — they point the client at a loopback server.
public protocol HTTPTransport: Sendable {
    func send(_ request: URLRequest) async throws -> (Data, Int)
}

/// Foundation's URLSession (FoundationNetworking on Linux).
public struct URLSessionTransport: HTTPTransport {
    public init() {}

    public func send(_ request: URLRequest) async throws -> (Data, Int) {
        try await withCheckedThrowingContinuation { continuation in
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }
            task.resume()
        }
    }
}

/// Opens one pull request per branch on GitHub, Gitea/Forgejo or GitLab, or updates the open one
/// (title and body) — found by listing first, and again when creating answers "already exists".
public struct PullRequestClient: Sendable {
    public var kind: HostingKind
    /// The API root: `https://api.github.com` (GitHub Enterprise: `https://host/api/v3`); for Gitea
    /// and GitLab the server root (`/api/v1`, `/api/v4` are appended).
    public var apiURL: URL
    public var repository: HostedRepository
    /// Sent in the host's header; never logged.
    var token: String
    var transport: HTTPTransport

    public init(
        kind: HostingKind, apiURL: URL, repository: HostedRepository, token: String, transport: HTTPTransport = URLSessionTransport()
    ) {
        self.kind = kind
        self.apiURL = apiURL
        self.repository = repository
        self.token = token
        self.transport = transport
    }

    /// The API root a host's public instance uses, from the repository's host; nil for a local path.
    public static func defaultAPIURL(kind: HostingKind, repository: HostedRepository) -> URL? {
        guard !repository.isLocalPath else { return nil }
        switch kind {
        case .github:
            return URL(
                string: repository.host == "github.com" ? "https://api.github.com" : "\(repository.scheme)://\(repository.host)/api/v3")
        case .gitea, .gitlab:
            return URL(string: "\(repository.scheme)://\(repository.host)")
        }
    }

    /// Environment variables a token is read from for `kind`, first found wins.
    public static func tokenVariables(for kind: HostingKind) -> [String] {
        switch kind {
        case .github: return ["KOMPLY_API_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "KOMPLY_GIT_TOKEN"]
        case .gitea: return ["KOMPLY_API_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN", "KOMPLY_GIT_TOKEN"]
        case .gitlab: return ["KOMPLY_API_TOKEN", "GITLAB_TOKEN", "KOMPLY_GIT_TOKEN"]
        }
    }

    /// Checks, with one authenticated GET of the repository, that the API answers at `apiURL`, accepts
    /// the token and can see the repository; `sync --pr` calls it before pushing anything.
    /// `tokenVariable` names where the token came from in the errors (never the token).
    public func checkAccess(tokenVariable: String) async throws {
        let url = apiURL.absoluteString.trimmingSuffix("/") + projectPath
        let data: Data
        let status: Int
        do {
            (data, status) = try await call("GET", projectPath, body: nil)
        } catch {
            throw GitError.hostingUnreachable(kind: kind.rawValue, url: url, detail: Self.transportDetail(error))
        }
        switch status {
        case 200:
            guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                throw GitError.notAHostingAPI(kind: kind.rawValue, url: url, status: status)
            }
        case 401, 403:
            throw GitError.tokenRefused(url: url, status: status, variable: tokenVariable, repository: repository.path)
        case 404:
            throw GitError.repositoryNotFound(kind: kind.rawValue, url: url, repository: repository.path, variable: tokenVariable)
        default:
            guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
                throw GitError.notAHostingAPI(kind: kind.rawValue, url: url, status: status)
            }
            throw apiError(status, data, "GET", projectPath)
        }
    }

    /// Opens the pull request, or updates the one already open for `draft.head` → `draft.base`.
    public func publish(_ draft: PullRequestDraft) async throws -> PublishedPullRequest {
        if let open = try await findOpen(draft) {
            return try await update(open, draft)
        }
        let (data, status) = try await call("POST", collectionPath, body: createBody(draft))
        if status == 201 || status == 200 {
            let object = try json(data, status: status)
            return PublishedPullRequest(number: try number(object, status: status), url: try webURL(object, status: status), created: true)
        }
        // A concurrent run opened it between our list and create: update that one instead.
        if status == 422 || status == 409, let open = try await findOpen(draft) {
            return try await update(open, draft)
        }
        throw apiError(status, data, "POST", collectionPath)
    }
}

private extension PullRequestClient {
    var projectPath: String {
        switch kind {
        case .github: return "/repos/\(repository.path)"
        case .gitea: return "/api/v1/repos/\(repository.path)"
        case .gitlab:
            let encoded =
                repository.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
                ?? repository.path
            return "/api/v4/projects/\(encoded)"
        }
    }

    var collectionPath: String {
        projectPath + (kind == .gitlab ? "/merge_requests" : "/pulls")
    }

    func createBody(_ draft: PullRequestDraft) -> [String: Any] {
        switch kind {
        case .github, .gitea:
            return ["title": draft.title, "head": draft.head, "base": draft.base, "body": draft.body]
        case .gitlab:
            return [
                "source_branch": draft.head, "target_branch": draft.base, "title": draft.title, "description": draft.body,
                "remove_source_branch": true,
            ]
        }
    }

    /// The open pull request for the draft's head and base, if any: (number, url).
    func findOpen(_ draft: PullRequestDraft) async throws -> (Int, String)? {
        let owner = repository.path.split(separator: "/").first.map(String.init) ?? ""
        switch kind {
        case .github:
            let query = "?state=open&head=\(escape(owner + ":" + draft.head))&base=\(escape(draft.base))&per_page=100"
            let list = try await listPage(collectionPath + query)
            return try list.first.map { (try number($0, status: 200), try webURL($0, status: 200)) }
        case .gitlab:
            let query = "?state=opened&source_branch=\(escape(draft.head))&target_branch=\(escape(draft.base))"
            let list = try await listPage(collectionPath + query)
            return try list.first.map { (try number($0, status: 200), try webURL($0, status: 200)) }
        case .gitea:
            // Gitea's list cannot filter by head branch: page through the open ones.
            for page in 1...20 {
                let list = try await listPage(collectionPath + "?state=open&limit=50&page=\(page)")
                for item in list {
                    let head = (item["head"] as? [String: Any])?["ref"] as? String
                    let base = (item["base"] as? [String: Any])?["ref"] as? String
                    if head == draft.head && base == draft.base { return (try number(item, status: 200), try webURL(item, status: 200)) }
                }
                if list.count < 50 { break }
            }
            return nil
        }
    }

    func update(_ open: (Int, String), _ draft: PullRequestDraft) async throws -> PublishedPullRequest {
        let body: [String: Any] =
            kind == .gitlab ? ["title": draft.title, "description": draft.body] : ["title": draft.title, "body": draft.body]
        let method = kind == .gitlab ? "PUT" : "PATCH"
        let (data, status) = try await call(method, collectionPath + "/\(open.0)", body: body)
        guard status == 200 || status == 201 else { throw apiError(status, data, method, collectionPath + "/\(open.0)") }
        return PublishedPullRequest(number: open.0, url: open.1, created: false)
    }

    func listPage(_ path: String) async throws -> [[String: Any]] {
        let (data, status) = try await call("GET", path, body: nil)
        guard status == 200 else { throw apiError(status, data, "GET", path) }
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw GitError.hostingAPI(host: apiURL.host ?? "", status: status, detail: "expected a JSON array of pull requests")
        }
        return list
    }

    func call(_ method: String, _ path: String, body: [String: Any]?) async throws -> (Data, Int) {
        guard let url = URL(string: apiURL.absoluteString.trimmingSuffix("/") + path) else {
            throw GitError.hostingAPI(host: apiURL.absoluteString, status: 0, detail: "cannot build a URL for \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("komply", forHTTPHeaderField: "User-Agent")
        switch kind {
        case .github:
            request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("2022-11-28", forHTTPHeaderField: "X-GitHub-Api-Version")
        case .gitea:
            request.setValue("token \(token)", forHTTPHeaderField: "Authorization")
        case .gitlab:
            request.setValue(token, forHTTPHeaderField: "PRIVATE-TOKEN")
        }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        }
        do {
            return try await transport.send(request)
        } catch {
            throw GitError.hostingAPI(
                host: apiURL.host ?? apiURL.absoluteString, status: 0, detail: "\(method) \(path): \(error.localizedDescription)")
        }
    }

    /// The transport's reason without the wrapping `call` adds (`GET /path: …`).
    static func transportDetail(_ error: Error) -> String {
        guard case .hostingAPI(_, _, let detail)? = error as? GitError else { return error.localizedDescription }
        return detail.firstIndex(of: ":").map { String(detail[detail.index(after: $0)...]).trimmingCharacters(in: .whitespaces) } ?? detail
    }

    func json(_ data: Data, status: Int) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GitError.hostingAPI(host: apiURL.host ?? "", status: status, detail: "expected a JSON object")
        }
        return object
    }

    func number(_ object: [String: Any], status: Int) throws -> Int {
        guard let number = object[kind == .gitlab ? "iid" : "number"] as? Int else {
            throw GitError.hostingAPI(
                host: apiURL.host ?? "", status: status, detail: "expected \(kind == .gitlab ? "iid" : "number") in the answer")
        }
        return number
    }

    func webURL(_ object: [String: Any], status: Int) throws -> String {
        guard let url = object[kind == .gitlab ? "web_url" : "html_url"] as? String else {
            throw GitError.hostingAPI(
                host: apiURL.host ?? "", status: status, detail: "expected \(kind == .gitlab ? "web_url" : "html_url") in the answer")
        }
        return url
    }

    /// The answer to `method path` as an error naming the request's URL (never the token).
    func apiError(_ status: Int, _ data: Data, _ method: String, _ path: String) -> GitError {
        let text = String(decoding: data.prefix(300), as: UTF8.self).replacingOccurrences(of: token, with: "***")
        let url = apiURL.absoluteString.trimmingSuffix("/") + path
        return .hostingAPI(host: "\(method) \(url)", status: status, detail: text.isEmpty ? "empty body" : text)
    }

    func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:/"))) ?? text
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
