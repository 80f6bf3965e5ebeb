import Foundation
import KomplyCore
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `komply serve` through the built binary: refuses to start without a secret, answers signed and
/// forged deliveries, health and metrics over loopback, regenerates a pushed commit, and exits 0 on SIGTERM.
final class ServeCommandTests: XCTestCase {
    let secret = "serve-test-\(UUID().uuidString.prefix(8))"

    func testRefusesToStartWithoutASecret() throws {
        let repo = try repository(origin: "https://github.com/acme/shop.git")
        var environment = SyncGit.environment()
        environment["KOMPLY_WEBHOOK_SECRET"] = nil
        let result = try CLIHarness.run(["serve", "--listen", "127.0.0.1:0"], in: URL(fileURLWithPath: repo), environment: environment)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("KOMPLY_WEBHOOK_SECRET is not set"), result.stderr)

        let badListen = try CLIHarness.run(["serve", "--listen", "8080"], in: URL(fileURLWithPath: repo), environment: environment)
        XCTAssertEqual(badListen.status, 2)
        XCTAssertTrue(badListen.stderr.contains("is not HOST:PORT"), badListen.stderr)

        for (flag, value) in [("--header-timeout", "0"), ("--body-timeout", "3601")] {
            let timeout = try CLIHarness.run(
                ["serve", "--listen", "127.0.0.1:0", flag, value], in: URL(fileURLWithPath: repo), environment: environment)
            XCTAssertEqual(timeout.status, 2)
            XCTAssertTrue(timeout.stderr.contains("\(flag) \(value) is out of range; expected 1 to 3600 seconds"), timeout.stderr)
        }
    }

    /// `--store`: a URL komply cannot use, or a server it cannot reach, exits 2 before serving, naming what was
    /// expected or the host and port, never a password.
    func testStoreIsCheckedBeforeServing() throws {
        let repo = try repository(origin: "https://github.com/acme/shop.git")
        var environment = SyncGit.environment()
        environment["KOMPLY_WEBHOOK_SECRET"] = secret
        environment["PGPASSWORD"] = "not-used-\(secret)"
        for (store, expected) in [
            ("postgres://komply:hunter2@127.0.0.1:5432/komply", "no password in the URL"),
            ("redis://127.0.0.1:6379", "expected memory or postgres://USER@HOST[:PORT]/DATABASE"),
            ("postgres://komply@127.0.0.1:5432/", "one database name after the host"),
            ("postgres://komply@127.0.0.1:1/komply", "cannot connect to PostgreSQL at 127.0.0.1:1 (database \"komply\", user \"komply\")"),
        ] {
            let result = try CLIHarness.run(
                ["serve", "--listen", "127.0.0.1:0", "--store", store], in: URL(fileURLWithPath: repo), environment: environment)
            XCTAssertEqual(result.status, 2, "\(store): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), "\(store): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("hunter2") || result.stderr.contains(secret), result.stderr)
            XCTAssertFalse(result.stderr.contains("listening on"), "nothing is served without its store")
        }
    }

    func testAnswersDeliveriesHealthAndMetricsThenStopsOnSIGTERM() async throws {
        let repo = try repository(origin: "https://github.com/acme/shop.git")
        let server = try ServeProcess(repository: repo, secret: secret, test: self)
        let ping = Data(#"{"zen":"Keep it logically awesome.","hook_id":1}"#.utf8)
        let pong = try await server.post(ping, event: "ping", signature: sign(ping))
        XCTAssertEqual(pong.status, 200, pong.body)
        let forged = try await server.post(ping, event: "ping", signature: "sha256=" + String(repeating: "ab", count: 32))
        XCTAssertEqual(forged.status, 401)
        XCTAssertEqual(forged.body, "unauthorized\n")
        let health = try await server.get("/healthz")
        XCTAssertEqual(health.body, "ok\n")
        let metrics = try await server.get("/metrics")
        XCTAssertTrue(metrics.body.contains(#"komply_webhook_deliveries_total{result="ignored"} 1"#), metrics.body)
        XCTAssertTrue(metrics.body.contains(#"komply_webhook_deliveries_total{result="unauthorized"} 1"#), metrics.body)

        // docs/serve.md lists every payload field komply reads; a missing one is named in the answer.
        let incomplete = Data(
            #"{"ref":"refs/heads/main","after":"\#(String(repeating: "ab", count: 20))","repository":{"full_name":"acme/shop"}}"#.utf8)
        let missing = try await server.post(incomplete, event: "push", signature: sign(incomplete))
        XCTAssertEqual(missing.status, 400, missing.body)
        XCTAssertTrue(missing.body.contains("payload field repository.clone_url is missing"), missing.body)
        let docs = try String(contentsOf: CLIHarness.repository.appendingPathComponent("docs/serve.md"), encoding: .utf8)
        for field in ["ref", "after", "repository.full_name", "repository.clone_url", "deleted"] {
            XCTAssertTrue(docs.contains("| `\(field)` |"), "docs/serve.md's payload table lists \(field)")
        }

        let status = try server.terminate()
        XCTAssertEqual(status, 0, server.stderr)
        XCTAssertFalse(server.stderr.contains(secret), "the secret is never logged")
        XCTAssertTrue(server.stderr.contains("refused, bad or missing signature"), server.stderr)
    }

    /// A push made from another clone is fetched into the served clone and regenerated onto komply/<app>.
    func testPushIsFetchedAndRegenerated() async throws {
        let folder = try temporary()
        let remote = folder + "/acme/shop.git"
        try FileManager.default.createDirectory(atPath: folder + "/acme", withIntermediateDirectories: true)
        let served = try repository(origin: remote)
        try SyncGit.run(served, "init", "-q", "--bare", "-b", "main", remote)
        try SyncGit.run(served, "push", "-q", "origin", "main")
        // Someone else pushes a change the served clone has not seen.
        let other = folder + "/other"
        try SyncGit.run(folder, "clone", "-q", remote, other)
        let compose = other + "/app/compose.yaml"
        try (String(contentsOfFile: compose, encoding: .utf8) + "\n# a change\n").write(toFile: compose, atomically: true, encoding: .utf8)
        try SyncGit.run(other, "commit", "-q", "-am", "a change")
        try SyncGit.run(other, "push", "-q", "origin", "main")
        let pushed = try SyncGit.run(other, "rev-parse", "HEAD")
        XCTAssertThrowsError(try SyncGit.run(served, "cat-file", "-e", pushed), "the served clone lacks the pushed commit")

        let server = try ServeProcess(repository: served, secret: secret, test: self, syncArguments: ["app", "--no-predict"])
        let payload = Data(
            """
            {"ref":"refs/heads/main","after":"\(pushed)","repository":{"full_name":"acme/shop","clone_url":"\(remote)"}}
            """.utf8)
        let accepted = try await server.post(payload, event: "push", signature: sign(payload))
        XCTAssertEqual(accepted.status, 202, accepted.body)
        let regenerated = try await server.waitForLog("regenerated acme/shop main at \(pushed.prefix(12))", orFailure: "regeneration of")
        XCTAssertTrue(regenerated, server.stderr)
        XCTAssertEqual(try server.terminate(), 0, server.stderr)
        let message = try SyncGit.run(served, "log", "-1", "--format=%B", "komply/webshop")
        XCTAssertTrue(message.contains("from \(pushed)"), message)
        XCTAssertTrue(try SyncGit.run(served, "ls-tree", "-r", "--name-only", "komply/webshop").contains("deploy/webshop/base/api.yaml"))
    }
}

private extension ServeCommandTests {
    func sign(_ body: Data) -> String {
        "sha256=" + SHA256.hmacHex(key: Data(secret.utf8), message: body)
    }

    func temporary() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    }

    /// A repository with the web-db example app committed on main and `origin` set to `origin`.
    func repository(origin: String) throws -> String {
        let repo = try temporary() + "/repo"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try SyncGit.run(repo, "init", "-q", "-b", "main")
        try FileManager.default.copyItem(atPath: CLIHarness.repository.path + "/fixtures/generate/web-db/input", toPath: repo + "/app")
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "the app")
        try SyncGit.run(repo, "remote", "add", "origin", origin)
        return repo
    }
}

/// A `komply serve` process on a free loopback port, its standard error collected in a file.
final class ServeProcess {
    let process = Process()
    let port: Int
    private let errorFile: URL

    init(repository: String, secret: String, test: XCTestCase, serveArguments: [String] = [], syncArguments: [String] = []) throws {
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("komply-serve-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        var environment = SyncGit.environment()
        environment["KOMPLY_WEBHOOK_SECRET"] = secret
        environment["SSH_AUTH_SOCK"] = nil
        process.executableURL = CLIHarness.komplyBinary
        process.arguments =
            ["serve", "--listen", "127.0.0.1:0", "--repository", repository] + serveArguments
            + (syncArguments.isEmpty ? [] : ["--"] + syncArguments)
        process.currentDirectoryURL = URL(fileURLWithPath: repository)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let (process, errorFile) = (process, errorFile)
        test.addTeardownBlock {
            if process.isRunning { process.interrupt() }
            try? FileManager.default.removeItem(at: errorFile)
        }
        // "komply: listening on 127.0.0.1:PORT for …"
        let deadline = Date().addingTimeInterval(10)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw NSError(
                domain: "serve", code: 1,
                userInfo: [
                    NSLocalizedDescriptionKey: "komply serve did not start: \((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")"
                ])
        }
        port = found
    }

    var stderr: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and returns the exit status (fails after 10 s).
    func terminate() throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else {
            process.interrupt()
            throw NSError(domain: "serve", code: 2, userInfo: [NSLocalizedDescriptionKey: "komply serve did not stop on SIGTERM"])
        }
        return process.terminationStatus
    }

    /// Waits up to 60 s for a log line containing `text`; false as soon as one contains `failure`.
    func waitForLog(_ text: String, orFailure failure: String) async throws -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let log = stderr
            if log.contains(text) { return true }
            if log.contains(failure) { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func post(_ body: Data, event: String, signature: String, delivery: String = UUID().uuidString) async throws -> (
        status: Int, body: String
    ) {
        try await send(
            "/webhook", method: "POST", body: body,
            headers: [
                "X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": signature,
                "Content-Type": "application/json",
            ])
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await send(path, method: "GET", body: nil, headers: [:])
    }

    private func send(_ path: String, method: String, body: Data?, headers: [String: String]) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 10
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
