import Foundation
import Synchronization

/// Where "now" comes from, in epoch milliseconds (named so as not to shadow `Swift.Clock`, which
/// measures durations): the wall clock when serving normally, `ManualClock` under `--clock manual`
/// and in unit tests.
public protocol TimeSource: Sendable {
    var now: Int64 { get }
    /// Time moves only when told to: waits measured on this clock (long polls) end when it is
    /// advanced, never by themselves.
    var isManual: Bool { get }
}

extension TimeSource {
    public var isManual: Bool { false }
}

/// The real clock.
public struct WallClock: TimeSource {
    public init() {}
    public var now: Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to, and never backwards.
public final class ManualClock: TimeSource {
    private let current: Atomic<Int64>
    public init(_ start: Int64 = 1_767_225_600_000) { current = Atomic(start) }
    public var now: Int64 { current.load(ordering: .acquiring) }
    public var isManual: Bool { true }
    public func advance(byMillis ms: Int64) { current.add(max(0, ms), ordering: .releasing) }
    /// Moves to `ms` if that is later than now; returns the time it shows afterwards.
    @discardableResult
    public func move(to ms: Int64) -> Int64 {
        var seen = current.load(ordering: .acquiring)
        while seen < ms {
            let (exchanged, original) = current.compareExchange(expected: seen, desired: ms, ordering: .acquiringAndReleasing)
            if exchanged { return ms }
            seen = original
        }
        return seen
    }
    /// Sets the time outright (tests only: stored times may then lie in the future).
    public func set(_ ms: Int64) { current.store(ms, ordering: .releasing) }
}

/// Monotonic nanoseconds, for measuring durations (never for stored times).
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
