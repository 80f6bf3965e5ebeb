import Foundation
import KomplyCore
import KomplyTestSupport
import XCTest

/// `komply sync` end to end through the built binary, against real repositories: a bare file-path
/// remote and a bare remote behind nginx + fcgiwrap + git http-backend with a token.
final class SyncCommandTests: XCTestCase {
    func testSyncToAFilePathRemoteLeavesWorktreeAndIndexAloneAndRerunsMakeNoCommit() throws {
        let (repo, home) = try checkout()
        let remote = try temporary() + "/remote.git"
        try SyncGit.run(repo, "init", "-q", "--bare", "-b", "main", remote)
        try SyncGit.run(repo, "remote", "add", "origin", remote)
        try SyncGit.run(repo, "push", "-q", "origin", "main")
        // An untracked file and a staged change komply must not touch. (Sources are read from the
        // worktree, so this test leaves the app's own files as committed.)
        try "scratch\n".write(toFile: repo + "/scratch.txt", atomically: true, encoding: .utf8)
        try "staged\n".write(toFile: repo + "/staged.txt", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "staged.txt")
        let before = try snapshot(repo)
        let head = try SyncGit.run(repo, "rev-parse", "HEAD")

        let first = try komply(["sync", "app", "--push", "--no-predict"], in: repo, home: home)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("committed "), first.stderr)
        XCTAssertTrue(first.stderr.contains("pushed komply/webshop to origin"), first.stderr)
        let tip = try SyncGit.run(remote, "rev-parse", "komply/webshop")
        XCTAssertEqual(try SyncGit.run(repo, "rev-parse", "komply/webshop"), tip)
        XCTAssertEqual(try SyncGit.run(repo, "rev-parse", "komply/webshop^"), head, "first parent is the start point")
        XCTAssertEqual(try snapshot(repo), before, "worktree files and .git/index are byte-identical")
        XCTAssertEqual(try SyncGit.run(repo, "rev-parse", "HEAD"), head)
        let message = try SyncGit.run(remote, "log", "-1", "--format=%B", "komply/webshop")
        for trailer in [
            "Komply-Version: ", "Komply-Input-Digest: sha256:", "Komply-Rules-Digest: sha256:", "Komply-Sizing-Profile: defaults",
        ] {
            XCTAssertTrue(message.contains(trailer), message)
        }

