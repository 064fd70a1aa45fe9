import BatonSupport

/// Workflow schedules: saving, pausing and resuming them, and firing them. A fire is one command:
/// the workflow it starts, the record of the fire and the schedule's next run go into one change,
/// hence one commit, so a crash can neither lose a fire nor make it twice.
enum Schedules {
    /// Fires per batch at most; the rest stay due for the next batch, right after. Kept small even
    /// when no command waits (clients may all be waiting for the last commit): a burst of fires then
    /// makes the fires late, not every API call behind a long batch.
    static let firesPerBatch = 16

    static func notFound(_ name: String) -> EngineError { .notFound("Schedule '\(name)' not found") }

    /// Fires a due schedule: starts its workflow with the input OSS's scheduler adds, records the
    /// fire (EXECUTED with the workflow id, or FAILED with the reason: a start that fails is not
    /// retried, as OSS) and moves on to the next run.
    static func fire(_ name: String, in changes: ChangeSet) throws(EngineError) {
        guard !changes.isSchedulerPaused, var stored = changes.schedule(name), !stored.schedule.paused,
              let due = stored.nextRunTime, due <= changes.now else { return }
        let schedule = stored.schedule
        var execution = ScheduleExecution(
            executionId: changes.newId(), scheduleName: name, scheduledTime: due, executionTime: changes.now,
            workflowName: schedule.workflowName, workflowId: nil, reason: nil, state: .executed,
            startWorkflowRequest: schedule.startRequest, zoneId: schedule.zone.id)
        let point = changes.savepoint()
        do throws(EngineError) {
            var request = try StartRequest(json: .object(schedule.startRequest), path: "startWorkflowRequest")
            request.input["_startedByScheduler"] = .string(name)
            request.input["_scheduledTime"] = .int(due)
            request.input["_executedTime"] = .int(changes.now)
            request.input["_executionId"] = .string(execution.executionId)
            request.input["_schedulerCron"] = .string("\(schedule.cron.expression) \(schedule.zone.id)")
            execution.workflowId = Commands.start(try workflow(for: request, in: changes), in: changes)
        } catch {
            if case .storage = error { throw error }
            changes.rollback(to: point)
            execution.state = .failed
            execution.reason = String(error.message.prefix(999))
        }
        stored.lastRunTime = due
        stored.nextRunTime = schedule.nextRun(after: due, now: changes.now)
        changes.saveRun(stored)
        changes.record(execution)
    }

    private static func workflow(for request: StartRequest, in changes: ChangeSet) throws(EngineError) -> WorkflowModel {
        let factory = WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids)
        let def: WorkflowDef
        if let embedded = request.workflowDef {
            def = try factory.prepare(embedded)
        } else {
            guard let registered = try changes.preparedWorkflowDef(name: request.name, version: request.version) else {
                throw .workflowDefNotFound(name: request.name, version: request.version)
            }
            def = registered
        }
        return try factory.make(request, definition: def, now: changes.now)
    }

    /// Creates or replaces a schedule (OSS's save): the creation time and author of an existing one
    /// stay, the next run is computed from now, and a paused schedule waits for none.
    static func save(_ schedule: WorkflowSchedule, in changes: ChangeSet) -> StoredSchedule {
        var schedule = schedule
        let existing = changes.schedule(schedule.name)
        schedule.json["createTime"] = existing?.schedule.json["createTime"] ?? .int(changes.now)
        schedule.json["createdBy"] = existing?.schedule.json["createdBy"] ?? .string("")
        schedule.json["updatedTime"] = .int(changes.now)
        schedule.json["updatedBy"] = .string("")
        schedule.json["nextRunTime"] = nil
        let stored = StoredSchedule(schedule: schedule, nextRunTime: schedule.paused ? nil : schedule.nextRun(after: changes.now, now: changes.now),
                                    lastRunTime: existing?.lastRunTime)
        changes.save(stored)
        return stored
    }

    static func pause(_ name: String, reason: String?, in changes: ChangeSet) throws(EngineError) {
        guard var stored = changes.schedule(name) else { throw notFound(name) }
        stored.schedule.json["paused"] = true
        stored.schedule.json["pausedReason"] = reason.map(JSONValue.string)
        stored.schedule.json["updatedTime"] = .int(changes.now)
        stored.schedule.json["updatedBy"] = .string("")
        stored.nextRunTime = nil
        changes.save(stored)
    }

    /// Resumes a paused schedule from now: fires missed while paused are not made up (as OSS).
    static func resume(_ name: String, in changes: ChangeSet) throws(EngineError) {
        guard var stored = changes.schedule(name), stored.schedule.paused else { throw notFound(name) }
        stored.schedule.json["paused"] = false
        stored.schedule.json["pausedReason"] = nil
        _ = save(stored.schedule, in: changes)
    }

    /// Changes a schedule's tags (no effect on its timing).
    static func changeTags(_ name: String, in changes: ChangeSet, _ change: ([JSONValue]) -> [JSONValue]) throws(EngineError) {
        guard var stored = changes.schedule(name) else { throw notFound(name) }
        stored.schedule.json["tags"] = .array(change(stored.schedule.json["tags"]?.arrayValue ?? []))
        changes.save(stored)
    }
}
