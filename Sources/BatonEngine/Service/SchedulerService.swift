import BatonSupport

/// What `/api/scheduler` calls: workflow schedules as Conductor OSS's `SchedulerService` offers them.
/// Every change is a command of the batch loop (so a schedule's firing state changes only there, in
/// step with its fires); reads are answered from the engine's memory.
public final class SchedulerService: Sendable {
    let loop: BatchLoop

    public init(loop: BatchLoop) { self.loop = loop }

    /// `POST /scheduler/schedules`: create or update; returns the schedule as stored.
    public func save(_ body: JSONValue) throws(EngineError) -> JSONObject {
        let schedule = try WorkflowSchedule(json: body)
        return try loop.perform { changes in Schedules.save(schedule, in: changes).json }
    }

    public func schedule(named name: String) throws(EngineError) -> JSONObject {
        try loop.perform(durable: false) { changes throws(EngineError) in
            guard let s = changes.schedule(name) else { throw Schedules.notFound(name) }
            return s.json
        }
    }

    /// All schedules, or those starting `workflowName` (blank: all).
    public func schedules(workflowName: String?) throws(EngineError) -> [JSONObject] {
        let name = workflowName?.trimmingCharacters(in: .whitespaces) ?? ""
        return try loop.perform(durable: false) { changes in
            changes.allSchedules.filter { name.isEmpty || $0.schedule.workflowName == name }.map(\.json)
        }
    }

    /// `GET /scheduler/schedules/search`: `workflowName` exact, `scheduleName` a case-insensitive
    /// substring, `paused`; ordered by name (OSS's stores ignore `sort` and `freeText`; so does Baton).
    public func search(workflowName: String?, scheduleName: String?, paused: Bool?, start: Int, size: Int) throws(EngineError) -> (total: Int, results: [JSONObject]) {
        let part = scheduleName?.lowercased() ?? ""
        let all = try loop.perform(durable: false) { changes in
            changes.allSchedules.filter { s in
                (workflowName.map { $0.isEmpty || s.schedule.workflowName == $0 } ?? true)
                    && (part.isEmpty || s.schedule.name.lowercased().contains(part))
                    && (paused.map { s.schedule.paused == $0 } ?? true)
            }
        }
        return (all.count, all.dropFirst(max(0, start)).prefix(max(0, size)).map(\.json))
    }

    /// Deleting a schedule that does not exist is not an error (as OSS). Its fire records stay.
    public func delete(_ name: String) throws(EngineError) {
        try loop.perform { changes in
            if changes.schedule(name) != nil { changes.deleteSchedule(name) }
        }
    }

    public func pause(_ name: String, reason: String?) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Schedules.pause(name, reason: reason, in: changes) }
    }

    public func resume(_ name: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Schedules.resume(name, in: changes) }
    }

    /// `PUT /scheduler/bulk/pause|resume`: each name on its own; failures listed by name.
    public func bulk(pause: Bool, names: [String]) throws(EngineError) -> (succeeded: [String], failed: [(String, String)]) {
        guard !names.isEmpty else { throw .invalid("Schedule names list cannot be null.") }
        guard names.count <= 1000 else { throw .invalid("Cannot process more than 1000 schedules. Please use multiple requests.") }
        var succeeded: [String] = []
        var failed: [(String, String)] = []
        for name in names {
            do throws(EngineError) {
                if pause { try self.pause(name, reason: nil) } else { try resume(name) }
                succeeded.append(name)
            } catch {
                if case .storage = error { throw error }
                failed.append((name, error.message))
            }
        }
        return (succeeded, failed)
    }

    /// `GET /scheduler/nextFewSchedules`: up to `limit` fire times (at most 5, as OSS) after
    /// `start` (default now) and not after `end`, in UTC (OSS's scheduler zone).
    public func nextFew(cronExpression: String, start: Int64?, end: Int64?, limit: Int) throws(EngineError) -> [Int64] {
        let cron: CronExpression
        do { cron = try CronExpression.parse(cronExpression) } catch { throw .invalid("Invalid cron expression: \(error.message)") }
        var times: [Int64] = []
        var t = start ?? loop.env.clock.now
        while times.count < min(5, limit), let next = cron.next(after: t, in: .utc) {
            if let end, next > end { break }
            times.append(next)
            t = next
        }
        return times
    }

    /// `GET /scheduler/admin/pause|resume`: stops or restarts every schedule's firing (in memory:
    /// a restart fires again, as OSS's flag).
    public func setAllPaused(_ paused: Bool) throws(EngineError) {
        try loop.perform(durable: false) { changes in changes.setSchedulerPaused(paused) }
    }

    /// `GET /scheduler/search/executions`.
    public func executions(_ query: ScheduleExecutionQuery) throws(EngineError) -> (total: Int, executions: [ScheduleExecution]) {
        do { return try loop.env.store.scheduleExecutions(query) } catch { throw .storage(error) }
    }

    public func tags(of name: String) throws(EngineError) -> [JSONValue] {
        try schedule(named: name)["tags"]?.arrayValue ?? []
    }

    /// Adds tags, replacing one with the same key.
    public func addTags(_ tags: [JSONValue], to name: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            try Schedules.changeTags(name, in: changes) { old in
                let keys = Set(tags.compactMap { $0["key"]?.stringValue })
                return old.filter { !keys.contains($0["key"]?.stringValue ?? "") } + tags
            }
        }
    }

    /// Removes tags equal (key and value) to one given.
    public func removeTags(_ tags: [JSONValue], from name: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            try Schedules.changeTags(name, in: changes) { old in
                old.filter { t in !tags.contains { $0["key"] == t["key"] && $0["value"] == t["value"] } }
            }
        }
    }
}