        let rerun = try komply(["sync", "app", "--push", "--no-predict"], in: repo, home: home)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("komply/webshop is up to date; no commit"), rerun.stderr)
        XCTAssertEqual(try SyncGit.run(remote, "rev-parse", "komply/webshop"), tip, "a rerun makes no commit")
        XCTAssertEqual(try snapshot(repo), before)

        // The branch holds exactly what `komply generate` writes (same repository, same options).
        try SyncGit.run(repo, "stash", "-q", "--include-untracked")  // only in this temporary clone
        let generate = try komply(["generate", "app", "--no-predict"], in: repo, home: home)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let expected = try FileManager.default.subpathsOfDirectory(atPath: repo + "/deploy")
            .filter { !isDirectory(repo + "/deploy/" + $0) }.map { "deploy/" + $0 }.sorted()
        let committed = try SyncGit.run(remote, "ls-tree", "-r", "--name-only", "komply/webshop", "deploy").split(separator: "\n").map(
            String.init)
        XCTAssertEqual(committed, expected)
        for path in expected {
            XCTAssertEqual(
                try SyncGit.run(remote, "show", "komply/webshop:" + path),
                try String(contentsOfFile: repo + "/" + path, encoding: .utf8).trimmingCharacters(in: .newlines), path)
        }
    }

    func testSyncPushesOverHTTPWithATokenAndRefusesABranchSomeoneElseMoved() throws {
        let token = "s3cret-\(UUID().uuidString.prefix(8))"
        let server = try SyncGitServer.start(token: token, test: self)
        let served = try server.createRepository("acme/shop.git")
        let (repo, home) = try checkout()
        try SyncGit.run(repo, "push", "-q", served.folder, "main")
        try SyncGit.run(repo, "remote", "add", "origin", served.url)

        let refused = try komply(["sync", "app", "--push", "--no-predict"], in: repo, home: home, token: "wrong-token")
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("refused the credentials"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("wrong-token"), "tokens never reach the output")

        let first = try komply(["sync", "app", "--push", "--no-predict"], in: repo, home: home, token: token)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(first.stderr.contains(token) || first.stdout.contains(token))
        let tip = try SyncGit.run(served.folder, "rev-parse", "komply/webshop")
        XCTAssertEqual(try SyncGit.run(repo, "rev-parse", "komply/webshop"), tip)
        XCTAssertTrue(
            try SyncGit.run(served.folder, "ls-tree", "-r", "--name-only", "komply/webshop").contains("deploy/webshop/base/api.yaml"))

        let rerun = try komply(["sync", "app", "--push", "--no-predict"], in: repo, home: home, token: token)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try SyncGit.run(served.folder, "rev-parse", "komply/webshop"), tip, "no commit on rerun")

        // Someone pushes their own commit onto the branch; komply must not build on it or overwrite it.
        let other = try temporary() + "/other"
        try SyncGit.run(repo, "clone", "-q", "-b", "komply/webshop", served.folder, other)
        try "# hand edit\n".write(toFile: other + "/deploy/webshop/SECRETS.md", atomically: true, encoding: .utf8)
        try SyncGit.run(other, "commit", "-q", "-am", "hand edit")
        try SyncGit.run(other, "push", "-q", "origin", "komply/webshop")
        let theirs = try SyncGit.run(served.folder, "rev-parse", "komply/webshop")
        try "services:\n  web:\n    image: nginx:1.27\n".write(
            toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "app/compose.override.yaml")
        try SyncGit.run(repo, "commit", "-q", "-m", "change the app")

        let diverged = try komply(["sync", "app", "--push", "--no-predict"], in: repo, home: home, token: token)
        XCTAssertEqual(diverged.status, 2, diverged.stderr)
        XCTAssertTrue(diverged.stderr.contains("was not created by komply"), diverged.stderr)
        XCTAssertEqual(try SyncGit.run(served.folder, "rev-parse", "komply/webshop"), theirs, "their commit stays")
        XCTAssertEqual(try SyncGit.run(repo, "rev-parse", "komply/webshop"), tip, "the local branch did not move")
    }

    func testSyncRefusesAnOutputFolderOutsideTheRepository() throws {
        let (repo, home) = try checkout()
        let result = try komply(["sync", "app", "-o", "../elsewhere", "--no-predict"], in: repo, home: home)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("outside the repository"), result.stderr)
    }

    /// What `komply serve` runs for every push: a committed compose file that names a path outside the
    /// repository (a `..` escape, or a committed symbolic link to a host file) is refused with its
    /// repository-relative position, exit 2, and no branch is created.
    func testSyncFromARefRefusesACommittedEscapeAndCreatesNoBranch() throws {
        let (repo, home) = try checkout()
        let escapes: [(files: [String: String], link: (String, String)?, expected: [String])] = [
            (
                ["app/compose.override.yaml": "services:\n  proxy:\n    volumes:\n      - ../../../../../../etc/passwd:/x\n"], nil,
                ["app/compose.override.yaml:4:9: \"../../../../../../etc/passwd\" leads outside the repository through \"..\""]
            ),
            (
                ["app/compose.override.yaml": "services:\n  proxy:\n    volumes: [\"./host.conf:/etc/x\"]\n"],
                ("app/host.conf", "/etc/hostname"),
                ["app/compose.override.yaml:3:15: \"./host.conf\"", "the symbolic link \"app/host.conf\" → \"/etc/hostname\""]
            ),
            ([:], ("komply.yaml", "/etc/hostname"), ["\"komply.yaml\" leads outside the repository through the symbolic link"]),
        ]
        for (files, link, expected) in escapes {
            for (path, text) in files { try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8) }
            if let (path, target) = link {
                try FileManager.default.createSymbolicLink(atPath: repo + "/" + path, withDestinationPath: target)
            }
            try SyncGit.run(repo, "add", "-A")
            try SyncGit.run(repo, "commit", "-q", "-m", "an escape")
            // The worktree is harmless again; only the commit escapes.
            for path in files.keys { try FileManager.default.removeItem(atPath: repo + "/" + path) }
            if let (path, _) = link { try FileManager.default.removeItem(atPath: repo + "/" + path) }

            let result = try komply(["sync", "app", "--ref", "HEAD", "--no-predict"], in: repo, home: home)
            XCTAssertEqual(result.status, 2, result.stderr)
            for words in expected { XCTAssertTrue(result.stderr.contains(words), "\(words) in \(result.stderr)") }
            // An absolute path names the revision's copy too, never the (harmless) worktree.
            let absolute = try komply(["sync", repo + "/app", "--ref", "HEAD", "--no-predict"], in: repo, home: home)
            XCTAssertEqual(absolute.status, 2, absolute.stderr)
            XCTAssertFalse(result.stderr.contains("komply-snapshot"), "the temporary copy is not named: \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("root:x:0:0"), "nothing of the host file is shown")
            XCTAssertThrowsError(try SyncGit.run(repo, "rev-parse", "--verify", "-q", "refs/heads/komply/webshop"), "no branch")

            let worktree = try komply(["sync", "app", "--no-predict", "--branch", "komply/worktree-check"], in: repo, home: home)
            XCTAssertEqual(worktree.status, 0, "the worktree itself is clean: \(worktree.stderr)")
            try SyncGit.run(repo, "branch", "-q", "-D", "komply/worktree-check")
            try SyncGit.run(repo, "reset", "-q", "--hard", "HEAD~1")
        }
    }

    func testSyncFromARefReadsThatRevisionNotTheWorktree() throws {
        let (repo, home) = try checkout()
        let before = try komply(["sync", "app", "--no-predict", "--branch", "komply/before"], in: repo, home: home)
        XCTAssertEqual(before.status, 0, before.stderr)
        try "services:\n  proxy:\n    image: nginx:1.27.3-alpine\n".write(
            toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "app/compose.override.yaml")
        try SyncGit.run(repo, "commit", "-q", "-m", "pin the proxy")
        // A worktree-only edit that a sync from the revision must not see.
        try "services:\n  proxy:\n    image: nginx:0.0.1-worktree\n".write(
            toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
        let untouched = try snapshot(repo)

        let atRef = try komply(["sync", "app", "--no-predict", "--ref", "HEAD~1", "--branch", "komply/at-ref"], in: repo, home: home)
        XCTAssertEqual(atRef.status, 0, atRef.stderr)
        XCTAssertEqual(
            try SyncGit.run(repo, "rev-parse", "komply/at-ref:deploy"), try SyncGit.run(repo, "rev-parse", "komply/before:deploy"),
            "the tree generated from HEAD~1 is the one generated from the worktree when it was HEAD~1")
        XCTAssertTrue(try SyncGit.run(repo, "log", "-1", "--format=%B", "komply/at-ref").contains("from HEAD~1 into deploy/"))

        let atHead = try komply(["sync", "app", "--no-predict", "--ref", "HEAD", "--branch", "komply/at-head"], in: repo, home: home)
        XCTAssertEqual(atHead.status, 0, atHead.stderr)
        let proxy = try SyncGit.run(repo, "show", "komply/at-head:deploy/webshop/base/proxy.yaml")
        XCTAssertTrue(proxy.contains("image: nginx:1.27.3-alpine"), proxy)
        XCTAssertFalse(proxy.contains("worktree"), proxy)
        XCTAssertEqual(try snapshot(repo), untouched, "worktree files and .git/index are byte-identical")

        let bad = try komply(["sync", "app", "--no-predict", "--ref", "no-such-ref"], in: repo, home: home)
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("no-such-ref"), bad.stderr)
    }

    func testSyncOpensThenUpdatesOnePullRequestWithFindingsAndTheSizingCard() throws {
        let token = "ghp-\(UUID().uuidString.prefix(8))"
        let server = try SyncGitServer.start(token: token, test: self)
        let served = try server.createRepository("acme/shop.git")
        let open = OpenPullRequests()
        let api = try RecordingHTTPServer { request in
            switch (request.method, request.path) {
            case ("GET", "/repos/acme/shop"):
                return (200, #"{"full_name": "acme/shop"}"#)
            case ("GET", let path) where path.hasPrefix("/repos/acme/shop/pulls?"):
                return (200, open.isOpen ? #"[{"number": 3, "html_url": "https://github.example/acme/shop/pull/3"}]"# : "[]")
            case ("POST", "/repos/acme/shop/pulls"):
                open.isOpen = true
                return (201, #"{"number": 3, "html_url": "https://github.example/acme/shop/pull/3"}"#)
            case ("PATCH", "/repos/acme/shop/pulls/3"):
                return (200, #"{"number": 3}"#)
            default:
                return (404, #"{"message": "Not Found"}"#)
            }
        }
        defer { api.stop() }
        let (repo, home) = try checkout()
        try SyncGit.run(repo, "push", "-q", served.folder, "main")
        try SyncGit.run(repo, "remote", "add", "origin", served.url)
        let arguments = ["sync", "app", "--pr", "github", "--api-url", "http://127.0.0.1:\(api.port)", "--base", "main"]

        let first = try komply(arguments, in: repo, home: home, token: token)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("opened https://github.example/acme/shop/pull/3"), first.stderr)
        XCTAssertFalse(first.stderr.contains(token) || first.stdout.contains(token), "tokens never reach the output")
        try "services:\n  proxy:\n    image: nginx:1.27.3-alpine\n".write(
            toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "app/compose.override.yaml")
        try SyncGit.run(repo, "commit", "-q", "-m", "pin the proxy")
        let second = try komply(arguments + ["--format", "json"], in: repo, home: home, token: token)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("updated https://github.example/acme/shop/pull/3"), second.stderr)
        // --format json: the branch, its new commit, the push and the pull request it updated.
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any], second.stdout)
        let branch = try XCTUnwrap((report["branches"] as? [[String: Any]])?.first)
        XCTAssertEqual(branch["branch"] as? String, "komply/webshop")
        XCTAssertEqual(branch["commit"] as? String, try SyncGit.run(repo, "rev-parse", "komply/webshop"))
        XCTAssertEqual(branch["pushed"] as? Bool, true)
        XCTAssertEqual(branch["remote"] as? String, "origin")
        let pullRequest = try XCTUnwrap(branch["pullRequest"] as? [String: Any])
        XCTAssertEqual(pullRequest["url"] as? String, "https://github.example/acme/shop/pull/3")
        XCTAssertEqual(pullRequest["created"] as? Bool, false)

        let all = api.requests
        XCTAssertEqual(
            all.map { $0.method + " " + $0.path.prefix { $0 != "?" } },
            [
                "GET /repos/acme/shop", "GET /repos/acme/shop/pulls", "POST /repos/acme/shop/pulls", "GET /repos/acme/shop",
                "GET /repos/acme/shop/pulls", "PATCH /repos/acme/shop/pulls/3",
            ], "each run checks access first; a rerun updates, never duplicates")
        XCTAssertTrue(all.allSatisfy { $0.headers["authorization"] == "Bearer " + token })
        let requests = all.filter { $0.path != "/repos/acme/shop" }
        let created = try XCTUnwrap(requests[1].json)
        XCTAssertEqual(created["head"] as? String, "komply/webshop")
        XCTAssertEqual(created["base"] as? String, "main")
        XCTAssertEqual(created["title"] as? String, "komply: regenerate webshop")
        let body = try XCTUnwrap(created["body"] as? String)
        for part in [
            "| `deploy/webshop` |", "### Policy", "#### komply lint: 0 errors, 0 warnings, 0 infos in", "No findings.",
            "#### komply sizing (tier balanced)", "| `webshop/api` | ", "<details><summary>Why these numbers</summary>",
            "- Komply-Input-Digest: `sha256:", "<!-- komply:sync -->",
        ] {
            XCTAssertTrue(body.contains(part), "missing \(part) in\n\(body)")
        }
        let updated = try XCTUnwrap(requests[3].json?["body"] as? String)
        XCTAssertNotEqual(updated, body, "the second body has the new input digest")
        XCTAssertEqual(try SyncGit.run(served.folder, "rev-parse", "komply/webshop"), try SyncGit.run(repo, "rev-parse", "komply/webshop"))
    }
}

