@testable import BatonEngine
import BatonSupport
import BatonTestSupport
import Testing

private let waitingDef = #"""
{"name":"nightly","version":1,"tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT","inputParameters":{"duration":"1 hour"}}]}
"""#

/// A schedule of `nightly` at `cron`, with the extra fields given.
private func schedule(_ name: String, _ cron: String, workflow: String = "nightly", _ extra: String = "") throws -> WorkflowSchedule {
    try WorkflowSchedule(json: JSONParser.parse(#"{"name":"\#(name)","cronExpression":"\#(cron)","startWorkflowRequest":{"name":"\#(workflow)","input":{"k":1}}\#(extra)}"#))
}

/// Fires what is due, as the batch loop does, and commits.
private func fireDue(_ engine: EngineHarness) throws -> [String] {
    engine.state.now = engine.clock.now
    let names = engine.state.takeDueSchedules(limit: Schedules.firesPerBatch)
    for name in names { try engine.must { changes throws(EngineError) in try Schedules.fire(name, in: changes) } }
    try engine.commit()
    return names
}

private func fires(_ engine: EngineHarness, _ name: String) throws -> [ScheduleExecution] {
    var query = ScheduleExecutionQuery()
    query.scheduleNames = [name]
    return try engine.store.scheduleExecutions(query).executions.sorted { $0.scheduledTime < $1.scheduledTime }
}

@Suite struct ScheduleFireTests {
    @Test func aDueFireStartsTheWorkflowRecordsItAndWaitsForTheNext() throws {
        let engine = try EngineHarness(workflows: [waitingDef])
        engine.clock.set(1_000_000_000_000)   // 2001-09-09T01:46:40Z
        let saved = try engine.must { changes in Schedules.save(try! schedule("s", "0 0 * * * *"), in: changes) }
        try engine.commit()
        let due = try #require(saved.nextRunTime)
        #expect(due == 1_000_000_800_000)      // 02:00Z
        #expect(engine.state.nextWakeUp == due)

        engine.clock.set(due - 1)
        #expect(try fireDue(engine).isEmpty)
        engine.clock.set(due)
        #expect(try fireDue(engine) == ["s"])

        let record = try #require(try fires(engine, "s").first)
        #expect(record.state == .executed && record.scheduledTime == due && record.executionTime == due)
        let workflowId = try #require(record.workflowId)
        let wf = try #require(try engine.store.workflow(id: workflowId))
        #expect(wf.input["_startedByScheduler"] == "s" && wf.input["_scheduledTime"] == .int(due) && wf.input["k"] == 1)
        #expect(wf.input["_executionId"] == .string(record.executionId))
        let stored = try #require(try engine.store.storedSchedules().first)
        #expect(stored.lastRunTime == due && stored.nextRunTime == due + 3_600_000)
        #expect(try fireDue(engine).isEmpty, "fired once only")
    }

    @Test func aStartThatFailsIsRecordedFailedAndStartsNothing() throws {
        let engine = try EngineHarness(workflows: [waitingDef])
        engine.clock.set(1_000_000_000_000)
        try engine.must { changes in _ = Schedules.save(try! schedule("s", "0 * * * * *", workflow: "unknown"), in: changes) }
        try engine.commit()
        engine.clock.advance(byMillis: 60_000)
        #expect(try fireDue(engine) == ["s"])
        let record = try #require(try fires(engine, "s").first)
        #expect(record.state == .failed && record.workflowId == nil)
        #expect(record.reason?.contains("unknown") == true)
        #expect(engine.state.workflows.isEmpty)
    }

    /// A fire is one command: failing at any of its steps leaves no workflow, no record, and the
    /// schedule still due, so the retry makes it exactly once.
    @Test func aFireFailingAtAnyStepChangesNothing() throws {
        var injected = 0
        for n in 1...200 {
            let engine = try EngineHarness(workflows: [waitingDef])
            engine.clock.set(1_000_000_000_000)
            try engine.must { changes in _ = Schedules.save(try! schedule("s", "0 * * * * *"), in: changes) }
            try engine.commit()
            engine.clock.advance(byMillis: 60_000)
            engine.state.now = engine.clock.now
            let before = engine.state.schedules["s"]
            let outcome = engine.run(faults: FaultInjector(failAtStep: n)) { changes throws(EngineError) in try Schedules.fire("s", in: changes) }
            if case .failure(.storage(let message, _)) = outcome, message.hasPrefix("injected fault") {
                injected += 1
                try engine.commit()
                #expect(engine.state.schedules["s"] == before && engine.state.workflows.isEmpty, "failed at step \(n)")
                #expect(try fires(engine, "s").isEmpty)
                continue
            }
            try outcome.get()
            #expect(injected > 0, "the fire passed no fault point: this test could not fail")
            return
        }
        Issue.record("the fire never ran through")
    }

    @Test func aPausedScheduleOrAPausedSchedulerDoesNotFire() throws {
        let engine = try EngineHarness(workflows: [waitingDef])
        engine.clock.set(1_000_000_000_000)
        try engine.must { changes in _ = Schedules.save(try! schedule("s", "0 * * * * *"), in: changes) }
        try engine.must { changes throws(EngineError) in try Schedules.pause("s", reason: "r", in: changes) }
        try engine.commit()
        engine.clock.advance(byMillis: 300_000)
        _ = try fireDue(engine)
        #expect(try fires(engine, "s").isEmpty)

        try engine.must { changes throws(EngineError) in try Schedules.resume("s", in: changes) }
        try engine.must { changes in changes.setSchedulerPaused(true) }
        try engine.commit()
        engine.clock.advance(byMillis: 300_000)
        #expect(try fireDue(engine).isEmpty)
        try engine.must { changes in changes.setSchedulerPaused(false) }
        #expect(try fireDue(engine) == ["s"])
    }

    /// OSS's next-run rules: a catch-up schedule steps from its last fire, others from now.
    @Test func catchUpStepsFromTheLastFireOthersFromNow() throws {
        let minute: Int64 = 60_000
        let base: Int64 = 1_000_000_020_000   // 01:47:00Z
        let catchUp = try schedule("c", "0 * * * * *", #","runCatchupScheduleInstances":true"#)
        let skip = try schedule("k", "0 * * * * *")
        #expect(catchUp.nextRun(after: base, now: base + 10 * minute) == base + minute)
        #expect(skip.nextRun(after: base, now: base + 10 * minute + 1) == base + 11 * minute)

        let bounded = try schedule("b", "0 * * * * *", #","scheduleStartTime":\#(base + 5 * minute),"scheduleEndTime":\#(base + 7 * minute)"#)
        #expect(bounded.nextRun(after: base, now: base) == base + 5 * minute)
        #expect(bounded.nextRun(after: base + 7 * minute, now: base + 7 * minute) == nil)
        let boundedCatchUp = try schedule("bc", "0 * * * * *",
                                          #","runCatchupScheduleInstances":true,"scheduleEndTime":\#(base + 2 * minute)"#)
        #expect(boundedCatchUp.nextRun(after: base + 2 * minute, now: base + 10 * minute) == nil)
    }
}
