import BatonSupport

/// What moving a manual clock did.
public struct ClockAdvance: Sendable {
    public var from: Int64
    public var to: Int64
    /// Timers that fired on the way (due workflows, delayed tasks turning visible).
    public var timersFired: Int
    /// Distinct due instants the clock stopped at.
    public var stops: Int
}

extension BatchLoop {
    /// Moves a manual clock forward to `target`, stopping at every instant a timer is due on the way,
    /// in due order: the batch at each stop fires what is due then, with that instant as its "now", so a
    /// WAIT, a retry delay or a timeout ends at exactly its own time and what it leads to is due
    /// relative to that time. Returns once every fire is committed (each stop is a durable command),
    /// so the caller's next read sees them. Parked long polls look at the clock again afterwards.
    func advance(_ clock: ManualClock, to target: Int64) throws(EngineError) -> ClockAdvance {
        let from = clock.now
        let firedBefore = timersFired.load(ordering: .relaxed)
        var stops = 0
        var repeatsAtOneInstant = 0
        while true {
            // Runs a batch at the clock's time: fires what is due now and brings `nextWakeUp` up to date
            // with every command queued before it.
            try perform { _ in }
            let next = nextWakeUp.load(ordering: .relaxed)
            guard next <= target else { break }
            if next <= clock.now {
                // Something stays due at this instant after a batch ran at it: never loop on it forever.
                repeatsAtOneInstant += 1
                if repeatsAtOneInstant > 100 { break }
            } else {
                repeatsAtOneInstant = 0
                stops += 1
            }
            clock.move(to: next)
        }
        clock.move(to: target)
        try perform { _ in }
        signals.notifyAll()
        return ClockAdvance(from: from, to: clock.now, timersFired: timersFired.load(ordering: .relaxed) - firedBefore, stops: stops)
    }
}
