/// Everything an import produced, before it is written to the store.
public struct HistoryBatch: Sendable, Hashable {
    /// Deployments.
    public var deployments: [DeploymentRecord] = []
    /// Usage samples.
    public var samples: [UsageSample] = []
    /// Events.
    public var events: [UsageEvent] = []
    /// What was dropped or assumed, one sentence each (NaN values, counter resets, gaps…).
    public var notes: [String] = []
    /// What was dropped because it is not finite or outside komply's physical bounds, one sentence each,
    /// starting with the file:line:column where the importer knows it.
    public var warnings: [String] = []

    /// Creates an empty batch.
    public init(deployments: [DeploymentRecord] = [], samples: [UsageSample] = [], events: [UsageEvent] = [], notes: [String] = []) {
        self.deployments = deployments
        self.samples = samples
        self.events = events
        self.notes = notes
    }

    /// Appends another batch.
    public mutating func append(_ other: HistoryBatch) {
        deployments += other.deployments
        samples += other.samples
        events += other.events
        notes += other.notes
        warnings += other.warnings
    }

    /// The batch with every row's app normalised to its history key (`HistoryApp.key`).
    public func keyedByApp() -> HistoryBatch {
        var batch = self
        for index in batch.deployments.indices { batch.deployments[index].app = HistoryApp.key(batch.deployments[index].app) }
        for index in batch.samples.indices { batch.samples[index].app = HistoryApp.key(batch.samples[index].app) }
        for index in batch.events.indices { batch.events[index].app = HistoryApp.key(batch.events[index].app) }
        return batch
    }
}
