import Foundation
import XCTest

@testable import KomplyServe

/// What a regeneration runs: the fetch, then `komply sync` with the push's commit and branch.
final class SyncRunnerTests: XCTestCase {
    let job = PushJob(
        PushEvent(
            repository: "acme/shop", cloneURL: "https://github.com/acme/shop.git", branch: "main", commit: ServeTestSupport.commit(7)),
        delivery: "d1")

    /// A runner whose "komply" is a shell script that prints its arguments and environment.
    func runner(script: String, fetch: @escaping SyncRunner.Fetch = { _ in .fetched }) throws -> SyncRunner {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-runner-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        let executable = folder + "/komply"
        try Data(("#!/bin/sh\n" + script + "\n").utf8).write(to: URL(fileURLWithPath: executable))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable)
        return SyncRunner(
            executable: URL(fileURLWithPath: executable), workdir: folder, remote: "origin", arguments: ["--push", "--pr", "github"],
            timeout: .seconds(30),
            environment: ["PATH": "/usr/bin:/bin", ServeConfiguration.secretVariable: "s3cret", "KOMPLY_GIT_TOKEN": "tok"], fetch: fetch)
    }

    func testRunsSyncWithTheCommitAndBranchAndWithoutTheWebhookSecret() async throws {
        let runner = try runner(
            script: """
                printf '%s\\n' "$@" > "$(pwd)/arguments"
                env > "$(pwd)/environment"
                """)
        XCTAssertEqual(runner.syncArguments(for: job), ["sync", "--ref", job.commit, "--base", "main", "--push", "--pr", "github"])
        XCTAssertEqual(runner.childEnvironment, ["PATH": "/usr/bin:/bin", "KOMPLY_GIT_TOKEN": "tok"])
        try await runner.run(job)
        let arguments = try String(contentsOfFile: runner.workdir + "/arguments", encoding: .utf8)
        XCTAssertEqual(arguments, (runner.syncArguments(for: job) + [""]).joined(separator: "\n"))
        let environment = try String(contentsOfFile: runner.workdir + "/environment", encoding: .utf8)
        XCTAssertTrue(environment.contains("KOMPLY_GIT_TOKEN=tok\n"))
        XCTAssertFalse(environment.contains("s3cret"))
        XCTAssertFalse(environment.contains(ServeConfiguration.secretVariable))
    }

    func testAFailedSyncThrowsWithTheLastThreeLinesItPrinted() async throws {
        let runner = try runner(script: "for line in one two three four; do echo $line; done; echo oops >&2; exit 4")
        do {
            try await runner.run(job)
            XCTFail("komply sync failed")
        } catch {
            XCTAssertEqual(error as? ServeError, .syncFailed(status: 4, tail: "three | four | oops"))
            XCTAssertEqual(error.localizedDescription, "komply sync exited with status 4: three | four | oops")
        }
    }

    func testTheFetchRunsFirstAndAMissingBranchOrCommitStopsTheRun() async throws {
        let fetched = FetchLog()
        for (outcome, expected) in [
            (SyncRunner.FetchOutcome.branchMissing, ServeError.branchGone(remote: "origin", branch: "main")),
            (.commitMissing, .commitMissing(commit: job.commit, branch: "main")),
        ] {
            let runner = try runner(script: "touch \"$(pwd)/ran\"") { job in
                fetched.append(job.branch + "@" + job.commit)
                return outcome
            }
            do {
                try await runner.run(job)
                XCTFail("\(outcome) stops the run")
            } catch {
                XCTAssertEqual(error as? ServeError, expected)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: runner.workdir + "/ran"), "komply sync did not run")
        }
        XCTAssertEqual(fetched.entries, ["main@" + job.commit, "main@" + job.commit])
        XCTAssertEqual(
            ServeError.branchGone(remote: "origin", branch: "main").localizedDescription,
            "origin has no branch main any more; nothing to regenerate")
    }
}

/// The fetches a test's fake recorded (called off the test's thread).
private final class FetchLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    var entries: [String] { lock.withLock { recorded } }
    func append(_ entry: String) { lock.withLock { recorded.append(entry) } }
}
