import Synchronization

/// Compiled jq programs kept for the next run of the same text.
///
/// Compiling is what a transform costs: libjq compiles all of its builtins (written in jq) into every
/// `jq_state`, about 17 ms, while running a compiled program over a small input takes microseconds. A
/// `jq_state` runs one program at a time, so each program keeps a few idle states; a run checks one out (or
/// compiles a new one when all are busy) and returns it after. OSS keeps compiled queries the same way
/// (`JsonJqTransform.queryCache`, up to 1000).
final class JQProgramCache: Sendable {
    /// The most distinct programs kept, and the most idle states per program (a 2-core server rarely runs
    /// more of the same program at once).
    let capacity: Int
    let idlePerProgram: Int

    private struct Entries {
        var idle: [String: [CompiledJQ]] = [:]
        var recency: [String] = []   // least recently used first; `capacity` bounds it, so a linear scan is cheap
    }
    private let entries = Mutex(Entries())

    init(capacity: Int = 128, idlePerProgram: Int = 4) {
        self.capacity = capacity
        self.idlePerProgram = idlePerProgram
    }

    /// An idle compiled state for `program`, taken out of the cache, or nil when none is idle.
    func checkOut(_ program: String) -> CompiledJQ? {
        entries.withLock { e in
            guard var states = e.idle[program], let state = states.popLast() else { return nil }
            e.idle[program] = states
            return state
        }
    }

    /// Gives a state back after its run. The least recently used program's states go when the cache is full;
    /// they are torn down outside the lock.
    func checkIn(_ program: String, _ state: CompiledJQ) {
        let evicted: [CompiledJQ] = entries.withLock { e in
            var evicted: [CompiledJQ] = []
            if let i = e.recency.firstIndex(of: program) { e.recency.remove(at: i) }
            e.recency.append(program)
            var states = e.idle[program] ?? []
            if states.count < idlePerProgram { states.append(state) } else { evicted.append(state) }
            e.idle[program] = states
            while e.recency.count > capacity {
                let oldest = e.recency.removeFirst()
                evicted += e.idle.removeValue(forKey: oldest) ?? []
            }
            return evicted
        }
        _ = evicted   // released here, outside the lock: each deinit tears its jq_state down
    }

    /// How many programs have idle states (for tests).
    var programCount: Int { entries.withLock { $0.idle.count } }
}

/// One `jq_state` with a program compiled into it; torn down when the last reference goes. Used by one thread
/// at a time: the cache hands it to exactly one run.
final class CompiledJQ: @unchecked Sendable {
    let jq: LibJQ
    private var state: OpaquePointer?
    private let messages: MessageSink   // the error callback's context, kept as long as the state

    init(jq: LibJQ, state: OpaquePointer, messages: MessageSink) {
        self.jq = jq
        self.state = state
        self.messages = messages
    }

    var pointer: OpaquePointer? { state }

    deinit { jq.teardown(&state) }
}
