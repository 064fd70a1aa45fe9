import BatonSupport
import Foundation
import Synchronization

/// Runs commands against the engine state in batches, one batch at a time, and hands each batch to the
/// group committer. Every command runs in a change set of its own: applied to the state when it
/// returns, dropped when it throws, so a batch is built from whole commands. Whoever runs a batch (a
/// caller, or the engine thread) changes memory and hands the rows over, and the next batch runs while
/// the disk is busy. A caller is answered only after its batch is committed, so nobody ever sees a
/// state that storage could still lose.
public final class BatchLoop: Sendable {
    /// One queued command, its result, and the caller's wake-up.
    private final class Pending<T: Sendable>: BatchCommand, @unchecked Sendable {
        // `body` runs inside a batch (by whoever is driving); `result` is written there (or by the
        // committer when the commit fails) before `done` is signalled, and read by the caller only after.
        let body: (ChangeSet) throws(EngineError) -> T
        let durable: Bool
        var result: Result<T, EngineError> = .failure(.commitFailed("not run"))
        let done = SemaphoreBox()

        init(durable: Bool, _ body: @escaping (ChangeSet) throws(EngineError) -> T) {
            self.durable = durable
            self.body = body
        }

        func run(_ state: EngineState, _ env: EngineEnvironment) {
            result = Commands.run(body, on: state, env)
        }

        func fail(_ error: EngineError) { result = .failure(error) }
        func answer() { done.signal() }
    }

    /// The state is touched only by the thread holding `Driving.driving` (and by `start` before any
    /// thread runs): the mutex hand-over of that flag orders every access.
    private final class StateBox: @unchecked Sendable {
        let state = EngineState()
        /// Number of the last batch run (by the driving thread only).
        var batchSeq: UInt64 = 0
        /// Launches a crash (or a failed commit) interrupted: relaunched by the next batch.
        var interrupted: [(workflowId: String, effect: Effect)] = []
    }

    /// Commands waiting for a batch, and who is running batches.
    private struct Driving {
        var pending: [any BatchCommand] = []
        /// A thread (a caller or the engine thread) is running batches; only it touches the state.
        var driving = false
        /// A caller passed the running of batches to the engine thread.
        var handedOff = false
        /// A timer came due (or a commit failed) while someone else was running batches.
        var tickDue = false
    }

