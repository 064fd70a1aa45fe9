import BatonSupport
import Dispatch
import Foundation
import Synchronization

/// Runs `EngineCore` in batches, one at a time, and commits them in groups. Whoever runs a batch (a
/// caller, or the engine thread) changes the state in memory and hands the changes to the committer,
/// and the next batch runs while the disk is busy; the committer writes every batch handed over since
/// its last commit in one SQLite transaction (one fsync). A caller is answered only after its batch is
/// committed, and batches commit in the order they ran, so nobody ever sees a state that storage could
/// still lose.
public final class ExecutionEngine: Sendable {
    /// One queued command and the slot its result comes back in.
    private final class Pending: @unchecked Sendable {
        // `body` runs inside a batch (by whoever holds `driving`); `result` is written there (or by the
        // committer when the commit fails) before `done` is signalled, and read by the caller only after.
        let body: (EngineCore) throws -> Any
        /// Whether the caller is owed a durable commit (false for polls).
        let durable: Bool
        var result: Result<Any, any Error> = .failure(EngineError.illegalState("not run"))
        let done = SemaphoreBox()
        init(durable: Bool, _ body: @escaping (EngineCore) throws -> Any) {
            self.durable = durable
            self.body = body
        }
    }

    /// The core is touched only by the thread holding `Dispatch.driving` (and by `start` before any
    /// thread runs): the mutex hand-over of that flag orders every access.
    private final class CoreBox: @unchecked Sendable {
        let core: EngineCore
        /// Number of the last batch run (by the driving thread only).
        var batchSeq: UInt64 = 0
        init(_ core: EngineCore) { self.core = core }
    }

    /// A batch that ran and waits for its commit.
    private struct CommitJob: @unchecked Sendable {
        let seq: UInt64
        let write: ExecutionWrite?
        let durable: Bool
        let pendings: [Pending]
        /// Execute waiters this batch satisfies: woken after the commit.
        let ready: [ExecutionWaiters.Ready]
    }

    private struct CommitQueue {
        var jobs: [CommitJob] = []
        /// Jobs are being written (by the committer, or by a caller writing its own batch).
        var writing = false
        /// A commit failed: every batch run since is failed too, until the engine has reloaded.
        var failed = false
        var stopping = false
    }

    private let box: CoreBox
    private let store: any ExecutionStore
    /// Commands waiting for a batch, and who is running batches.
    private struct Dispatch {
        var pending: [Pending] = []
        /// A thread (a caller or the engine thread) is running batches; only it touches the core.
        var driving = false
        /// A caller passed the running of batches to the engine thread.
        var handedOff = false
        /// A timer came due (or a commit failed) while someone else was running batches.
        var tickDue = false
    }
    private let dispatch = Mutex(Dispatch())
    /// When the engine thread must next run a batch by itself (epoch ms).
    private let nextWakeUp = Atomic<Int64>(0)
    private let wake = SemaphoreBox()
    private let running = Atomic<Bool>(false)
    private let stopped = SemaphoreBox()
    private let commits = Mutex(CommitQueue())
    private let commitWake = SemaphoreBox()
    private let committerStopped = SemaphoreBox()
    /// Every batch up to this number is in storage.
    private let committedSeq = Atomic<UInt64>(0)
    public let signals = PollSignals()
    public let waiters = ExecutionWaiters()
    private let clock: any Clock
    private let log = Logger(label: "baton.engine")
    /// Largest number of commands in one batch; bounds the latency a batch adds.
    static let maxBatch = 512

    public init(store: any ExecutionStore, metadata: any MetadataStore, clock: any Clock, httpSender: HTTPSender? = nil,
                events: (any EventHandlerStore)? = nil) {
        self.clock = clock
        self.store = store
        box = CoreBox(EngineCore(store: store, metadata: metadata, clock: clock, events: events))
        let sender = httpSender ?? { _ in .failure(HTTPTaskError("no HTTP client configured")) }
        // Calls run on their own threads and report back as commands; the engine thread never waits on the network.
        box.core.dispatchHTTP = { [weak self] call, workflowId, taskId in
            guard let engine = self else { return }
            let thread = Thread {
                let result = sender(call)
                _ = try? engine.perform { core in core.finishHTTP(workflowId: workflowId, taskId: taskId, result: result) }
            }
            thread.start()
        }
    }

