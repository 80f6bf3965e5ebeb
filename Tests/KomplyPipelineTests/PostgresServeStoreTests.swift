import Foundation
import KomplyPipeline
import KomplyServe
import KomplyTestSupport
import XCTest

/// `komply serve --store postgres://…` against a real PostgreSQL 15: delivery ids are claimed once across
/// replicas, concurrent claimers never share a job, pushes coalesce per branch, a job whose lease expired
/// runs again, the capacity counts every replica's waiting jobs, and old rows are pruned.
final class PostgresServeStoreTests: XCTestCase {
    nonisolated(unsafe) static var server: PostgresServer?

    override class func tearDown() {
        server?.stop()
        server = nil
    }

    func testDeliveryIsClaimedOnceAcrossReplicas() async throws {
        let url = try Self.database()
        let (a, b) = (try await Self.open(url, replica: "a"), try await Self.open(url, replica: "b"))
        let first = try await a.claimDelivery("d1")
        let replayed = try await b.claimDelivery("d1")
        XCTAssertTrue(first)
        XCTAssertFalse(replayed, "the other replica refuses the replay")
        try await a.releaseDelivery("d1")
        let redelivered = try await b.claimDelivery("d1")
        XCTAssertTrue(redelivered, "a released id (a refused delivery) may be delivered again")
        // Many replicas claiming one id at once: exactly one wins.
        let stores = [a, b, try await Self.open(url, replica: "c"), try await Self.open(url, replica: "d")]
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for store in stores { group.addTask { try await store.claimDelivery("d2") } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(winners, 1)

        // A replica that died between claiming an id and queueing its job: the claim is forgotten once it is
        // old. An id whose job was queued stays claimed.
        let (orphan, queued) = (Self.job(branch: "main", commit: 1), Self.job(branch: "dev", commit: 2))
        let claimedOrphan = try await a.claimDelivery(orphan.delivery)
        let claimedQueued = try await a.claimDelivery(queued.delivery)
        XCTAssertTrue(claimedOrphan && claimedQueued)
        try await a.enqueue(queued).assertQueued()
        let fresh = try await b.claimDelivery(orphan.delivery)
        XCTAssertFalse(fresh, "a recent claim may still be queueing")
        try Self.sql(url, "UPDATE serve_deliveries SET claimed_at = claimed_at - interval '2 minutes'")
        let orphanAgain = try await b.claimDelivery(orphan.delivery)
        let queuedAgain = try await b.claimDelivery(queued.delivery)
        XCTAssertTrue(orphanAgain, "an old claim that queued nothing is claimed again")
        XCTAssertFalse(queuedAgain, "a delivery that queued a job is a replay for as long as its id is kept")
        for store in stores { await store.shutdown() }
    }

    func testConcurrentClaimersNeverTakeTheSameJob() async throws {
        let url = try Self.database()
        let (a, b) = (try await Self.open(url, replica: "a"), try await Self.open(url, replica: "b"))
        let count = 60
        for number in 0..<count {
            let outcome = try await (number.isMultiple(of: 2) ? a : b).enqueue(Self.job(branch: "b\(number)", commit: number))
            XCTAssertEqual(outcome, .queued(depth: number + 1, behindRunning: false))
        }
        let taken = try await withThrowingTaskGroup(of: [String].self) { group in
            for store in [a, b] {
                group.addTask {
                    var commits: [String] = []
                    while let job = try await store.tryNext() {
                        commits.append(job.commit)
                        try await Task.sleep(for: .milliseconds(5))
                        try await store.finish(job, failure: nil)
                    }
                    return commits
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let all = taken.flatMap { $0 }
        XCTAssertEqual(all.count, count, "every job was taken")
        XCTAssertEqual(Set(all).count, count, "no job was taken twice")
        XCTAssertTrue(taken.allSatisfy { !$0.isEmpty }, "both claimers took jobs: \(taken.map(\.count))")
        let rows = try Self.sql(url, "SELECT count(*), sum(attempts), count(DISTINCT commit_id) FROM serve_jobs WHERE state = 'done'")
        XCTAssertEqual(rows, "\(count)|\(count)|\(count)")
        await a.shutdown()
        await b.shutdown()
    }

    func testPushesCoalescePerBranchAcrossReplicas() async throws {
        let url = try Self.database()
        let (a, b) = (try await Self.open(url, replica: "a"), try await Self.open(url, replica: "b"))
        let queued = try await a.enqueue(Self.job(branch: "main", commit: 1))
        XCTAssertEqual(queued, .queued(depth: 1, behindRunning: false))
        let replaced = try await b.enqueue(Self.job(branch: "main", commit: 2))
        XCTAssertEqual(replaced, .coalesced(previous: Self.commit(1)), "a waiting job takes the newer commit")
        let running = try await a.tryNext()
        XCTAssertEqual(running?.commit, Self.commit(2))
        XCTAssertEqual(running?.pushes, 2)
        let followUp = try await b.enqueue(Self.job(branch: "main", commit: 3))
        XCTAssertEqual(followUp, .queued(depth: 1, behindRunning: true), "a push during the run queues one follow-up")
        let coalesced = try await a.enqueue(Self.job(branch: "main", commit: 4))
        XCTAssertEqual(coalesced, .coalesced(previous: Self.commit(3)))
        let blocked = try await b.tryNext()
        XCTAssertNil(blocked, "one job per branch runs at a time, across replicas")
        try await a.finish(running!, failure: nil)
        let next = try await b.tryNext()
        XCTAssertEqual(next?.commit, Self.commit(4))
        XCTAssertEqual(next?.pushes, 2)
        try await b.finish(next!, failure: "sync failed")
        let states = try Self.sql(url, "SELECT string_agg(state || ':' || pushes, ',' ORDER BY id) FROM serve_jobs")
        XCTAssertEqual(states, "done:2,failed:2")

        // Concurrent pushes for one branch while it runs: exactly one follow-up waits, covering all of them.
        try await a.enqueue(Self.job(branch: "dev", commit: 10)).assertQueued()
        let dev = try await a.tryNext()
        XCTAssertEqual(dev?.commit, Self.commit(10))
        let outcomes = try await withThrowingTaskGroup(of: JobQueue.Outcome.self) { group in
            for number in 11...30 {
                group.addTask { try await (number.isMultiple(of: 2) ? a : b).enqueue(Self.job(branch: "dev", commit: number)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { if case .queued = $0 { return true } else { return false } }.count, 1, "\(outcomes)")
        let waiting = try Self.sql(url, "SELECT count(*), sum(pushes) FROM serve_jobs WHERE branch = 'dev' AND state = 'waiting'")
        XCTAssertEqual(waiting, "1|20")
        await a.shutdown()
        await b.shutdown()
    }

    func testJobOfADeadReplicaRunsAgainWhenItsLeaseExpires() async throws {
        let url = try Self.database()
        var settings = PostgresServeStore.Settings(capacity: 8)
        settings.lease = .milliseconds(800)
        settings.replica = "dies"
        let dying = try await PostgresServeStore.open(url: url, settings: settings)
        settings.replica = "survives"
        let lines = Lines()
        let survivor = try await PostgresServeStore.open(url: url, settings: settings, log: lines.append)
        try await dying.enqueue(Self.job(branch: "main", commit: 1)).assertQueued()
        let taken = try await dying.tryNext()
        XCTAssertEqual(taken?.commit, Self.commit(1))
        let early = try await survivor.tryNext()
        XCTAssertNil(early, "the lease is live")
        // The dying replica stops renewing; once the lease expires the job is taken again.
        try await Task.sleep(for: .milliseconds(1200))
        let again = try await survivor.tryNext()
        XCTAssertEqual(again?.commit, Self.commit(1))
        XCTAssertTrue(lines.text.contains("took over job 1"), lines.text)
        let renewed = try await dying.renew(taken!)
        XCTAssertFalse(renewed, "the old owner learns it lost the job")
        do {
            try await dying.finish(taken!, failure: nil)
            XCTFail("finishing a job taken over must fail")
        } catch {
            XCTAssertTrue(error.localizedDescription.contains("another replica took it over"), error.localizedDescription)
        }
        try await survivor.finish(again!, failure: nil)
        let row = try Self.sql(url, "SELECT state, replica, attempts FROM serve_jobs")
        XCTAssertEqual(row, "done|survives|2")

        // A dead replica's job with a follow-up waiting: the follow-up runs, the old job is superseded, never re-run.
        try await dying.enqueue(Self.job(branch: "dev", commit: 2)).assertQueued()
        let dev = try await dying.tryNext()
        XCTAssertEqual(dev?.commit, Self.commit(2))
        try await survivor.enqueue(Self.job(branch: "dev", commit: 3)).assertQueued()
        try await Task.sleep(for: .milliseconds(1200))
        let followUp = try await survivor.tryNext()
        XCTAssertEqual(followUp?.commit, Self.commit(3))
        try await survivor.finish(followUp!, failure: nil)
        let none = try await survivor.tryNext()
        XCTAssertNil(none)
        let dead = try Self.sql(url, "SELECT state FROM serve_jobs WHERE commit_id = '\(Self.commit(2))'")
        XCTAssertEqual(dead, "superseded")
        await dying.shutdown()
        await survivor.shutdown()
    }

    func testRenewedLeaseKeepsTheJob() async throws {
        let url = try Self.database()
        var settings = PostgresServeStore.Settings(capacity: 8)
        settings.lease = .milliseconds(600)
        settings.replica = "runs"
        let running = try await PostgresServeStore.open(url: url, settings: settings)
        settings.replica = "waits"
        let other = try await PostgresServeStore.open(url: url, settings: settings)
        XCTAssertEqual(running.renewal, .milliseconds(200))
        try await running.enqueue(Self.job(branch: "main", commit: 1)).assertQueued()
        let job = try await running.tryNext()
        XCTAssertNotNil(job)
        // A run three leases long: renewed in time, the job is never taken over.
        for _ in 0..<9 {
            try await Task.sleep(for: running.renewal)
            let renewed = try await running.renew(job!)
            XCTAssertTrue(renewed)
            let taken = try await other.tryNext()
            XCTAssertNil(taken)
        }
        try await running.finish(job!, failure: nil)
        XCTAssertEqual(try Self.sql(url, "SELECT state, replica, attempts FROM serve_jobs"), "done|runs|1")
        await running.shutdown()
        await other.shutdown()
    }

    func testCapacityCountsWaitingJobsOfEveryReplica() async throws {
        let url = try Self.database()
        let (a, b) = (try await Self.open(url, replica: "a", capacity: 2), try await Self.open(url, replica: "b", capacity: 2))
        try await a.enqueue(Self.job(branch: "one", commit: 1)).assertQueued()
        try await b.enqueue(Self.job(branch: "two", commit: 2)).assertQueued()
        let full = try await a.enqueue(Self.job(branch: "three", commit: 3))
        XCTAssertEqual(full, .full)
        let alsoFull = try await b.enqueue(Self.job(branch: "three", commit: 3))
        XCTAssertEqual(alsoFull, .full)
        let coalesced = try await b.enqueue(Self.job(branch: "one", commit: 4))
        XCTAssertEqual(coalesced, .coalesced(previous: Self.commit(1)), "a waiting branch still coalesces when the queue is full")
        let depth = try await a.waitingCount()
        XCTAssertEqual(depth, 2)
        let status = await b.status()
        XCTAssertEqual(status, ServeStoreStatus(depth: 2, running: false))
        await a.close()
        let closed = try await a.enqueue(Self.job(branch: "four", commit: 5))
        XCTAssertEqual(closed, .closed)
        await a.shutdown()
        await b.shutdown()
    }

    func testOldRowsArePruned() async throws {
        let url = try Self.database()
        var settings = PostgresServeStore.Settings(capacity: 100, rememberedDeliveries: 5)
        settings.retainedJobs = 3
        let store = try await PostgresServeStore.open(url: url, settings: settings)
        for number in 0..<20 { _ = try await store.claimDelivery("d\(number)") }
        for number in 0..<10 {
            try await store.enqueue(Self.job(branch: "b\(number)", commit: number)).assertQueued()
            let job = try await store.tryNext()
            try await store.finish(job!, failure: nil)
        }
        XCTAssertEqual(try Self.sql(url, "SELECT count(*) FROM serve_jobs"), "3")
        XCTAssertEqual(try Self.sql(url, "SELECT string_agg(id::text, ',' ORDER BY id) FROM serve_jobs"), "8,9,10")
        XCTAssertEqual(try Self.sql(url, "SELECT string_agg(id, ',' ORDER BY seq) FROM serve_deliveries"), "d15,d16,d17,d18,d19")
        let forgotten = try await store.claimDelivery("d0")
        XCTAssertTrue(forgotten, "the oldest ids are forgotten first")
        await store.shutdown()
    }

    func testSchemaIsCreatedOnceAndURLsAreChecked() async throws {
        let url = try Self.database()
        let stores = try await withThrowingTaskGroup(of: PostgresServeStore.self) { group in
            for replica in ["a", "b", "c"] { group.addTask { try await Self.open(url, replica: replica) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(try Self.sql(url, "SELECT string_agg(version::text, ',') FROM serve_schema"), "1")
        for store in stores { await store.shutdown() }

        XCTAssertNoThrow(try PostgresServeStore.validate("memory"))
        for (bad, expected) in [
            ("postgres://komply:hunter2@db:5432/komply", "PGPASSWORD"), ("redis://db:6379", "memory or postgres://"),
            ("postgres://db:5432/komply", "a user name"), ("postgres://komply@db:5432/", "one database name"),
        ] {
            XCTAssertThrowsError(try PostgresServeStore.validate(bad), bad) { error in
                let message = error.localizedDescription
                XCTAssertTrue(message.contains("--store"), message)
                XCTAssertTrue(message.contains(expected), message)
                XCTAssertFalse(message.contains("hunter2"), message)
            }
        }
        let closed = 1  // nothing listens on tcpmux
        do {
            _ = try await PostgresServeStore.open(url: "postgres://komply@127.0.0.1:\(closed)/komply", settings: .init(capacity: 1))
            XCTFail("no server listens there")
        } catch {
            XCTAssertTrue(
                error.localizedDescription.contains("cannot connect to PostgreSQL at 127.0.0.1:\(closed)"), error.localizedDescription)
        }
    }
}

private extension PostgresServeStoreTests {
    /// A fresh database on the class's server (started on first use); skips without PostgreSQL 15 unless `CI` is set.
    static func database() throws -> String {
        if let server { return try server.createDatabase() }
        guard PostgresServer.isAvailable else {
            let message = "PostgreSQL 15 is not installed (\(PostgresServer.binaries)/initdb); scripts/setup installs postgresql-15"
            let ci = ProcessInfo.processInfo.environment["CI"].map { !["", "0", "false"].contains($0.lowercased()) } ?? false
            if ci { throw NSError(domain: "PostgresServeStoreTests", code: 1, userInfo: [NSLocalizedDescriptionKey: message]) }
            throw XCTSkip(message)
        }
        let started = try PostgresServer()
        server = started
        return try started.createDatabase()
    }

    /// `query`'s unaligned output in the database `url` names, without the final newline.
    @discardableResult
    static func sql(_ url: String, _ query: String) throws -> String {
        try server!.psql(String(url.split(separator: "/").last ?? ""), query).trimmingCharacters(in: .newlines)
    }

    static func open(_ url: String, replica: String, capacity: Int = 100) async throws -> PostgresServeStore {
        var settings = PostgresServeStore.Settings(capacity: capacity)
        settings.replica = replica
        settings.pollInterval = .milliseconds(50)
        return try await PostgresServeStore.open(url: url, settings: settings)
    }

    static func commit(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: 40 - hex.count) + hex
    }

    static func job(branch: String, commit number: Int) -> PushJob {
        PushJob(
            PushEvent(repository: "acme/shop", cloneURL: "https://github.com/acme/shop.git", branch: branch, commit: Self.commit(number)),
            delivery: "delivery-\(number)")
    }
}

private extension JobQueue.Outcome {
    func assertQueued(file: StaticString = #filePath, line: UInt = #line) {
        if case .queued = self { return }
        XCTFail("expected queued, got \(self)", file: file, line: line)
    }
}

/// Log lines collected from a store.
private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }
}
