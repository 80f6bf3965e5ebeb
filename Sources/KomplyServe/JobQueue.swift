/// One regeneration to run: a repository's branch at a commit.
public struct PushJob: Sendable, Equatable {
    /// The repository's `owner/name`.
    public var repository: String
    /// The repository's HTTPS clone URL, as the host sent it.
    public var cloneURL: String
    /// The branch, without `refs/heads/`.
    public var branch: String
    /// The commit to regenerate from: the newest push accepted for the branch.
    public var commit: String
    /// The delivery id of that newest push.
    public var delivery: String
    /// How many accepted pushes this run covers (more than 1 when pushes coalesced).
    public var pushes: Int

    /// A job for one accepted push.
    public init(_ event: PushEvent, delivery: String) {
        self.repository = event.repository
        self.cloneURL = event.cloneURL
        self.branch = event.branch
        self.commit = event.commit
        self.delivery = delivery
        self.pushes = 1
    }

    /// What coalesces: one repository's branch.
    public var key: String { repository + "\u{0}" + branch }
}

/// The bounded queue of regenerations, consumed by one worker. Pushes for the same repository and
/// branch coalesce: while a job for the branch waits, a newer push replaces its commit; while one
/// runs, a newer push queues one follow-up. So every accepted push is covered by a run that starts
/// after it was accepted, and at most `capacity` jobs wait.
public actor JobQueue {
    /// What `enqueue` did with a push.
    public enum Outcome: Sendable, Equatable {
        /// A new waiting job; `depth` jobs wait now (this one included).
        case queued(depth: Int, behindRunning: Bool)
        /// The branch's waiting job now targets the new commit (it had `previous`).
        case coalesced(previous: String)
        /// `capacity` other branches are waiting already: refused.
        case full
        /// The queue is shutting down: refused.
        case closed
    }

    /// The most jobs that may wait (the running one is not counted).
    public let capacity: Int
    /// The most jobs that ever waited at once.
    public private(set) var highWaterMark = 0
    /// The job being run, if any.
    public private(set) var running: PushJob?

    private var waiting: [PushJob] = []
    private var worker: CheckedContinuation<PushJob?, Never>?
    private var closed = false

    /// An empty queue holding at most `capacity` waiting jobs (at least 1).
    public init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
    }

    /// How many jobs wait.
    public var depth: Int { waiting.count }

    /// The jobs waiting, oldest first.
    public var pending: [PushJob] { waiting }

    /// Adds an accepted push, coalescing it with the branch's waiting job.
    public func enqueue(_ job: PushJob) -> Outcome {
        guard !closed else { return .closed }
        if let index = waiting.firstIndex(where: { $0.key == job.key }) {
            let previous = waiting[index].commit
            waiting[index].commit = job.commit
            waiting[index].delivery = job.delivery
            waiting[index].pushes += job.pushes
            return .coalesced(previous: previous)
        }
        guard waiting.count < capacity else { return .full }
        waiting.append(job)
        highWaterMark = max(highWaterMark, waiting.count)
        let outcome = Outcome.queued(depth: waiting.count, behindRunning: running?.key == job.key)
        if let worker {
            self.worker = nil
            worker.resume(returning: takeNext())
        }
        return outcome
    }

    /// The next job to run, waiting for one; nil once the queue is closed (or the task cancelled).
    /// The caller runs it and then calls `finish()`.
    public func next() async -> PushJob? {
        precondition(running == nil && worker == nil, "JobQueue has one worker; it must call finish() before next()")
        if let job = takeNext() { return job }
        if closed { return nil }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if closed || Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    worker = continuation
                }
            }
        } onCancel: {
            Task { await self.close() }
        }
    }

    /// Marks the running job done.
    public func finish() {
        running = nil
    }

    /// Stops handing out jobs and refuses new pushes; the jobs still waiting stay in `pending` (never run).
    public func close() {
        closed = true
        if let worker {
            self.worker = nil
            worker.resume(returning: nil)
        }
    }
}

private extension JobQueue {
    func takeNext() -> PushJob? {
        guard !closed, !waiting.isEmpty else { return nil }
        let job = waiting.removeFirst()
        running = job
        return job
    }
}
