import BatonSupport
import Synchronization

/// Long-poll wake-ups, per queue name.
public final class PollSignals: Sendable {
    private let waiting = Mutex([String: [SemaphoreBox]]())

    public init() {}

    /// Register before the last look at the queue: a commit in between still wakes the poller.
    public func register(_ queue: String) -> SemaphoreBox {
        let wake = SemaphoreBox()
        waiting.withLock { $0[queue, default: []].append(wake) }
        return wake
    }

    public func forget(_ wake: SemaphoreBox, _ queue: String) {
        waiting.withLock { w in
            w[queue]?.removeAll { $0 === wake }
            if w[queue]?.isEmpty == true { w[queue] = nil }
        }
    }

    public func notify(_ queue: String) {
        (waiting.withLock { $0.removeValue(forKey: queue) } ?? []).forEach { $0.signal() }
    }
}
