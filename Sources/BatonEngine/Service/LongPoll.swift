import BatonSupport
import Dispatch
import Synchronization

/// One parked long poll. It looks at its queue; finding nothing, it parks on the queue's signal and,
/// on a real clock, a timer at its deadline, and holds no thread until one of them fires. A signal
/// that arrives while it is looking makes it look once more, so no commit is missed.
final class LongPoll: Sendable {
    struct Query: Sendable {
        var taskType: String
        var workerId: String?
        var domain: String?
        var count: Int
    }

    private enum Phase {
        /// Looking at the queue; `again` when a signal came meanwhile.
        case looking(again: Bool)
        case parked
        case answered
    }

    private let service: WorkflowService
    private let query: Query
    private let queue: String
    private let deadline: Int64
    private let done: @Sendable (Result<[TaskModel], EngineError>) -> Void
    private let phase = Mutex(Phase.looking(again: false))
    private let timerPending = Atomic<Bool>(false)
    /// A manual clock moves only when advanced (every advance signals all polls); this real-time
    /// backstop only covers a missed signal.
    private static let manualClockBackstopMillis: Int64 = 60_000

    init(_ service: WorkflowService, _ query: Query, deadline: Int64, done: @escaping @Sendable (Result<[TaskModel], EngineError>) -> Void) {
        self.service = service
        self.query = query
        self.queue = QueueNames.name(type: query.taskType, domain: query.domain)
        self.deadline = deadline
        self.done = done
    }

    /// Looks at the queue until it answers or parks (on the calling thread).
    func look() {
        let signals = service.loop.signals
        let clock = service.env.clock
        while true {
            // Registered before the look: a commit in between still signals.
            signals.register(self, queue)
            let result = Result { () throws(EngineError) in
                try service.pollOnce(taskType: query.taskType, workerId: query.workerId, domain: query.domain, count: query.count)
            }
            let remaining = deadline - clock.now
            if case .success(let tasks) = result, tasks.isEmpty, remaining > 0, !signals.isClosed {
                let lookAgain = phase.withLock { p -> Bool in
                    if case .looking(again: true) = p {
                        p = .looking(again: false)
                        return true
                    }
                    p = .parked
                    return false
                }
                if lookAgain { continue }
                setTimer(millis: clock.isManual ? Self.manualClockBackstopMillis : remaining)
                return
            }
            signals.forget(self, queue)
            phase.withLock { $0 = .answered }
            done(result)
            return
        }
    }

    /// A signal (or the timer): a parked poll looks again on another thread; one that is looking
    /// now looks once more.
    func queueChanged() {
        let wake = phase.withLock { p -> Bool in
            switch p {
            case .parked:
                p = .looking(again: false)
                return true
            case .looking:
                p = .looking(again: true)
                return false
            case .answered:
                return false
            }
        }
        // Signals come from the committer and the clock: looking (a batch) happens elsewhere.
        if wake { DispatchQueue.global().async { self.look() } }
    }

    /// One timer at a time; a look that parks again before its deadline sets the next.
    private func setTimer(millis: Int64) {
        guard !timerPending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(max(1, min(millis, Int64(Int32.max)))))) { [self] in
            timerPending.store(false, ordering: .releasing)
            queueChanged()
        }
    }
}
