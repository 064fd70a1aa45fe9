import BatonSupport
import Dispatch
import Foundation
import Synchronization

/// Runs `EngineCore` on one thread and commits in groups: commands that arrive while a batch is being
/// written wait and go together into the next transaction, so many requests share one SQLite commit
/// (one fsync) instead of paying one each. A caller is answered only after its batch committed.
public final class ExecutionEngine: Sendable {
    /// One queued command and the slot its result comes back in.
    private final class Pending: @unchecked Sendable {
        // `body` runs on the engine thread only; `result` is written there before `done` is signalled
        // and read by the caller only after it: the semaphore orders the two.
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

    /// The core is touched only by the engine thread (and by `start` before that thread exists).
    private final class CoreBox: @unchecked Sendable {
        let core: EngineCore
        init(_ core: EngineCore) { self.core = core }
    }

    private let box: CoreBox
    private let inbox = Mutex<[Pending]>([])
    private let wake = SemaphoreBox()
    private let running = Atomic<Bool>(false)
    private let stopped = SemaphoreBox()
    public let signals = PollSignals()
    public let waiters = ExecutionWaiters()
    private let clock: any Clock
    private let log = Logger(label: "baton.engine")
    /// Largest number of commands in one transaction; bounds the latency a batch adds.
    static let maxBatch = 512

    public init(store: any ExecutionStore, metadata: any MetadataStore, clock: any Clock, httpSender: HTTPSender? = nil,
                events: (any EventHandlerStore)? = nil) {
        self.clock = clock
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
    /// the engine thread.
    public func start() throws {
        try box.core.rebuild()
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in loop() }
        thread.name = "baton-engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Finishes the commands already queued, then stops the thread.
    public func stop() {
        guard running.exchange(false, ordering: .relaxed) else { return }
        wake.signal()
        stopped.wait()
    }

    /// Runs `body` on the engine thread inside the next batch and returns its result once the batch
    /// is committed. Whatever `body` throws comes back here and changes nothing it had not saved.
    func perform<T>(durable: Bool = true, _ body: @escaping (EngineCore) throws -> T) throws -> T {
        let pending = Pending(durable: durable) { try body($0) }
        inbox.withLock { $0.append(pending) }
        wake.signal()
        pending.done.wait()
        return try pending.result.get() as! T
    }

    private func loop() {
        let core = box.core
        while true {
            let timeout: Int64 = core.nextWakeUp.map { max(0, $0 - clock.now) } ?? 1000
            _ = wake.wait(millis: min(timeout, 1000))
            let batch = inbox.withLock { inbox -> [Pending] in
                let n = min(inbox.count, Self.maxBatch)
                let taken = Array(inbox.prefix(n))
                inbox.removeFirst(n)
                return taken
            }
            if !running.load(ordering: .relaxed) && batch.isEmpty {
                stopped.signal()
                return
            }
            if inbox.withLock({ !$0.isEmpty }) { wake.signal() }
            runBatch(batch, core)
        }
    }

    private func runBatch(_ batch: [Pending], _ core: EngineCore) {
        core.now = clock.now
        core.resetBatch()
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
        do {
            // Timer-driven changes promise nobody anything; only acknowledged requests need the disk.
            try core.flush(durable: batch.contains(where: \.durable))
        } catch {
            // Nothing of this batch reached the disk: fail every command and reload the truth.
            log.error("commit failed; reloading state from the database", ["error": "\(error)", "commands": String(batch.count)])
            for p in batch { p.result = .failure(error) }
            do { try core.rebuild() } catch { log.error("reload failed", ["error": "\(error)"]) }
        }
        for p in batch { p.done.signal() }
        for queue in core.touchedQueues { signals.notify(queue) }
        waiters.check(core.committedWorkflows) { id in core.pendingWorkflowState(id) }
    }
}
