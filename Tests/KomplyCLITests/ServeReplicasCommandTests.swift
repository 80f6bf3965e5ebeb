import Foundation
import KomplyCore
import KomplyTestSupport
import XCTest

/// Issue 18: two `komply serve` processes (the built binary) behind one PostgreSQL store, each with its own
/// clone of one bare repository, share 200 signed pushes: every pushed commit is regenerated exactly once
/// across both, redeliveries to the other replica are refused as replays, both replicas work, and each
/// process's peak memory stays bounded.
final class ServeReplicasCommandTests: XCTestCase {
    let secret = "replicas-\(UUID().uuidString.prefix(8))"

    func testTwoReplicasRegenerateEveryPushExactlyOnce() async throws {
        guard PostgresServer.isAvailable else {
            let message = "PostgreSQL 15 is not installed (\(PostgresServer.binaries)/initdb); scripts/setup installs postgresql-15"
            let ci = ProcessInfo.processInfo.environment["CI"].map { !["", "0", "false"].contains($0.lowercased()) } ?? false
            if ci { throw NSError(domain: "ServeReplicasCommandTests", code: 1, userInfo: [NSLocalizedDescriptionKey: message]) }
            throw XCTSkip(message)
        }
        let database = try PostgresServer()
        addTeardownBlock { database.stop() }
        let store = try database.createDatabase("serve")
        let pushes = 200

        // One bare repository with a tiny app on main and one branch per push, each changing the app.
        let folder = try temporary()
        let bare = folder + "/acme/shop.git"
        try FileManager.default.createDirectory(atPath: folder + "/acme", withIntermediateDirectories: true)
        try SyncGit.run(folder, "init", "-q", "--bare", "-b", "main", bare)
        let seed = folder + "/seed"
        try FileManager.default.createDirectory(atPath: seed + "/app", withIntermediateDirectories: true)
        try SyncGit.run(seed, "init", "-q", "-b", "main")
        try Self.compose(build: -1).write(toFile: seed + "/app/compose.yaml", atomically: true, encoding: .utf8)
        try SyncGit.run(seed, "add", "-A")
        try SyncGit.run(seed, "commit", "-q", "-m", "a tiny app")
        try SyncGit.run(seed, "push", "-q", bare, "main")
        let main = try SyncGit.run(seed, "rev-parse", "HEAD")
        try Self.fastImport(into: bare, branches: pushes, from: main)
        var commits: [String: String] = [:]  // branch → commit
        for line in try SyncGit.run(bare, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/b*").split(separator: "\n")
        {
            let parts = line.split(separator: " ")
            commits[String(parts[0])] = String(parts[1])
        }
        XCTAssertEqual(Set(commits.values).count, pushes, "distinct commits")

        var replicas: [ServeProcess] = []
        var clones: [String] = []
        for name in ["a", "b"] {
            let clone = folder + "/replica-" + name
            try SyncGit.run(folder, "clone", "-q", bare, clone)
            clones.append(clone)
            replicas.append(
                try ServeProcess(
                    repository: clone, secret: secret, test: self, serveArguments: ["--store", store, "--queue-capacity", "256"],
                    syncArguments: ["app", "--no-predict"]))
        }
        let start = Date()

        // The pushes, each to a replica picked with a fixed seed; every 20th is redelivered to the other one.
        var random = SplitMix64(seed: 18)
        var redelivered = 0
        for number in 0..<pushes {
            let branch = String(format: "b%03d", number)
            let payload = Data(
                """
                {"ref":"refs/heads/\(branch)","after":"\(commits[branch]!)","repository":{"full_name":"acme/shop","clone_url":"\(bare)"}}
                """.utf8)
            let target = Int(random.next() % 2)
            let delivery = "delivery-\(number)"
            let accepted = try await replicas[target].post(payload, event: "push", signature: sign(payload), delivery: delivery)
            XCTAssertEqual(accepted.status, 202, accepted.body)
            if number % 20 == 7 {
                let replay = try await replicas[1 - target].post(payload, event: "push", signature: sign(payload), delivery: delivery)
                XCTAssertEqual(replay.status, 200, replay.body)
                XCTAssertEqual(replay.body, "duplicate delivery ignored\n")
                redelivered += 1
            }
        }
        let sent = Date().timeIntervalSince(start)

        // Wait until every job finished (the jobs table is the store both replicas share).
        let deadline = Date().addingTimeInterval(240)
        var finished = 0
        while Date() < deadline {
            finished =
                Int(
                    try database.psql("serve", "SELECT count(*) FROM serve_jobs WHERE state <> 'waiting' AND state <> 'running'")
                        .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if finished >= pushes { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(finished, pushes, "jobs finished within the deadline")
        let memory = replicas.map { Self.peakMemoryKiB(of: $0.process.processIdentifier) }

        // The jobs table: one row per push, done once, by one of the two replicas.
        let rows = try database.psql("serve", "SELECT commit_id, replica, state, attempts FROM serve_jobs ORDER BY id")
            .split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.count, pushes)
        XCTAssertEqual(Set(rows.map { $0[0] }), Set(commits.values), "every pushed commit has its job")
        XCTAssertEqual(rows.filter { $0[2] == "done" && $0[3] == "1" }.count, pushes, "each job ran once and succeeded")
        let pids = replicas.map { "/\($0.process.processIdentifier)" }
        let perReplica = pids.map { pid in rows.filter { $0[1].hasSuffix(pid) }.count }
        XCTAssertEqual(perReplica.reduce(0, +), pushes, "every job ran on one of the two replicas: \(Set(rows.map { $0[1] }))")
        XCTAssertTrue(perReplica.allSatisfy { $0 > 0 }, "both replicas did work: \(perReplica)")

        // Each replica's log: one "regenerated" line per job it ran; each commit regenerated once overall.
        let logs = replicas.map(\.stderr)
        let regenerated = logs.map { log in log.split(separator: "\n").filter { $0.contains("regenerated acme/shop ") } }
        XCTAssertEqual(regenerated.map(\.count), perReplica, "logs agree with the jobs table")
        for (branch, commit) in commits {
            let lines = regenerated.flatMap { $0 }.filter { $0.contains("acme/shop \(branch) at \(commit.prefix(12))") }
            XCTAssertEqual(lines.count, 1, "\(branch) regenerated once: \(lines)")
        }
        XCTAssertEqual(logs.map { $0.components(separatedBy: ": duplicate, ignored").count - 1 }.reduce(0, +), redelivered)
        XCTAssertFalse(logs.joined().contains("failed after"), logs.joined())

        // The real regenerations: each komply sync committed the generated app from its commit, exactly once.
        var generatedFrom: [String] = []
        for clone in clones {
            let messages = try SyncGit.run(clone, "log", "--format=%B", "komply/tiny")
            generatedFrom += messages.split(separator: "\n").compactMap { line in
                line.range(of: "Generated by komply sync from ").map { String(line[$0.upperBound...].prefix(40)) }
            }
        }
        XCTAssertEqual(generatedFrom.count, pushes, "one sync commit per push")
        XCTAssertEqual(Set(generatedFrom), Set(commits.values))

        // /metrics of each replica: its own deliveries and runs; the queue depth is the database's.
        var totals: [String: Int] = [:]
        for replica in replicas {
            let metrics = try await replica.get("/metrics").body
            XCTAssertTrue(metrics.contains("\nkomply_queue_depth 0\n"), metrics)
            for line in metrics.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                totals[String(parts[0]), default: 0] += Int(parts[1]) ?? 0
            }
        }
        XCTAssertEqual(totals[#"komply_webhook_deliveries_total{result="accepted"}"#], pushes)
        XCTAssertEqual(totals[#"komply_webhook_deliveries_total{result="duplicate"}"#], redelivered)
        XCTAssertEqual(totals[#"komply_regenerations_total{outcome="success"}"#], pushes)

        for replica in replicas { XCTAssertEqual(try replica.terminate(), 0, replica.stderr) }
        for (name, kib) in zip(["a", "b"], memory) {
            XCTAssertLessThan(kib, 400 * 1024, "replica \(name)'s peak resident memory (VmHWM) stays bounded")
        }
        print(
            """
            serve replicas: \(pushes) pushes (\(redelivered) redelivered to the other replica, refused as replays) \
            sent in \(String(format: "%.1f", sent)) s, all regenerated in \(String(format: "%.1f", seconds)) s; \
            per replica \(perReplica[0]) + \(perReplica[1]); VmHWM \(memory[0] / 1024) MiB and \(memory[1] / 1024) MiB
            """)
    }
}

private extension ServeReplicasCommandTests {
    func sign(_ body: Data) -> String {
        "sha256=" + SHA256.hmacHex(key: Data(secret.utf8), message: body)
    }

    func temporary() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-replicas-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    }

    /// A one-service app whose generated output changes with `build`.
    static func compose(build: Int) -> String {
        "name: tiny\nservices:\n  web:\n    image: nginx:1.27-alpine\n    environment:\n      BUILD_NUMBER: \"\(build)\"\n"
    }

    /// Branches `b000`… in `bare`, each one commit on `main` changing the app, written by one `git fast-import`.
    static func fastImport(into bare: String, branches: Int, from main: String) throws {
        var stream = ""
        for number in 0..<branches {
            let message = "push \(number)\n"
            let file = compose(build: number)
            stream += "commit refs/heads/\(String(format: "b%03d", number))\n"
            stream += "committer Dev <dev@example.com> \(1_700_000_000 + number) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)"
            stream += "from \(main)\n"
            stream += "M 100644 inline app/compose.yaml\ndata \(file.utf8.count)\n\(file)\n"
        }
        let file = bare + ".fast-import"
        try stream.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", bare, "fast-import", "--quiet"]
        process.environment = SyncGit.environment()
        process.standardInput = FileHandle(forReadingAtPath: file)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "git", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "git fast-import failed"])
        }
    }

    /// The process's peak resident set size (`VmHWM` in /proc/PID/status), in KiB; 0 where /proc is absent.
    static func peakMemoryKiB(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}

/// A seeded generator (SplitMix64), so the spread of pushes over the replicas is the same on every run.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
