import Foundation
import KomplyTestSupport
import XCTest

@testable import KomplyGit

/// Pull-request calls against a loopback server that records them and checks each host's documented shapes.
final class PullRequestClientTests: XCTestCase {
    let draft = PullRequestDraft(head: "komply/shop", base: "main", title: "komply: regenerate shop", body: "card")

    func testGitHubOpensThenUpdatesOnePullRequest() async throws {
        let state = OpenState()
        let server = try RecordingHTTPServer { request in
            switch (request.method, request.path) {
            case ("GET", let path) where path.hasPrefix("/repos/acme/shop/pulls?"):
                return (200, state.open ? #"[{"number": 7, "html_url": "https://github.com/acme/shop/pull/7"}]"# : "[]")
            case ("POST", "/repos/acme/shop/pulls"):
                state.open = true
                return (201, #"{"number": 7, "html_url": "https://github.com/acme/shop/pull/7"}"#)
            case ("PATCH", "/repos/acme/shop/pulls/7"):
                return (200, #"{"number": 7}"#)
            default:
                return (404, #"{"message": "Not Found"}"#)
            }
        }
        defer { server.stop() }
        let client = PullRequestClient(
            kind: .github, apiURL: URL(string: "http://127.0.0.1:\(server.port)")!,
            repository: HostedRepository(remoteURL: "https://x:tok@github.com/acme/shop.git")!, token: "ghp_secret")
        let first = try await client.publish(draft)
        XCTAssertEqual(first, PublishedPullRequest(number: 7, url: "https://github.com/acme/shop/pull/7", created: true))
        let second = try await client.publish(PullRequestDraft(head: draft.head, base: draft.base, title: draft.title, body: "new card"))
        XCTAssertFalse(second.created, "a rerun updates, never duplicates")

        let requests = server.requests
        XCTAssertEqual(requests.map(\.method), ["GET", "POST", "GET", "PATCH"])
        XCTAssertEqual(requests[0].path, "/repos/acme/shop/pulls?state=open&head=acme:komply/shop&base=main&per_page=100")
        for request in requests {
            XCTAssertEqual(request.headers["authorization"], "Bearer ghp_secret")
            XCTAssertEqual(request.headers["accept"], "application/vnd.github+json")
            XCTAssertEqual(request.headers["x-github-api-version"], "2022-11-28")
        }
        XCTAssertEqual(requests[1].json as NSDictionary?, ["title": draft.title, "head": "komply/shop", "base": "main", "body": "card"])
        XCTAssertEqual(requests[3].json as NSDictionary?, ["title": draft.title, "body": "new card"])
    }

    func testGitLabAlreadyExistsOnCreateBecomesAnUpdate() async throws {
        let state = OpenState()
        let server = try RecordingHTTPServer { request in
            switch (request.method, request.path) {
            case ("GET", let path) where path.hasPrefix("/api/v4/projects/group%2Fsub%2Fshop/merge_requests?"):
                // The first listing misses the request another run is opening at the same time.
                defer { state.open = true }
                return (
                    200, state.open ? #"[{"iid": 3, "web_url": "https://gitlab.example.com/group/sub/shop/-/merge_requests/3"}]"# : "[]"
                )
            case ("POST", "/api/v4/projects/group%2Fsub%2Fshop/merge_requests"):
                return (409, #"{"message": ["Another open merge request already exists for this source branch: !3"]}"#)
            case ("PUT", "/api/v4/projects/group%2Fsub%2Fshop/merge_requests/3"):
                return (200, #"{"iid": 3}"#)
            default:
                return (404, "{}")
            }
        }
        defer { server.stop() }
        let client = PullRequestClient(
            kind: .gitlab, apiURL: URL(string: "http://127.0.0.1:\(server.port)")!,
            repository: HostedRepository(remoteURL: "git@gitlab.example.com:group/sub/shop.git")!, token: "glpat")
        let result = try await client.publish(draft)
        XCTAssertEqual(
            result, PublishedPullRequest(number: 3, url: "https://gitlab.example.com/group/sub/shop/-/merge_requests/3", created: false))
        let requests = server.requests
        XCTAssertEqual(requests.map(\.method), ["GET", "POST", "GET", "PUT"])
        XCTAssertEqual(
            requests[0].path, "/api/v4/projects/group%2Fsub%2Fshop/merge_requests?state=opened&source_branch=komply/shop&target_branch=main"
        )
        XCTAssertTrue(requests.allSatisfy { $0.headers["private-token"] == "glpat" })
        XCTAssertEqual(requests[1].json?["source_branch"] as? String, "komply/shop")
        XCTAssertEqual(requests[1].json?["target_branch"] as? String, "main")
        XCTAssertEqual(requests[1].json?["description"] as? String, "card")
        XCTAssertEqual(requests[3].json as NSDictionary?, ["title": draft.title, "description": "card"])
    }

    func testGiteaFindsTheOpenPullRequestByHeadAndUpdatesIt() async throws {
        let server = try RecordingHTTPServer { request in
            switch (request.method, request.path) {
            case ("GET", "/api/v1/repos/acme/shop/pulls?state=open&limit=50&page=1"):
                return (
                    200,
                    #"[{"number": 1, "html_url": "u1", "head": {"ref": "feature"}, "base": {"ref": "main"}},"#
                        + #" {"number": 12, "html_url": "https://gitea.example.com/acme/shop/pulls/12", "head": {"ref": "komply/shop"}, "base": {"ref": "main"}}]"#
                )
            case ("PATCH", "/api/v1/repos/acme/shop/pulls/12"):
                return (201, #"{"number": 12}"#)
            default:
                return (404, "{}")
            }
        }
        defer { server.stop() }
        let client = PullRequestClient(
            kind: .gitea, apiURL: URL(string: "http://127.0.0.1:\(server.port)/")!,
            repository: HostedRepository(remoteURL: "https://gitea.example.com/acme/shop")!, token: "tea")
        let result = try await client.publish(draft)
        XCTAssertEqual(result, PublishedPullRequest(number: 12, url: "https://gitea.example.com/acme/shop/pulls/12", created: false))
        XCTAssertEqual(server.requests.map(\.method), ["GET", "PATCH"])
        XCTAssertTrue(server.requests.allSatisfy { $0.headers["authorization"] == "token tea" })
    }

    /// `sync --pr`'s check before pushing: one GET of the repository with each host's path and header.
    func testCheckAccessGetsTheRepositoryOnEachHost() async throws {
        let server = try RecordingHTTPServer { request in
            switch (request.method, request.path) {
            case ("GET", "/repos/acme/shop"), ("GET", "/api/v1/repos/acme/shop"), ("GET", "/api/v4/projects/group%2Fsub%2Fshop"):
                return (200, #"{"id": 1}"#)
            case ("GET", "/repos/acme/gone"):
                return (404, #"{"message": "Not Found"}"#)
            default:
                return (401, #"{"message": "Bad credentials"}"#)
            }
        }
        defer { server.stop() }
        let api = URL(string: "http://127.0.0.1:\(server.port)")!
        for (kind, remote) in [
            (HostingKind.github, "https://github.com/acme/shop.git"), (.gitea, "https://gitea.example.com/acme/shop"),
            (.gitlab, "git@gitlab.example.com:group/sub/shop.git"),
        ] {
            let client = PullRequestClient(kind: kind, apiURL: api, repository: HostedRepository(remoteURL: remote)!, token: "t0k")
            try await client.checkAccess(tokenVariable: "KOMPLY_API_TOKEN")
        }
        XCTAssertEqual(
            server.requests.map(\.path), ["/repos/acme/shop", "/api/v1/repos/acme/shop", "/api/v4/projects/group%2Fsub%2Fshop"])
        XCTAssertEqual(
            server.requests.map { $0.headers["authorization"] ?? $0.headers["private-token"] }, ["Bearer t0k", "token t0k", "t0k"])

        let gone = PullRequestClient(
            kind: .github, apiURL: api, repository: HostedRepository(host: "github.com", path: "acme/gone"), token: "t0k")
        do {
            try await gone.checkAccess(tokenVariable: "GITHUB_TOKEN")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(
                error.localizedDescription,
                "\(api.absoluteString)/repos/acme/gone: the GitHub API knows no repository acme/gone (404); check --api-url and the remote, and that the token in GITHUB_TOKEN may see it"
            )
        }
        XCTAssertNil(
            PullRequestClient.defaultAPIURL(kind: .github, repository: HostedRepository(remoteURL: "/srv/git/acme/shop.git")!),
            "a local-path remote gives no API URL")
    }

    func testAnErrorNamesTheStatusAndNeverTheToken() async throws {
        let server = try RecordingHTTPServer { _ in (401, #"{"message": "Bad credentials for token sekret"}"#) }
        defer { server.stop() }
        let client = PullRequestClient(
            kind: .github, apiURL: URL(string: "http://127.0.0.1:\(server.port)")!,
            repository: HostedRepository(host: "github.com", path: "acme/shop"), token: "sekret")
        do {
            _ = try await client.publish(draft)
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error.localizedDescription.contains("401"), error.localizedDescription)
            XCTAssertTrue(
                error.localizedDescription.contains("GET http://127.0.0.1:\(server.port)/repos/acme/shop/pulls"), "names the URL: \(error)")
            XCTAssertTrue(error.localizedDescription.contains("the token was refused"), "says the fix: \(error)")
            XCTAssertFalse(error.localizedDescription.contains("sekret"), error.localizedDescription)
        }
    }

    func testRemoteURLsNameTheHostedRepository() {
        XCTAssertEqual(
            HostedRepository(remoteURL: "https://user:tok@github.com/acme/shop.git"),
            HostedRepository(host: "github.com", path: "acme/shop"))
        XCTAssertEqual(
            HostedRepository(remoteURL: "ssh://git@gitea.example.com:2222/acme/shop.git"),
            HostedRepository(host: "gitea.example.com", path: "acme/shop"))
        XCTAssertEqual(
            HostedRepository(remoteURL: "http://127.0.0.1:8080/acme/shop.git"),
            HostedRepository(host: "127.0.0.1:8080", path: "acme/shop", scheme: "http"))
        XCTAssertEqual(
            PullRequestClient.defaultAPIURL(kind: .github, repository: HostedRepository(host: "github.com", path: "a/b"))?.absoluteString,
            "https://api.github.com")
        XCTAssertEqual(
            PullRequestClient.defaultAPIURL(kind: .github, repository: HostedRepository(host: "ghe.corp", path: "a/b"))?.absoluteString,
            "https://ghe.corp/api/v3")
    }
}

/// Whether the fake host has an open pull request (shared with the server thread).
private final class OpenState: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var open: Bool {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
