/// One task queue: higher workflow priority first, then first-in first-out, and an entry is handed out
/// only once its visibility time has passed (retry delays, `startDelay`, IN_PROGRESS callbacks).
/// Removal is lazy: entries whose task left the queue are skipped when they surface.
struct TaskQueue {
    struct Entry {
        var taskId: String
        var priority: Int
        var visibleAt: Int64
        var seq: UInt64
    }

    private var ready = Heap<Entry> { a, b in a.priority != b.priority ? a.priority > b.priority : a.seq < b.seq }
    private var delayed = Heap<Entry> { a, b in a.visibleAt != b.visibleAt ? a.visibleAt < b.visibleAt : a.seq < b.seq }
    /// Live entries: task id → the sequence number of its current entry.
    private(set) var members: [String: UInt64] = [:]

    var count: Int { members.count }

    mutating func push(taskId: String, priority: Int, visibleAt: Int64, seq: UInt64, now: Int64) {
        members[taskId] = seq
        let e = Entry(taskId: taskId, priority: priority, visibleAt: visibleAt, seq: seq)
        if visibleAt <= now { ready.push(e) } else { delayed.push(e) }
    }

    mutating func remove(taskId: String) { members[taskId] = nil }

    /// Moves entries whose time has come to the ready heap.
    private mutating func promote(now: Int64) {
        while let top = delayed.first, top.visibleAt <= now {
            delayed.popFirst()
            if members[top.taskId] == top.seq { ready.push(top) }
        }
    }

    /// The first visible entries, in hand-out order, that `accept` takes, up to `limit`. Entries it
    /// declines (throttled) are passed over. Membership does not change: a task leaves the queue when
    /// the change that hands it out is applied, so a command that is discarded leaves the queue as it was.
    /// (Entries that surface stale, and the promotion of delayed ones, are tidied up on the way.)
    mutating func select(limit: Int, now: Int64, accept: (String) -> Bool) -> [String] {
        promote(now: now)
        var taken: [String] = []
        var seen: [Entry] = []
        while taken.count < limit, let e = ready.popFirst() {
            guard members[e.taskId] == e.seq else { continue }
            seen.append(e)
            if accept(e.taskId) { taken.append(e.taskId) }
        }
        for e in seen { ready.push(e) }
        return taken
    }

    /// Live task ids in hand-out order (for the admin view), visible ones first.
    func orderedTaskIds() -> [String] {
        let live = (ready.items + delayed.items).filter { members[$0.taskId] == $0.seq }
        return live.sorted { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            return a.seq < b.seq
        }.map(\.taskId)
    }
}
