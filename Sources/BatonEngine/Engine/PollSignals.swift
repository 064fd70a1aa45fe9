import BatonSupport
import Synchronization

/// Parked long polls, per queue name: told when the queue may have work (or the clock moved, or the
/// server stops), each looks again itself.
public final class PollSignals: Sendable {
    private let waiting = Mutex([String: [LongPoll]]())
    private let closed = Atomic<Bool>(false)

    public init() {}

    /// Register before the last look at the queue: a commit in between still wakes the poller.
    func register(_ wake: LongPoll, _ queue: String) {
        waiting.withLock { $0[queue, default: []].append(wake) }
    }

    func forget(_ wake: LongPoll, _ queue: String) {
        waiting.withLock { w in
            w[queue]?.removeAll { $0 === wake }
            if w[queue]?.isEmpty == true { w[queue] = nil }
        }
    }

    /// Every parked poller looks again: the manual clock moved (a deadline may have passed), or the
    /// server is stopping (`close`).
    public func notifyAll() {
        let all = waiting.withLock { w -> [[LongPoll]] in
            defer { w = [:] }
            return Array(w.values)
        }
        all.joined().forEach { $0.queueChanged() }
    }

    /// The server is stopping: parked polls answer now (empty) instead of holding the drain up.
    public func close() {
        closed.store(true, ordering: .releasing)
        notifyAll()
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    public func notify(_ queue: String) {
        (waiting.withLock { $0.removeValue(forKey: queue) } ?? []).forEach { $0.queueChanged() }
    }
}
