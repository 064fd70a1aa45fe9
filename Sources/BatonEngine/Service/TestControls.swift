import BatonSupport
import Synchronization

/// What makes Baton good to integration-test against: a clock the test moves (`--clock manual`), a
/// reset between tests, and snapshots of the database (`/api/admin/clock`, `/reset`, `/snapshot`).
public final class TestControls: Sendable {
    private let loop: BatchLoop
    private let definitions: DefinitionCatalog
    private let events: (any EventHandlerStore)?
    /// The clock the engine runs on when it is manual (`--clock manual`); nil on the wall clock.
    public let manualClock: ManualClock?
    /// Whether `reset` may run (`--allow-reset`, or the manual clock).
    public let resetAllowed: Bool
    /// Writes a consistent copy of the database to a path; returns its size in bytes.
    private let snapshotWriter: @Sendable (String) throws -> Int64
    /// Keeps where the manual clock stands, so a restart (or a snapshot) resumes there.
    private let clockKeeper: @Sendable (Int64) throws -> Void
    /// Advances run one at a time: each walks the timers from where the clock is.
    private let advancing = Mutex(())

    public init(loop: BatchLoop, definitions: DefinitionCatalog, events: (any EventHandlerStore)?, allowReset: Bool,
                snapshot: @escaping @Sendable (String) throws -> Int64,
                keepClock: @escaping @Sendable (Int64) throws -> Void = { _ in }) {
        clockKeeper = keepClock
        self.loop = loop
        self.definitions = definitions
        self.events = events
        manualClock = loop.env.clock as? ManualClock
        resetAllowed = allowReset || manualClock != nil
        snapshotWriter = snapshot
    }

    public var now: Int64 { loop.env.clock.now }

    // MARK: Clock

    /// Moves the manual clock forward by `millis`, firing every timer due on the way in due order.
    public func advance(byMillis millis: Int64) throws(EngineError) -> ClockAdvance {
        guard let clock = manualClock else {
            throw .notAllowed(.clockNotManual)
        }
        guard millis >= 0 else { throw .invalid("The clock only moves forward: got \(millis) ms") }
        let (target, overflow) = clock.now.addingReportingOverflow(millis)
        guard !overflow, target < 253_402_300_800_000 else { throw .invalid("The clock cannot move past the year 9999") }
        return try advancing.withLock { _ throws(EngineError) in
            let advance = try loop.advance(clock, to: target)
            // Kept before the answer: an acknowledged advance survives a crash like any other write.
            do { try clockKeeper(advance.to) } catch { throw .storage(error) }
            return advance
        }
    }

    // MARK: Reset

    /// Removes every execution (and with `definitions`, every task and workflow definition and event
    /// handler) and starts sequential ids and seeded randomness over. Returns once it is committed.
    public func reset(definitions removeDefinitions: Bool) throws(EngineError) {
        guard resetAllowed else {
            throw .notAllowed(.resetNotAllowed)
        }
        let env = loop.env
        try loop.perform { changes in
            changes.removeEverything()
            // Inside the batch, so every id handed out after the reset is numbered from the start.
            env.ids.restart()
            env.random.restart()
        }
        guard removeDefinitions else { return }
        do {
            for def in try definitions.allWorkflowDefs() { _ = try definitions.deleteWorkflowDef(name: def.name, version: def.version) }
            for def in try definitions.allTaskDefs() { _ = try definitions.deleteTaskDef(named: def.name) }
            if let events {
                for handler in try events.eventHandlers(forEvent: nil) { _ = try events.deleteEventHandler(named: handler.name) }
            }
        } catch {
            throw .storage(error)   // passes an EngineError through as it is
        }
    }

    // MARK: Snapshot

    /// A consistent copy of the database at `path` (SQLite's backup API), taken while serving.
    public func snapshot(to path: String) throws(EngineError) -> Int64 {
        do { return try snapshotWriter(path) } catch { throw .storage(error) }
    }
}

extension TestControls {
    /// A duration as WAIT reads one (`30s`, `10 minutes`, `1h 30m`, `2d`), in milliseconds.
    public static func millis(ofDuration text: String) -> Int64? { WaitTimes.seconds(text).map { $0 * 1000 } }
}