extension SyncCommandTests {
    /// Issue 19: `sync --pr` proves the API URL and the token with one GET before pushing anything, and
    /// each failure names the URL and the fix, never the token.
    func testSyncPullRequestChecksTheAPIAndTokenBeforePushing() throws {
        let token = "ghp-\(UUID().uuidString.prefix(8))"
        let server = try SyncGitServer.start(token: token, test: self)
        let served = try server.createRepository("acme/shop.git")
        let api = try RecordingHTTPServer { request in
            switch (request.method, request.path, request.headers["authorization"]) {
            case ("GET", "/repos/acme/shop", "Bearer " + token): return (200, #"{"full_name": "acme/shop"}"#)
            case ("GET", "/repos/acme/shop", _): return (401, #"{"message": "Bad credentials"}"#)
            case ("GET", "/html/repos/acme/shop", _): return (200, "<html>sign in</html>")
            default: return (404, #"{"message": "Not Found"}"#)
            }
        }
        defer { api.stop() }
        let (repo, home) = try checkout()
        try SyncGit.run(repo, "push", "-q", served.folder, "main")
        try SyncGit.run(repo, "remote", "add", "origin", served.url)
        try SyncGit.run(repo, "remote", "add", "local", served.folder)
        let root = "http://127.0.0.1:\(api.port)"
        func sync(_ apiURL: String?, token: String?, remote: String? = nil) throws -> CLIHarness.Result {
            var arguments = ["sync", "app", "--pr", "github", "--base", "main", "--no-predict"]
            if let apiURL { arguments += ["--api-url", apiURL] }
            if let remote { arguments += ["--remote", remote] }
            return try komply(arguments, in: repo, home: home, token: token)
        }

        let cases: [(String, CLIHarness.Result, [String])] = [
            (
                "refused token", try sync(root, token: "wrong-\(token)"),
                ["\(root)/repos/acme/shop refused the token in KOMPLY_GIT_TOKEN (401)"]
            ),
            ("no token", try sync(root, token: nil), ["no API token; expected one of KOMPLY_API_TOKEN, GITHUB_TOKEN"]),
            (
                "wrong repository", try sync(root + "/v3", token: token),
                ["\(root)/v3/repos/acme/shop", "knows no repository acme/shop (404)"]
            ),
            ("not the API", try sync(root + "/html", token: token), ["answered 200 but not as the GitHub API", "pass --api-url"]),
            (
                "nothing listening", try sync("http://127.0.0.1:1", token: token),
                ["cannot reach the GitHub API at http://127.0.0.1:1/repos/acme/shop"]
            ),
            ("bad URL", try sync("not a url", token: token), ["--api-url not a url: expected a URL"]),
            (
                "local remote", try sync(nil, token: token, remote: "local"),
                ["cannot derive a GitHub API URL from remote", "pass --api-url"]
            ),
        ]
        for (name, result, expected) in cases {
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            for text in expected { XCTAssertTrue(result.stderr.contains(text), "\(name): expected \(text) in \(result.stderr)") }
            XCTAssertFalse(result.stderr.contains(token) || result.stdout.contains(token), "\(name): tokens never reach the output")
            XCTAssertFalse(result.stderr.contains("committed") || result.stderr.contains("pushed"), "\(name): \(result.stderr)")
        }
        XCTAssertThrowsError(try SyncGit.run(served.folder, "rev-parse", "--verify", "-q", "komply/webshop"), "nothing was pushed")
        XCTAssertThrowsError(try SyncGit.run(repo, "rev-parse", "--verify", "-q", "komply/webshop"), "nothing was committed")
    }

    /// Issue 19: one app failing does not stop the others: they are committed and pushed, the commit
    /// names the failed app with its error, the failed app's committed output stays, and the run exits 2.
    func testSyncCommitsTheOtherAppsWhenOneFails() throws {
        let (repo, home) = try checkout()
        let remote = try temporary() + "/remote.git"
        try SyncGit.run(repo, "init", "-q", "--bare", "-b", "main", remote)
        try SyncGit.run(repo, "remote", "add", "origin", remote)
        try FileManager.default.createDirectory(atPath: repo + "/cache", withIntermediateDirectories: true)
        try "name: cache\nservices:\n  redis:\n    image: redis:7.4.1-alpine\n".write(
            toFile: repo + "/cache/compose.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "a second app")
        try SyncGit.run(repo, "push", "-q", "origin", "main")
        let both = try komply(["sync", "app", "cache", "--branch", "komply/all", "--push", "--no-predict"], in: repo, home: home)
        XCTAssertEqual(both.status, 0, both.stderr)
        let cacheFiles = try SyncGit.run(remote, "ls-tree", "-r", "komply/all", "deploy/cache")
        let webTree = try SyncGit.run(remote, "rev-parse", "komply/all:deploy/webshop")

        // The cache app breaks; the web app changes.
        try "name: cache\nservices:\n  redis: [\n".write(toFile: repo + "/cache/compose.yaml", atomically: true, encoding: .utf8)
        try "services:\n  proxy:\n    image: nginx:1.27.3-alpine\n".write(
            toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "break cache, pin the proxy")
        let partial = try komply(["sync", "app", "cache", "--branch", "komply/all", "--push", "--no-predict"], in: repo, home: home)
        XCTAssertEqual(partial.status, 2, partial.stderr)
        XCTAssertTrue(partial.stderr.contains("cache/compose.yaml:"), partial.stderr)
        XCTAssertTrue(partial.stderr.contains("1 app failed and was not synced; the other apps were"), partial.stderr)
        XCTAssertTrue(partial.stderr.contains("pushed komply/all"), partial.stderr)
        let message = try SyncGit.run(remote, "log", "-1", "--format=%B", "komply/all")
        XCTAssertTrue(message.contains("komply: regenerate webshop"), message)
        XCTAssertTrue(message.contains("Not regenerated (failed; their committed output is unchanged):\n- cache"), message)
        XCTAssertTrue(message.contains("cache/compose.yaml:"), message)
        XCTAssertEqual(try SyncGit.run(remote, "ls-tree", "-r", "komply/all", "deploy/cache"), cacheFiles, "the failed app's output stays")
        XCTAssertNotEqual(try SyncGit.run(remote, "rev-parse", "komply/all:deploy/webshop"), webTree, "the good app is regenerated")

        // --format json still prints what happened (it printed nothing when an app failed), with the failure named.
        try "services:\n  proxy:\n    image: nginx:1.27.4-alpine\n".write(
            toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "pin the proxy again")
        let json = try komply(
            ["sync", "app", "cache", "--branch", "komply/all", "--push", "--no-predict", "--format", "json"], in: repo, home: home)
        XCTAssertEqual(json.status, 2, json.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        let failures = try XCTUnwrap(document["failures"] as? [[String: String]])
        XCTAssertEqual(failures.count, 1)
        XCTAssertTrue(failures.first?["message"]?.contains("cache/compose.yaml:") == true, "\(failures)")
        let branches = try XCTUnwrap(document["branches"] as? [[String: Any]])
        XCTAssertEqual(branches.first?["apps"] as? [String], ["webshop"])
        XCTAssertEqual(branches.first?["pushed"] as? Bool, true)
        XCTAssertTrue(json.stderr.contains("1 app failed and was not synced; the other apps were"), json.stderr)
    }
}

/// Whether the fake host has an open pull request (shared with its handler thread).
private final class OpenPullRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var open = false
    var isOpen: Bool {
        get { lock.withLock { open } }
        set { lock.withLock { open = newValue } }
    }
}

private extension SyncCommandTests {
    func temporary() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-sync-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    }

    /// A repository with the web-db example app committed on main, and an empty HOME.
    func checkout() throws -> (repo: String, home: String) {
        let folder = try temporary()
        let repo = folder + "/repo"
        let home = folder + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try SyncGit.run(repo, "init", "-q", "-b", "main")
        try FileManager.default.copyItem(atPath: CLIHarness.repository.path + "/fixtures/generate/web-db/input", toPath: repo + "/app")
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "the app")
        return (repo, home)
    }

    func komply(_ arguments: [String], in folder: String, home: String, token: String? = nil) throws -> CLIHarness.Result {
        var environment = SyncGit.environment(home: home)
        environment["KOMPLY_GIT_TOKEN"] = token
        environment["SSH_AUTH_SOCK"] = nil
        return try CLIHarness.run(arguments, in: URL(fileURLWithPath: folder), environment: environment)
    }

    /// SHA-256 of every worktree file and of `.git/index`.
    func snapshot(_ repo: String) throws -> [String: String] {
        var digests: [String: String] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: repo)
        where (path == ".git/index" || !(path == ".git" || path.hasPrefix(".git/"))) && !isDirectory(repo + "/" + path) {
            digests[path] = SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: repo + "/" + path)))
        }
        XCTAssertNotNil(digests[".git/index"])
        return digests
    }

    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}

