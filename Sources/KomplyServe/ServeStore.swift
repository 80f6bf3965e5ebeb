/// Where `komply serve` keeps its replay log (the delivery ids claimed) and its regeneration queue.
///
/// `MemoryServeStore` (the default) keeps both in this process: a `DeliveryLog` and a `JobQueue`. A shared
/// store (PostgreSQL, `komply serve --store postgres://…`, in KomplyPipeline) keeps them in a database, so
/// that several replicas behind one load balancer claim each delivery once and run each job once.
///
/// Every implementation keeps `JobQueue`'s semantics: jobs coalesce per repository and branch (a push for a
/// waiting branch replaces its commit, a push for a running branch queues one follow-up), at most `capacity`
/// jobs wait, and one job per branch runs at a time. A store has one worker per process: it calls `next()`,
/// runs the job, calls `finish(_:failure:)`, and only then `next()` again.
public protocol ServeStore: Sendable {
    /// How log lines name the store: `memory` or the URL without a password.
    var description: String { get }
    /// The most jobs that may wait.
    var capacity: Int { get }
    /// Claims a delivery id: true the first time (in any replica), false for a replay.
    func claimDelivery(_ id: String) async throws -> Bool
    /// Forgets a claimed id, for a delivery that was refused and may be sent again.
    func releaseDelivery(_ id: String) async throws
    /// Adds an accepted push, coalescing it with the branch's waiting job.
    func enqueue(_ job: PushJob) async throws -> JobQueue.Outcome
    /// The next job this process should run, waiting for one; nil once the store is closed.
    func next() async throws -> PushJob?
    /// How often the worker calls `renew(_:)` while a job runs.
    var renewal: Duration { get }
    /// Keeps the running job claimed by this process; false when it lost the job (another replica took it).
    func renew(_ job: PushJob) async throws -> Bool
    /// Marks the running job done (`failure` nil) or failed.
    func finish(_ job: PushJob, failure: String?) async throws
    /// Stops handing out jobs and refuses new pushes.
    func close() async
    /// The jobs waiting (across every replica for a shared store) and whether this process runs one.
    func status() async -> ServeStoreStatus
    /// What a shutdown leaves behind, one log line each.
    func shutdownReport() async -> [String]
}

/// What `/metrics` shows of a store.
public struct ServeStoreStatus: Sendable, Equatable {
    /// Jobs waiting (the running ones not counted).
    public var depth: Int
    /// Whether this process runs a job now.
    public var running: Bool

    /// A status.
    public init(depth: Int, running: Bool) {
        self.depth = depth
        self.running = running
    }
}

/// The default store: the replay log and the queue in this process's memory (lost on exit).
public struct MemoryServeStore: ServeStore {
    /// The delivery ids remembered.
    public let deliveries: DeliveryLog
    /// The regeneration queue.
    public let queue: JobQueue

    /// A store over `deliveries` and `queue`.
    public init(deliveries: DeliveryLog, queue: JobQueue) {
        self.deliveries = deliveries
        self.queue = queue
    }

    /// A store holding at most `capacity` waiting jobs and remembering `rememberedDeliveries` ids.
    public init(capacity: Int, rememberedDeliveries: Int) {
        self.init(deliveries: DeliveryLog(capacity: rememberedDeliveries), queue: JobQueue(capacity: capacity))
    }

    public var description: String { "memory" }
    public var capacity: Int { queue.capacity }
    public func claimDelivery(_ id: String) async -> Bool { await deliveries.claim(id) }
    public func releaseDelivery(_ id: String) async { await deliveries.release(id) }
    public func enqueue(_ job: PushJob) async -> JobQueue.Outcome { await queue.enqueue(job) }
    public func next() async -> PushJob? { await queue.next() }
    public var renewal: Duration { .seconds(3600) }
    public func renew(_ job: PushJob) async -> Bool { true }
    public func finish(_ job: PushJob, failure: String?) async { await queue.finish() }
    public func close() async { await queue.close() }

    public func status() async -> ServeStoreStatus {
        ServeStoreStatus(depth: await queue.depth, running: await queue.running != nil)
    }

    public func shutdownReport() async -> [String] {
        await queue.pending.map { job in
            "shutting down: \(job.repository) \(job.branch) at \(job.commit.prefix(12)) was not regenerated; redeliver delivery \(job.delivery) to run it"
        }
    }
}
