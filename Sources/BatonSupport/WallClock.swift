import Foundation

/// Where "now" comes from, in epoch milliseconds (named so as not to shadow `Swift.Clock`, which
/// measures durations). Tests replace it with `ManualClock` (BatonTestSupport).
public protocol TimeSource: Sendable {
    var now: Int64 { get }
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

/// Monotonic nanoseconds, for measuring durations (never for stored times).
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
