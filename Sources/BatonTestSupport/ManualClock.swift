import BatonSupport
import Synchronization

/// A clock that moves only when told to.
public final class ManualClock: TimeSource {
    private let current: Atomic<Int64>
    public init(_ start: Int64 = 1_767_225_600_000) { current = Atomic(start) }
    public var now: Int64 { current.load(ordering: .relaxed) }
    public func advance(byMillis ms: Int64) { current.add(ms, ordering: .relaxed) }
    public func set(_ ms: Int64) { current.store(ms, ordering: .relaxed) }
}
