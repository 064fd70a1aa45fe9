import Dispatch

/// A `DispatchSemaphore` the compiler can see is shareable (it is thread-safe by design): the one
/// wake-up primitive of the server (long polls, execute waiters, script time limits, reader pools).
public final class SemaphoreBox: @unchecked Sendable {
    private let semaphore: DispatchSemaphore
    public init(value: Int = 0) { semaphore = DispatchSemaphore(value: value) }
    public func signal() { semaphore.signal() }
    public func wait() { semaphore.wait() }
    /// False when the timeout passed first.
    public func wait(millis: Int64) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(Int(max(0, min(millis, Int64(Int32.max)))))) == .success
    }
}