/// Issue 17: komply.yaml's `refine` section applies to `komply sync` as it does to `komply generate`, and CI
/// replays the committed `.komply/llm-cache` without a server.
extension SyncCommandTests {
    func testSyncRefinesAsGenerateDoesReplayingTheCommittedCache() throws {
        let (repo, home) = try checkout()
        let answer =
            #"{"operations":[{"op":"replace","path":"/containers/api/readinessProbe/failureThreshold","value":4,"reason":"slow start"}],"rationale":"r"}"#
        let server = try RecordingHTTPServer.chatCompletions(answering: "webshop/api", with: answer)
        let config = """
            apiVersion: komply.dev/v1
            kind: Config
            refine:
              provider: openai
              url: http://127.0.0.1:\(server.port)/v1
              model: m

            """
        try config.write(toFile: repo + "/komply.yaml", atomically: true, encoding: .utf8)
        let generate = try komply(["generate", "app", "--no-predict"], in: repo, home: home)
        server.stop()
        XCTAssertEqual(generate.status, 0, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("refine: webshop/api: accepted replace /containers/api/readinessProbe/failureThreshold = 4"))
        let api = try String(contentsOfFile: repo + "/deploy/webshop/base/api.yaml", encoding: .utf8)
        XCTAssertTrue(api.contains("komply.dev/refined: openai m changed"), api)
        // The cache is committed; the generated tree is not (sync commits it onto its own branch).
        try SyncGit.run(repo, "add", "komply.yaml", ".komply")
        try SyncGit.run(repo, "commit", "-q", "-m", "refine with a replay cache")
        let expected = try FileManager.default.subpathsOfDirectory(atPath: repo + "/deploy")
            .filter { !isDirectory(repo + "/deploy/" + $0) }.map { "deploy/" + $0 }.sorted()

        // The server is gone: both the worktree and a revision (read from a snapshot) replay the cache.
        for (branch, extra) in [("komply/worktree", [String]()), ("komply/revision", ["--ref", "main"])] {
            let sync = try komply(["sync", "app", "--no-predict", "--branch", branch] + extra, in: repo, home: home)
            XCTAssertEqual(sync.status, 0, sync.stderr)
            XCTAssertTrue(
                sync.stderr.contains("refine: webshop/api: 1 change(s) accepted, 0 rejected (replayed from the cache"), sync.stderr)
            let committed = try SyncGit.run(repo, "ls-tree", "-r", "--name-only", branch, "deploy").split(separator: "\n").map(String.init)
            XCTAssertEqual(committed, expected, branch)
            for path in expected {
                XCTAssertEqual(
                    try SyncGit.run(repo, "show", branch + ":" + path),
                    try String(contentsOfFile: repo + "/" + path, encoding: .utf8).trimmingCharacters(in: .newlines), "\(branch) \(path)")
            }
        }
    }
}
