/// The delivery ids seen recently (`X-GitHub-Delivery`, `X-Gitea-Delivery`), so that a replayed or
/// redelivered delivery does no work twice. Bounded: past `capacity` ids, the oldest is forgotten.
///
/// An id is claimed before its delivery is handled and released again when the delivery is refused
/// (queue full, bad payload), so that the host's "redeliver" — which reuses the id — still works.
public actor DeliveryLog {
    /// The most ids remembered.
    public let capacity: Int

    private var generations: [String: Int] = [:]
    private var order: [(id: String, generation: Int)] = []
    private var head = 0
    private var nextGeneration = 0

    /// An empty log remembering at most `capacity` ids (at least 1).
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Claims `id`: true the first time, false while it is remembered (a replay).
    public func claim(_ id: String) -> Bool {
        guard generations[id] == nil else { return false }
        nextGeneration += 1
        generations[id] = nextGeneration
        order.append((id, nextGeneration))
        evictOverflow()
        return true
    }

    /// Forgets a claimed `id`, for a delivery that was refused and may be sent again.
    public func release(_ id: String) {
        generations[id] = nil
    }

    /// How many ids are remembered.
    public var count: Int { generations.count }
}

private extension DeliveryLog {
    func evictOverflow() {
        while generations.count > capacity, head < order.count {
            let entry = order[head]
            head += 1
            // Released ids leave stale entries behind; only the current claim of an id evicts it.
            if generations[entry.id] == entry.generation { generations[entry.id] = nil }
        }
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
        if order.count - head > 2 * capacity {
            order = order[head...].filter { generations[$0.id] == $0.generation }
            head = 0
        }
    }
}
