import BatonSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads that serve connections. All of them wait on one poller; whichever the kernel wakes
/// takes what fired — a connection's bytes, a queued job — and carries it through itself: reading,
/// parsing, the handler, the answer. No hand-over between threads on the way, and a connection waiting
/// for bytes (idle keep-alive, a slow body) or for a deferred answer (a long poll) holds no thread.
///
/// A few threads (about two per core) are always there. A handler may wait (for a commit, a script):
/// when no thread has gone back to the poller for `starvedMillis`, `supervise` starts another, up to
/// `maxThreads`, so waiting handlers never starve the rest; threads beyond the first few end after a
/// few seconds without work. Busy threads alone never add threads: more threads than cores only
/// make them take turns.
final class ServerThreads: Sendable {
    let poller: EventPoller
    private let connections = ConnectionTable()
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    /// Rung when `jobs` has work: its read end is one of the poller's sockets.
    private let doorbell: (read: Int32, write: Int32)
    private struct Census {
        var threads = 0
        var stopping = false
    }
    private let census = Mutex(Census())
    /// `census.stopping`, readable without the lock on every wake-up.
    private let stopping = Atomic<Bool>(false)
    /// Threads waiting on the poller now, and when one last started waiting.
    private let waiting = Atomic<Int>(0)
    private let lastWaitStarted = Atomic<UInt64>(0)
    static let starvedMillis: UInt64 = 2
    private let lastSweep = Atomic<UInt64>(0)
    private let exited = SemaphoreBox()
    let coreThreads: Int
    let maxThreads: Int
    private let name: String
    private static let doorbellToken: UInt64 = 0
    /// How often deadlines are checked: the precision of every timeout.
    private static let sweepMillis: Int32 = 100
    /// Rounds of `sweepMillis` without work after which a surplus thread ends.
    private static let idleRoundsBeforeExit = 50

    init(name: String, coreThreads: Int, maxThreads: Int) throws {
        self.name = name
        self.coreThreads = max(1, coreThreads)
        self.maxThreads = max(self.coreThreads, maxThreads)
        poller = try EventPoller()
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Socket.Failure(call: "pipe", code: errno) }
        for fd in fds {
            Socket.setCloseOnExec(fd)
            Socket.setNonBlocking(fd)
        }
        doorbell = (fds[0], fds[1])
        guard poller.add(doorbell.read, token: Self.doorbellToken, interest: .read) else {
            throw Socket.Failure(call: "epoll_ctl", code: errno)
        }
    }

    deinit {
        close(doorbell.read)
        close(doorbell.write)
    }

    func start() {
        census.withLock { $0.threads = coreThreads }
        for _ in 0..<coreThreads { startThread() }
    }

    /// Threads alive now.
    var threadCount: Int { census.withLock { $0.threads } }

    /// Takes a new connection (on the accept thread) and starts serving it.
    func adopt(_ connection: ServerConnection) {
        connections.insert(connection)
        connection.begin()
    }

    /// Runs `job` on one of the threads (for work that must not run where it was found: a deferred
    /// answer arrives on whatever thread produced it).
    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        ring()
    }

    /// Lets the threads end once every connection is gone; waits for them.
    func stop() {
        // Counted under the same lock that retires and spawns: from here on threads only stop.
        let count = census.withLock { c -> Int in
            c.stopping = true
            return c.threads
        }
        stopping.store(true, ordering: .relaxed)
        ring()
        for _ in 0..<count { exited.wait() }
    }

    /// Makes a waiting thread look now (new jobs, or the server started draining).
    func ring() {
        var one: UInt8 = 1
        _ = write(doorbell.write, &one, 1)
    }

    /// Called every few milliseconds (by the accept thread): starts a thread when none has gone back
    /// to the poller for `starvedMillis` (every one is in a handler that waits).
    func supervise() {
        guard waiting.load(ordering: .relaxed) == 0 else { return }
        let now = monotonicNanos()
        // Another thread may have stored a time later than `now`: compare, never subtract blindly.
        let last = lastWaitStarted.load(ordering: .relaxed)
        guard now > last, now - last > Self.starvedMillis * 1_000_000 else { return }
        let spawn = census.withLock { c -> Bool in
            guard !c.stopping, c.threads < maxThreads else { return false }
            c.threads += 1
            return true
        }
        guard spawn else { return }
        lastWaitStarted.store(now, ordering: .relaxed)
        startThread()
    }

    private func startThread() {
        let thread = Thread { [self] in run() }
        thread.name = name
        // Handlers may run an engine batch on this thread, and deciding a deeply nested workflow
        // recurses: the engine thread's stack size, reserved but only touched as needed.
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func run() {
        var idleRounds = 0
        while true {
            waiting.add(1, ordering: .relaxed)
            lastWaitStarted.store(monotonicNanos(), ordering: .relaxed)
            let token = poller.next(timeoutMillis: Self.sweepMillis)
            waiting.subtract(1, ordering: .relaxed)
            if token == nil || stopping.load(ordering: .relaxed) {
                idleRounds += 1
                enum Next { case work, retire, stop }
                let next = census.withLock { c -> Next in
                    if c.stopping {
                        guard connections.isEmpty else { return .work }
                        c.threads -= 1
                        return .stop
                    }
                    guard idleRounds >= Self.idleRoundsBeforeExit && c.threads > coreThreads else { return .work }
                    c.threads -= 1
                    return .retire
                }
                switch next {
                case .stop:
                    ring()   // the next thread looks at once, so stopping does not wait on timeouts
                    exited.signal()
                    return
                case .retire: return
                case .work: break
                }
            } else {
                idleRounds = 0
            }
            sweepIfDue()
            guard let token else { continue }
            if token == Self.doorbellToken {
                answerDoorbell()
            } else if let connection = connections[token] {
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * 1024) { connection.ready(readBuffer: $0) }
            }
        }
    }

    /// Takes one job (if any), rings again for the next one, and runs it.
    private func answerDoorbell() {
        var scratch = [UInt8](repeating: 0, count: 512)
        while read(doorbell.read, &scratch, scratch.count) > 0 {}
        let (job, more) = jobs.withLock { q -> ((@Sendable () -> Void)?, Bool) in
            guard !q.isEmpty else { return (nil, false) }
            return (q.removeFirst(), !q.isEmpty)
        }
        _ = poller.rearm(doorbell.read, token: Self.doorbellToken, interest: .read)
        if more { ring() }
        job?()
    }

    /// Closes connections whose deadline passed and forgets closed ones (one thread at a time, every
    /// `sweepMillis`).
    private func sweepIfDue() {
        let now = monotonicNanos()
        let last = lastSweep.load(ordering: .relaxed)
        guard now > last, now - last >= UInt64(Self.sweepMillis) * 1_000_000,
              lastSweep.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        let closed = connections.all.filter { $0.checkDeadline(now) }.map(\.token)
        guard !closed.isEmpty else { return }
        connections.remove(closed)
    }
}