    let env: EngineEnvironment
    private let box = StateBox()
    private let driving = Mutex(Driving())
    /// When the engine thread must next run a batch by itself (epoch ms).
    let nextWakeUp = Atomic<Int64>(0)
    /// Timers fired so far (due workflows, delayed tasks turning visible).
    let timersFired = Atomic<Int>(0)
    /// Commands per batch.
    public let batchSizes = Histogram(bounds: [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    public var commitSeconds: Histogram { committer.commitSeconds }
    private let wake = SemaphoreBox()
    private let running = Atomic<Bool>(false)
    private let stopped = SemaphoreBox()
    private let committer: GroupCommitter
    public let signals = PollSignals()
    public let waiters = ExecutionWaiters()
    private let log = Logger(label: "baton.engine")
    /// Largest number of commands in one batch; bounds the latency a batch adds.
    static let maxBatch = 512

    public init(environment: EngineEnvironment) {
        env = environment
        let wake = self.wake
        committer = GroupCommitter(store: environment.store, waiters: waiters, onFailure: { wake.signal() })
    }

    /// Loads active workflows from storage (timers overdue since the last run fire at once), relaunches
    /// what a crash interrupted, and starts the engine and committer threads.
    public func start() throws(EngineError) {
        try load()
        running.store(true, ordering: .relaxed)
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

    /// Runs `body` as one command in the next batch and returns its result once the batch is committed.
    /// Whatever `body` throws comes back here and changes nothing.
    ///
    /// When no batch is running, the caller runs one itself (its command and whatever else is queued)
    /// instead of waking the engine thread: on a small machine a thread switch costs more than a
    /// command. If more work queued up meanwhile, the engine thread takes over, so a caller never runs
    /// more than one batch before it is answered.
    func perform<T: Sendable>(durable: Bool = true, _ body: @escaping (ChangeSet) throws(EngineError) -> T) throws(EngineError) -> T {
        let pending = Pending(durable: durable, body)
        let drive = driving.withLock { d -> Bool in
            d.pending.append(pending)
            if d.driving { return false }
            d.driving = true
            return true
        }
        if drive {
            let own = runBatch(takeBatch(), mayWriteItself: true)
            let handOff = driving.withLock { d -> Bool in
                guard !d.pending.isEmpty || d.tickDue else {
                    d.driving = false
                    return false
                }
                d.handedOff = true
                return true
            }
            if handOff { wake.signal() }
            // The committer was idle and nobody else waits: write this batch here rather than wake it.
            if let own { committer.commit([own]) }
        }
        pending.done.wait()
        return try pending.result.get()
    }

    private func takeBatch() -> [any BatchCommand] {
        driving.withLock { d in
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
        while true {
            let timeout = nextWakeUp.load(ordering: .relaxed) - env.clock.now
            _ = wake.wait(millis: max(0, min(timeout, 1000)))
            let stopping = !running.load(ordering: .relaxed)
            let drive = driving.withLock { d -> Bool in
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
                runBatch(takeBatch())
            } while driving.withLock { d -> Bool in
                if d.pending.isEmpty && !d.tickDue {
                    d.driving = false
                    return false
                }
                return true
            }
            if stopping {
                committer.stop()
                stopped.signal()
                return
            }
        }
    }

    /// Runs the due timers and a batch of commands, and passes the batch on to be committed. With
    /// `mayWriteItself`, an idle committer and no command waiting, the batch comes back instead, for
    /// the caller to commit on its own thread.
    @discardableResult
    private func runBatch(_ batch: [any BatchCommand], mayWriteItself: Bool = false) -> GroupCommitter.Job? {
        let state = box.state
        if committer.hasFailed { reload() }
        state.now = env.clock.now
        state.resetBatch()
        state.forgetUncommitted(upTo: committer.committedSeq)
        if !box.interrupted.isEmpty { relaunchInterrupted() }
        // The timer tick: each due workflow is decided as a command of its own.
        var fired = 0
        for id in state.takeDueWork(fired: &fired) {
            _ = Commands.run({ changes in Commands.decide(id, in: changes) }, on: state, env)
        }
        // Due schedules, each fire a command of its own (its start, record and next run together).
        for name in state.takeDueSchedules(limit: Schedules.firesPerBatch) {
            fired += 1
            let result = Commands.run({ changes throws(EngineError) in try Schedules.fire(name, in: changes) }, on: state, env)
            if case .failure(let e) = result {
                log.error("schedule fire failed; trying again in a second", ["schedule": name, "error": e.message])
                state.retrySchedule(name, at: state.now + 1000)
            }
        }
        if fired > 0 { timersFired.add(fired, ordering: .relaxed) }
        for command in batch { command.run(state, env) }
        batchSizes.observe(Double(batch.count))
        box.batchSeq += 1
        let seq = box.batchSeq
        let write = state.takeWrite(seq: seq)
        let ready = waiters.claim(state.batch.workflows) { id in state.workflows[id] ?? state.batch.workflows[id] }
        // Long-pollers may look at once: their poll runs in a later batch, so its answer still waits
        // for this batch's commit.
        for queue in state.touchedQueues { signals.notify(queue) }
        sendOutbox(state.outbox)
        let due = state.nextWakeUp ?? Int64.max
        if nextWakeUp.exchange(due, ordering: .relaxed) > due { wake.signal() }
        // Nothing to write and nothing ahead in line: the answers depend on committed state only.
        if write == nil && committer.isIdle {
            for c in batch { c.answer() }
            waiters.wake(ready)
            return nil
        }
        // Timer-driven changes promise nobody anything; only acknowledged requests need the disk.
        let job = GroupCommitter.Job(seq: seq, write: write, durable: batch.contains(where: \.durable), commands: batch, ready: ready)
        // Under load the committer's next group is bigger if this batch waits for it (fewer fsyncs).
        let quiet = mayWriteItself && driving.withLock { $0.pending.isEmpty }
        return committer.submit(job, writeItself: quiet) ? job : nil
    }

    /// HTTP tasks' calls run on threads of their own and report back as commands: the engine thread
    /// never waits on the network.
    private func sendOutbox(_ calls: [OutboundCall]) {
        for call in calls {
            switch call {
            case .http(let workflowId, let taskId, let request):
                let sender = env.httpSender
                let thread = Thread { [self] in
                    let result = sender(request)
                    _ = try? perform { changes throws(EngineError) in
                        try HTTP.finish(taskId: taskId, of: workflowId, result: result, in: changes)
                    }
                }
                thread.start()
            }
        }
    }

    /// Rebuilds memory from storage; what a crash interrupted is relaunched by the next batch.
    private func load() throws(EngineError) {
        do { box.interrupted = try box.state.rebuild(from: env.store, now: env.clock.now) } catch { throw .storage(error) }
    }

    /// Children not yet started and HTTP calls that were out, launched again as one command.
    private func relaunchInterrupted() {
        let interrupted = box.interrupted
        box.interrupted = []
        let recovered = Commands.run({ changes in
            for (id, effect) in interrupted { changes.carryOut(effect, of: id) }
        }, on: box.state, env)
        if case .failure(let e) = recovered { log.error("cannot relaunch interrupted tasks", ["error": e.message]) }
    }

    /// After a failed commit memory is ahead of storage: once the committer has failed every batch
    /// that ran on top of the lost one, reload the truth from storage.
    private func reload() {
        committer.waitUntilIdle()
        log.error("commit failed; reloading state from the database")
        do { try load() } catch { log.error("reload failed", ["error": error.message]) }
        committer.clearFailure()
        for queue in box.state.touchedQueues { signals.notify(queue) }
    }
}
