import Foundation
import Synchronization

/// Where "now" comes from, in epoch milliseconds. Tests replace it with `ManualClock`.
public protocol Clock: Sendable {
    var now: Int64 { get }
}

/// The real clock.
public struct WallClock: Clock {
    public init() {}
    public var now: Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to.
public final class ManualClock: Clock {
    private let current: Atomic<Int64>
    public init(_ start: Int64 = 1_767_225_600_000) { current = Atomic(start) }
    public var now: Int64 { current.load(ordering: .relaxed) }
    public func advance(byMillis ms: Int64) { current.add(ms, ordering: .relaxed) }
    public func set(_ ms: Int64) { current.store(ms, ordering: .relaxed) }
}

/// Monotonic nanoseconds, for measuring durations (never for stored times).
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
