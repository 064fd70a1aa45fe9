import BatonSupport
import Foundation
import Synchronization

/// A command waiting in a batch: it runs against the state, and its caller is answered once the batch
/// holding it is committed (or failed when the commit is not).
protocol BatchCommand: AnyObject, Sendable {
    /// Whether the caller is owed a durable commit (false for polls and reads).
    var durable: Bool { get }
    /// Runs the command in its own change set and applies the change when it succeeds.
    func run(_ state: EngineState, _ env: EngineEnvironment)
    /// Replaces a success by the failure of the commit that was to keep it.
    func fail(_ error: EngineError)
    /// Wakes the caller.
    func answer()
}

/// Writes the batches the batch loop hands over, as many as are waiting in one SQLite transaction (one
/// fsync), on a thread of its own; then answers their callers and wakes their execute waiters. Batches
/// commit in the order they ran. After a failed commit every later batch fails too until the loop has
/// reloaded its state from storage (memory was ahead of the disk).
final class GroupCommitter: Sendable {
    /// How long each transaction took to write (fsync included when durable), in seconds.
    let commitSeconds = Histogram.latency()
    /// A batch that ran and waits for its commit.
    struct Job: @unchecked Sendable {
        let seq: UInt64
        let write: ExecutionWrite?
        let durable: Bool
        let commands: [any BatchCommand]
        /// Execute waiters this batch satisfies: woken after the commit.
        let ready: [ExecutionWaiters.Ready]
    }

    private struct Queue {
        var jobs: [Job] = []
        /// Jobs are being written (by the committer thread, or by a caller writing its own batch).
        var writing = false
        var failed = false
        var stopping = false
    }

    private let store: any ExecutionStore
    private let waiters: ExecutionWaiters
    private let queue = Mutex(Queue())
    private let wake = SemaphoreBox()
    private let stopped = SemaphoreBox()
    /// Every batch up to this number is in storage.
    private let committed = Atomic<UInt64>(0)
    /// Called after a failed commit (the loop must reload).
    private let onFailure: @Sendable () -> Void
    private let log = Logger(label: "baton.commit")

    init(store: any ExecutionStore, waiters: ExecutionWaiters, onFailure: @escaping @Sendable () -> Void) {
        self.store = store
        self.waiters = waiters
        self.onFailure = onFailure
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "baton-commit"
        thread.start()
    }

    /// Waits for every handed-over batch to be written, then stops the thread.
    func stop() {
        waitUntilIdle()
        queue.withLock { $0.stopping = true }
        wake.signal()
        stopped.wait()
    }

    var committedSeq: UInt64 { committed.load(ordering: .acquiring) }
    var hasFailed: Bool { queue.withLock { $0.failed } }
    func clearFailure() { queue.withLock { $0.failed = false } }

    /// Nothing handed over is still unwritten, and the last commit succeeded.
    var isIdle: Bool { queue.withLock { !$0.failed && !$0.writing && $0.jobs.isEmpty } }

    func waitUntilIdle() {
        while queue.withLock({ !$0.jobs.isEmpty || $0.writing }) { usleep(500) }
    }

    /// Hands a batch over. With `writeItself` and nothing ahead in line the caller gets the writing slot
    /// instead (true: it must call `commit([job])` itself); otherwise the committer thread writes it.
    func submit(_ job: Job, writeItself: Bool) -> Bool {
        let own = queue.withLock { q -> Bool in
            if writeItself && !q.failed && !q.writing && q.jobs.isEmpty {
                q.writing = true
                return true
            }
            q.jobs.append(job)
            return false
        }
        if !own { wake.signal() }
        return own
    }

    private func loop() {
        while true {
            wake.wait()
            let (jobs, failedBefore, stopping) = queue.withLock { q -> ([Job], Bool, Bool) in
                // A caller is writing its own batch: it wakes us when it is done if more are waiting.
                if q.writing { return ([], q.failed, false) }
                defer { q.jobs = [] }
                q.writing = !q.jobs.isEmpty
                return (q.jobs, q.failed, q.stopping)
            }
            if jobs.isEmpty {
                if stopping { stopped.signal(); return }
                continue
            }
            commit(jobs, failedBefore: failedBefore)
        }
    }

    /// Writes `jobs` in one transaction and answers their callers; run by whoever holds `writing`.
    func commit(_ jobs: [Job], failedBefore: Bool = false) {
        var failure: EngineError? = failedBefore ? .commitFailed("an earlier commit failed; the engine is reloading") : nil
        if failure == nil {
            do {
                let started = monotonicNanos()
                try store.write(jobs.compactMap(\.write), durable: jobs.contains(where: \.durable))
                commitSeconds.observe(Double(monotonicNanos() - started) / 1e9)
            } catch {
                log.error("commit failed", ["error": "\(error)", "batches": String(jobs.count)])
                failure = .commitFailed("The change could not be stored: \(EngineError.storage(error).message)")
            }
        }
        if let failure {
            for job in jobs {
                for c in job.commands { c.fail(failure) }
                waiters.restore(job.ready)
            }
        } else if let last = jobs.last {
            committed.store(last.seq, ordering: .releasing)
        }
        let more = queue.withLock { q -> Bool in
            q.writing = false
            if failure != nil { q.failed = true }
            return !q.jobs.isEmpty
        }
        if more { wake.signal() }
        for job in jobs { for c in job.commands { c.answer() } }
        if failure == nil {
            for job in jobs { waiters.wake(job.ready) }
        } else {
            onFailure()
        }
    }
}