    /// Loads active workflows from storage (timers overdue since the last run fire at once) and starts
    /// the engine and committer threads.
    public func start() throws {
        try box.core.rebuild()
        running.store(true, ordering: .relaxed)
        let committer = Thread { [self] in commitLoop() }
        committer.name = "baton-commit"
        committer.start()
        let thread = Thread { [self] in loop() }
        thread.name = "baton-engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Finishes the commands already queued, waits for their commit, then stops both threads.
    public func stop() {
        guard running.exchange(false, ordering: .relaxed) else { return }
        wake.signal()
        stopped.wait()
    }

    /// Runs `body` inside the next batch and returns its result once the batch is committed. Whatever
    /// `body` throws comes back here and changes nothing it had not saved.
    ///
    /// When no batch is running, the caller runs one itself (its command and whatever else is queued)
    /// instead of waking the engine thread: on a small machine a thread switch costs more than a
    /// command. If more work queued up meanwhile, the engine thread takes over, so a caller never runs
    /// more than one batch before it is answered.
    func perform<T>(durable: Bool = true, _ body: @escaping (EngineCore) throws -> T) throws -> T {
        let pending = Pending(durable: durable) { try body($0) }
        let drive = dispatch.withLock { d -> Bool in
            d.pending.append(pending)
            if d.driving { return false }
            d.driving = true
            return true
        }
        if drive {
            let own = runBatch(takeBatch(), box.core, mayWriteItself: true)
            let handOff = dispatch.withLock { d -> Bool in
                guard !d.pending.isEmpty || d.tickDue else {
                    d.driving = false
                    return false
                }
                d.handedOff = true
                return true
            }
            if handOff { wake.signal() }
            // The committer was idle and nobody else waits: write this batch here rather than wake it.
            if let own { commit([own], failedBefore: false) }
        }
        pending.done.wait()
        return try pending.result.get() as! T
    }

    private func takeBatch() -> [Pending] {
        dispatch.withLock { d in
            d.tickDue = false
            let n = min(d.pending.count, Self.maxBatch)
            let taken = Array(d.pending.prefix(n))
            d.pending.removeFirst(n)
            return taken
        }
    }

    // MARK: Engine thread

    /// Runs batches while callers hand work over, and runs one by itself when a timer is due (or a
    /// commit failed, or the engine stops) and nobody else is running one.
    private func loop() {
        let core = box.core
        while true {
            let timeout = nextWakeUp.load(ordering: .relaxed) - clock.now
            _ = wake.wait(millis: max(0, min(timeout, 1000)))
            let stopping = !running.load(ordering: .relaxed)
            let drive = dispatch.withLock { d -> Bool in
                if d.handedOff {
                    d.handedOff = false
                    return true
                }
                if d.driving {
                    d.tickDue = true   // whoever runs the current batch hands over to us after it
                    return false
                }
                d.driving = true
                return true
            }
            guard drive else { continue }
            repeat {
                runBatch(takeBatch(), core)
            } while dispatch.withLock { d -> Bool in
                if d.pending.isEmpty && !d.tickDue {
                    d.driving = false
                    return false
                }
                return true
            }
            if stopping {
                stopCommitter()
                stopped.signal()
                return
            }
        }
    }

    /// Runs a batch and passes it on to be committed. With `mayWriteItself`, an idle committer and no
    /// command waiting, the batch comes back instead, for the caller to commit on its own thread.
    @discardableResult
    private func runBatch(_ batch: [Pending], _ core: EngineCore, mayWriteItself: Bool = false) -> CommitJob? {
        if commits.withLock({ $0.failed }) { reload(core) }
        core.now = clock.now
        core.resetBatch()
        core.forgetUncommitted(upTo: committedSeq.load(ordering: .acquiring))
        for id in core.takeDueWork() { core.decide(id) }
        core.drainFollowUps()
        for p in batch {
            do {
                p.result = .success(try p.body(core))
            } catch {
                p.result = .failure(error)
            }
            core.drainFollowUps()
        }
        box.batchSeq += 1
        let seq = box.batchSeq
        let write = core.takeWrite(seq: seq)
        let ready = waiters.claim(core.committedWorkflows) { id in core.pendingWorkflowState(id) }
        // Long-pollers may look at once: their poll runs in a later batch, so its answer still waits
        // for this batch's commit.
        for queue in core.touchedQueues { signals.notify(queue) }
        let due = core.nextWakeUp ?? Int64.max
        if nextWakeUp.exchange(due, ordering: .relaxed) > due { wake.signal() }
        // Nothing to write and nothing ahead in line: the answers depend on committed state only.
        let answerNow = write == nil && commits.withLock { !$0.failed && !$0.writing && $0.jobs.isEmpty }
        if answerNow {
            for p in batch { p.done.signal() }
            waiters.wake(ready)
            return nil
        }
        // Timer-driven changes promise nobody anything; only acknowledged requests need the disk.
        let job = CommitJob(seq: seq, write: write, durable: batch.contains(where: \.durable), pendings: batch, ready: ready)
        // Under load the committer's next group is bigger if this batch waits for it (fewer fsyncs).
        let quiet = mayWriteItself && dispatch.withLock { $0.pending.isEmpty }
        let writeItself = commits.withLock { q -> Bool in
            if quiet && !q.failed && !q.writing && q.jobs.isEmpty {
                q.writing = true
                return true
            }
            q.jobs.append(job)
            return false
        }
        if writeItself { return job }
        commitWake.signal()
        return nil
    }

    /// After a failed commit: memory is ahead of storage. Once the committer has failed every batch
    /// that ran on top of the lost one, reload the truth from storage.
    private func reload(_ core: EngineCore) {
        waitForCommitter()
        log.error("commit failed; reloading state from the database")
        do { try core.rebuild() } catch { log.error("reload failed", ["error": "\(error)"]) }
        commits.withLock { $0.failed = false }
        for queue in core.touchedQueues { signals.notify(queue) }
    }

    private func waitForCommitter() {
        while commits.withLock({ !$0.jobs.isEmpty || $0.writing }) { usleep(500) }
    }

    private func stopCommitter() {
        waitForCommitter()
        commits.withLock { $0.stopping = true }
        commitWake.signal()
        committerStopped.wait()
    }

    // MARK: Committer thread

    private func commitLoop() {
        while true {
            commitWake.wait()
            let (jobs, failedBefore, stopping) = commits.withLock { q -> ([CommitJob], Bool, Bool) in
                // A caller is writing its own batch: it wakes us when it is done if more are waiting.
                if q.writing { return ([], q.failed, false) }
                defer { q.jobs = [] }
                q.writing = !q.jobs.isEmpty
                return (q.jobs, q.failed, q.stopping)
            }
            if jobs.isEmpty {
                if stopping { committerStopped.signal(); return }
                continue
            }
            commit(jobs, failedBefore: failedBefore)
        }
    }

    /// Writes `jobs` in one transaction and answers their callers; run by whoever set `writing`.
    private func commit(_ jobs: [CommitJob], failedBefore: Bool) {
        var failure: (any Error)? = failedBefore ? EngineError.illegalState("an earlier commit failed; the engine is reloading") : nil
        if failure == nil {
            let writes = jobs.compactMap(\.write)
            do {
                try store.write(writes, durable: jobs.contains(where: \.durable))
            } catch {
                log.error("commit failed", ["error": "\(error)", "batches": String(jobs.count)])
                failure = error
            }
        }
        if let failure {
            for job in jobs {
                for p in job.pendings { p.result = .failure(failure) }
                waiters.restore(job.ready)
            }
        } else if let last = jobs.last {
            committedSeq.store(last.seq, ordering: .releasing)
        }
        let more = commits.withLock { q -> Bool in
            q.writing = false
            if failure != nil { q.failed = true }
            return !q.jobs.isEmpty
        }
        if more { commitWake.signal() }
        for job in jobs { for p in job.pendings { p.done.signal() } }
        if failure == nil {
            for job in jobs { waiters.wake(job.ready) }
        } else {
            wake.signal()   // the engine reloads
        }
    }
}
