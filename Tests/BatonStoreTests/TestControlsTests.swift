import BatonEngine
import BatonStore
import BatonSupport
import BatonTestSupport
import Foundation
import Testing

/// The manual clock's advance and the reset, through the real batch loop over SQLite.
@Suite struct TestControlsTests {
    private struct Fixture {
        let clock: ManualClock
        let sqlite: SQLiteStore
        let loop: BatchLoop
        let executions: WorkflowService
        let controls: TestControls
    }

    private func fixture(_ tmp: TemporaryDatabase, allowReset: Bool = false, manual: Bool = true) throws -> Fixture {
        let clock = ManualClock(1_000_000_000)
        let sqlite = try SQLiteStore(path: tmp.path, now: clock.now)
        let metadata = MetadataService(store: sqlite, clock: clock)
        for def in [
            #"{"name":"chain","version":1,"tasks":[{"name":"a","taskReferenceName":"a","type":"WAIT","inputParameters":{"duration":"10m"}},{"name":"b","taskReferenceName":"b","type":"WAIT","inputParameters":{"duration":"5m"}}]}"#,
            #"{"name":"work","version":1,"tasks":[{"name":"job","taskReferenceName":"j","type":"SIMPLE"}]}"#,
        ] { try metadata.registerWorkflowDef(JSONParser.parse(def), overwrite: true) }
        let loop = BatchLoop(environment: EngineEnvironment(store: sqlite, definitions: DefinitionCatalog(store: sqlite), scripts: ScriptEngines(),
                                                            ids: SequentialIDs(), clock: manual ? clock : WallClock()))
        try loop.start()
        let controls = TestControls(loop: loop, definitions: DefinitionCatalog(store: sqlite), events: sqlite, allowReset: allowReset,
                                    snapshot: { path in try sqlite.database.backup(to: path); return 0 })
        return Fixture(clock: clock, sqlite: sqlite, loop: loop, executions: WorkflowService(loop: loop), controls: controls)
    }

    @Test func advanceStopsAtEachDueInstantAndCommitsWhatFired() throws {
        let tmp = TemporaryDatabase()
        let f = try fixture(tmp)
        defer { f.loop.stop() }
        let t0 = f.clock.now
        let id = try f.executions.start(name: "chain", version: nil, correlationId: nil, priority: nil, input: [:])
        let partial = try f.controls.advance(byMillis: 10 * 60_000 - 1)
        #expect(partial.timersFired == 0 && partial.to == t0 + 10 * 60_000 - 1)
        let result = try f.controls.advance(byMillis: 60 * 60_000)
        #expect(result.stops == 2)
        #expect(result.timersFired == 2)
        #expect(f.clock.now == t0 + 10 * 60_000 - 1 + 60 * 60_000)
        // Straight from storage: the advance answered after the commit.
        let stored = try #require(try f.sqlite.workflow(id: id))
        #expect(stored.status == .completed)
        #expect(stored.tasks.map(\.endTime) == [t0 + 10 * 60_000, t0 + 15 * 60_000])
        #expect(stored.endTime == t0 + 15 * 60_000)
    }

    @Test func advanceRefusesAWallClockAndGoingBack() throws {
        let tmp = TemporaryDatabase()
        let f = try fixture(tmp, manual: false)
        defer { f.loop.stop() }
        #expect(throws: EngineError.notAllowed(.clockNotManual)) { try f.controls.advance(byMillis: 1) }
        let tmp2 = TemporaryDatabase()
        let g = try fixture(tmp2)
        defer { g.loop.stop() }
        #expect(throws: EngineError.self) { try g.controls.advance(byMillis: -1) }
        #expect(throws: EngineError.self) { try g.controls.advance(byMillis: .max) }
    }

    @Test func resetRemovesEveryExecutionInMemoryAndStorageAndRestartsIds() throws {
        let tmp = TemporaryDatabase()
        let f = try fixture(tmp)
        defer { f.loop.stop() }
        let first = try f.executions.start(name: "work", version: nil, correlationId: nil, priority: nil, input: [:])
        _ = try f.executions.start(name: "chain", version: nil, correlationId: nil, priority: nil, input: [:])
        #expect(try f.executions.queueSize(type: "job", domain: nil) == 1)
        try f.controls.reset(definitions: false)
        #expect(try f.sqlite.workflow(id: first) == nil)
        #expect(try f.sqlite.activeWorkflows().isEmpty)
        #expect(try f.executions.queueSize(type: "job", domain: nil) == 0)
        // No timer of the removed workflows survives to fire.
        #expect(try f.controls.advance(byMillis: 3_600_000).timersFired == 0)
        #expect(try f.executions.start(name: "work", version: nil, correlationId: nil, priority: nil, input: [:]) == first)
        #expect(try f.executions.queueSize(type: "job", domain: nil) == 1)
        try f.controls.reset(definitions: true)
        #expect(try f.sqlite.allWorkflowDefs().isEmpty)
    }
}
