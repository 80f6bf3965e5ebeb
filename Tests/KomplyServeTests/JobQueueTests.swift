import XCTest

@testable import KomplyServe

/// The coalescing, bounded regeneration queue.
final class JobQueueTests: XCTestCase {
    static func job(_ branch: String, _ commit: String, repository: String = "acme/shop") -> PushJob {
        let sha = String(repeating: commit, count: 40 / commit.count + 1).prefix(40)
        return PushJob(
            PushEvent(repository: repository, cloneURL: "https://x/\(repository).git", branch: branch, commit: String(sha)),
            delivery: "d-\(commit)")
    }

    func testWaitingJobTakesTheNewerCommit() async {
        let queue = JobQueue(capacity: 4)
        let first = await queue.enqueue(Self.job("main", "a"))
        let second = await queue.enqueue(Self.job("main", "b"))
        XCTAssertEqual(first, .queued(depth: 1, behindRunning: false))
        XCTAssertEqual(second, .coalesced(previous: Self.job("main", "a").commit))
        let next = await Self.next(queue)
        XCTAssertEqual(next?.commit, Self.job("main", "b").commit)
        XCTAssertEqual(next?.pushes, 2)
        XCTAssertEqual(next?.delivery, "d-b")
        let depth = await queue.depth
        XCTAssertEqual(depth, 0)
    }

    func testPushDuringARunQueuesOneFollowUp() async {
        let queue = JobQueue(capacity: 4)
        _ = await queue.enqueue(Self.job("main", "a"))
        let running = await Self.next(queue)
        XCTAssertEqual(running?.commit, Self.job("main", "a").commit)
        let during = await queue.enqueue(Self.job("main", "b"))
        let duringAgain = await queue.enqueue(Self.job("main", "c"))
        XCTAssertEqual(during, .queued(depth: 1, behindRunning: true), "the running job started before b was accepted: b needs its own run")
        XCTAssertEqual(duringAgain, .coalesced(previous: Self.job("main", "b").commit))
        await queue.finish()
        let waiting = await queue.pending
        XCTAssertEqual(waiting.map(\.commit), [Self.job("main", "c").commit])
        let followUp = await Self.next(queue)
        XCTAssertEqual(followUp?.commit, Self.job("main", "c").commit)
        XCTAssertEqual(followUp?.pushes, 2)
    }

    func testFullQueueRefusesNewBranchesButStillCoalesces() async {
        let queue = JobQueue(capacity: 2)
        _ = await queue.enqueue(Self.job("a", "1"))
        _ = await queue.enqueue(Self.job("b", "2"))
        let third = await queue.enqueue(Self.job("c", "3"))
        let sameBranch = await queue.enqueue(Self.job("a", "4"))
        let otherRepository = await queue.enqueue(Self.job("a", "5", repository: "acme/other"))
        XCTAssertEqual(third, .full)
        XCTAssertEqual(sameBranch, .coalesced(previous: Self.job("a", "1").commit))
        XCTAssertEqual(otherRepository, .full, "branches are per repository")
        let (depth, highWater) = (await queue.depth, await queue.highWaterMark)
        XCTAssertEqual(depth, 2)
        XCTAssertEqual(highWater, 2)
    }

    func testFirstInFirstOutAcrossBranches() async {
        let queue = JobQueue(capacity: 8)
        for (branch, commit) in [("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")] { _ = await queue.enqueue(Self.job(branch, commit)) }
        var order: [String] = []
        for _ in 0..<3 {
            if let job = await Self.next(queue) { order.append(job.branch) }
            await queue.finish()
        }
        XCTAssertEqual(order, ["a", "b", "c"])
    }

    func testWaitingWorkerIsWokenByAPush() async {
        let queue = JobQueue(capacity: 2)
        let worker = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(50))
        _ = await queue.enqueue(Self.job("main", "a"))
        let job = await worker.value
        XCTAssertEqual(job?.branch, "main")
        let running = await queue.running
        XCTAssertEqual(running?.branch, "main")
    }

    func testCloseWakesTheWorkerAndKeepsWaitingJobsVisible() async {
        let queue = JobQueue(capacity: 2)
        let worker = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(50))
        await queue.close()
        let none = await worker.value
        XCTAssertNil(none)

        let other = JobQueue(capacity: 2)
        _ = await other.enqueue(Self.job("main", "a"))
        await other.close()
        let (next, pending, late) = (await Self.next(other), await other.pending, await other.enqueue(Self.job("dev", "b")))
        XCTAssertNil(next, "a closed queue starts nothing")
        XCTAssertEqual(pending.map(\.branch), ["main"])
        XCTAssertEqual(late, .closed)
    }

    func testCancellingTheWorkerEndsItsWait() async {
        let queue = JobQueue(capacity: 2)
        let worker = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(50))
        worker.cancel()
        let result = await worker.value
        XCTAssertNil(result)
    }

    /// The queue's next job, or nil when none comes within a second (a lost job fails the test instead of hanging it).
    static func next(_ queue: JobQueue) async -> PushJob? {
        await withTaskGroup(of: PushJob?.self) { group in
            group.addTask { await queue.next() }
            group.addTask {
                try? await Task.sleep(for: .seconds(1))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
