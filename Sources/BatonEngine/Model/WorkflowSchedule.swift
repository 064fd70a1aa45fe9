import BatonSupport

/// A workflow schedule (Conductor's `WorkflowSchedule`): start `startWorkflowRequest` whenever
/// `cronExpression` fires in `zoneId`, between `scheduleStartTime` and `scheduleEndTime`, unless paused.
/// `json` keeps every field the client sent (tags, description) in Conductor's layout.
public struct WorkflowSchedule: Sendable, Equatable {
    public var json: JSONObject
    public let name: String
    public let cron: CronExpression
    public let zone: TimeZoneRules
    public let startRequest: JSONObject
    public var workflowName: String { startRequest["name"]?.stringValue ?? startRequest["workflowDef"]?.objectValue?["name"]?.stringValue ?? "" }
    public var paused: Bool { json["paused"]?.boolValue ?? false }
    public var runsCatchUp: Bool { json["runCatchupScheduleInstances"]?.boolValue ?? false }
    public var startTime: Int64? { json["scheduleStartTime"]?.int64Value }
    public var endTime: Int64? { json["scheduleEndTime"]?.int64Value }

    static let layout: [(String, JSONValue?)] = [
        ("name", nil), ("cronExpression", nil), ("runCatchupScheduleInstances", false), ("paused", false),
        ("pausedReason", nil), ("startWorkflowRequest", nil), ("zoneId", "UTC"), ("cronSchedules", []),
        ("scheduleStartTime", nil), ("scheduleEndTime", nil), ("createTime", nil), ("updatedTime", nil),
        ("createdBy", nil), ("updatedBy", nil), ("description", nil), ("nextRunTime", nil),
    ]

    /// Reads a schedule a client saves. **Baton:** OSS saves a schedule whose cron expression does not
    /// parse (it then never fires) and answers 500 for an unknown zone; Baton refuses both with 400 and
    /// the parser's own message (Spring's, java.time's), so the mistake shows where it is made.
    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "")
        var json = Canonical.layout(f.object, Self.layout)
        try Canonical.coerce(&json, strings: ["name", "cronExpression", "pausedReason", "zoneId", "createdBy", "updatedBy", "description"],
                             path: "")
        let g = JSONFields(json, path: "")
        guard let name = try g.string("name"), !name.isEmpty else { throw .invalid("Schedule name cannot be null or empty") }
        if let schedules = try g.array("cronSchedules"), !schedules.isEmpty {
            throw .invalid("cronSchedules (several cron expressions in one schedule) is not supported by Baton: save one schedule per cron expression")
        }
        let text = try g.string("cronExpression") ?? ""
        do { cron = try CronExpression.parse(text) } catch { throw .invalid(error.message) }
        let zoneId = try g.string("zoneId") ?? "UTC"
        do { zone = try TimeZoneRules.named(zoneId) } catch { throw .invalid(error.message) }
        guard let request = try g.object("startWorkflowRequest") else { throw .invalid("startWorkflowRequest cannot be null") }
        // Checked now, so a fire never meets a request that cannot start for its shape.
        _ = try StartRequest(json: .object(request), path: "startWorkflowRequest")
        for key in ["runCatchupScheduleInstances", "paused"] { json[key] = .bool(try g.bool(key) ?? false) }
        for key in ["scheduleStartTime", "scheduleEndTime", "createTime", "updatedTime", "nextRunTime"] {
            if let v = try g.int64(key) { json[key] = .int(v) }
        }
        self.name = name
        startRequest = request
        self.json = json
    }

    /// The next fire after `last` (the previous fire, or the time of saving) at `now`, as OSS's
    /// scheduler computes it: catch-up schedules step from the last fire, so missed fires run one by
    /// one; others from now, so missed fires are skipped. A schedule not yet started waits for its
    /// start time (OSS looks 500 ms early); nothing after the end time. **Baton:** the end time also
    /// bounds catch-up schedules (OSS's catch-up path ignores it and never stops).
    public func nextRun(after last: Int64, now: Int64) -> Int64? {
        let next: Int64?
        if runsCatchUp {
            next = cron.next(after: max(last, (startTime ?? Int64.min + 500) - 500), in: zone)
        } else if let start = startTime, now < start - 500 {
            next = cron.next(after: start - 500, in: zone)
        } else {
            next = cron.next(after: max(now, last), in: zone)
        }
        guard let next else { return nil }
        if let end = endTime, next > end { return nil }
        return next
    }
}

/// A schedule with the engine's firing state: the fire it waits for and the last one made.
public struct StoredSchedule: Sendable, Equatable {
    public var schedule: WorkflowSchedule
    public var nextRunTime: Int64?
    public var lastRunTime: Int64?

    public init(schedule: WorkflowSchedule, nextRunTime: Int64?, lastRunTime: Int64?) {
        self.schedule = schedule
        self.nextRunTime = nextRunTime
        self.lastRunTime = lastRunTime
    }

    /// What the API shows: the schedule with the fire it waits for as `nextRunTime`.
    public var json: JSONObject {
        var out = schedule.json
        out["nextRunTime"] = nextRunTime.map { .int($0) } ?? nil
        return out
    }
}

/// What one fire of a schedule did (Conductor's `WorkflowScheduleExecutionModel`).
public struct ScheduleExecution: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case polled = "POLLED", failed = "FAILED", executed = "EXECUTED" }
    public var executionId: String
    public var scheduleName: String
    public var scheduledTime: Int64
    public var executionTime: Int64
    public var workflowName: String
    public var workflowId: String?
    public var reason: String?
    public var state: State
    public var startWorkflowRequest: JSONObject
    public var zoneId: String

    public init(executionId: String, scheduleName: String, scheduledTime: Int64, executionTime: Int64, workflowName: String,
                workflowId: String?, reason: String?, state: State, startWorkflowRequest: JSONObject, zoneId: String) {
        self.executionId = executionId
        self.scheduleName = scheduleName
        self.scheduledTime = scheduledTime
        self.executionTime = executionTime
        self.workflowName = workflowName
        self.workflowId = workflowId
        self.reason = reason
        self.state = state
        self.startWorkflowRequest = startWorkflowRequest
        self.zoneId = zoneId
    }

    public var json: JSONObject {
        var o = JSONObject()
        o["executionId"] = .string(executionId)
        o["scheduleName"] = .string(scheduleName)
        o["scheduledTime"] = .int(scheduledTime)
        o["executionTime"] = .int(executionTime)
        o["workflowName"] = .string(workflowName)
        if let workflowId { o["workflowId"] = .string(workflowId) }
        if let reason { o["reason"] = .string(reason) }
        o["startWorkflowRequest"] = .object(startWorkflowRequest)
        o["state"] = .string(state.rawValue)
        o["zoneId"] = .string(zoneId)
        return o
    }

    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "")
        self.init(executionId: try f.string("executionId") ?? "", scheduleName: try f.string("scheduleName") ?? "",
                  scheduledTime: try f.int64("scheduledTime") ?? 0, executionTime: try f.int64("executionTime") ?? 0,
                  workflowName: try f.string("workflowName") ?? "", workflowId: try f.string("workflowId"),
                  reason: try f.string("reason"), state: State(rawValue: try f.string("state") ?? "") ?? .failed,
                  startWorkflowRequest: try f.object("startWorkflowRequest") ?? JSONObject(), zoneId: try f.string("zoneId") ?? "UTC")
    }
}
