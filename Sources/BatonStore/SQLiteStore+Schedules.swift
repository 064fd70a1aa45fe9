import BatonEngine
import BatonSQLite
import BatonSupport

extension SQLiteStore {
    /// Schedule rows of one engine batch, in the batch's transaction.
    func applySchedules(_ changes: ExecutionWrite, _ conn: Connection) throws {
        for s in changes.schedules where changes.timingOnlyScheduleNames.contains(s.schedule.name) {
            try conn.execute("UPDATE workflow_schedule SET next_run_time = ?, last_run_time = ? WHERE name = ?",
                             [s.nextRunTime.map { .integer($0) } ?? .null, s.lastRunTime.map { .integer($0) } ?? .null, .text(s.schedule.name)])
        }
        for s in changes.schedules where !changes.timingOnlyScheduleNames.contains(s.schedule.name) {
            try conn.execute("""
                INSERT INTO workflow_schedule (name, workflow_name, next_run_time, last_run_time, json) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET workflow_name = excluded.workflow_name, next_run_time = excluded.next_run_time,
                    last_run_time = excluded.last_run_time, json = excluded.json
                """,
                [.text(s.schedule.name), .text(s.schedule.workflowName), s.nextRunTime.map { .integer($0) } ?? .null,
                 s.lastRunTime.map { .integer($0) } ?? .null, .utf8(JSONWriter.bytes(.object(s.schedule.json)))])
        }
        for name in changes.deletedScheduleNames {
            try conn.execute("DELETE FROM workflow_schedule WHERE name = ?", [.text(name)])
        }
        for e in changes.scheduleExecutions {
            try conn.execute("""
                INSERT INTO schedule_execution (execution_id, schedule_name, scheduled_time, state, json) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (execution_id) DO UPDATE SET state = excluded.state, json = excluded.json
                """,
                [.text(e.executionId), .text(e.scheduleName), .integer(e.scheduledTime), .text(e.state.rawValue),
                 .utf8(JSONWriter.bytes(.object(e.json)))])
        }
    }

    public func storedSchedules() throws -> [StoredSchedule] {
        try database.read { conn in
            try conn.query("SELECT json, next_run_time, last_run_time FROM workflow_schedule ORDER BY name") { row in
                StoredSchedule(schedule: try WorkflowSchedule(json: try JSONParser.parse(row.text(0))),
                               nextRunTime: row.isNull(1) ? nil : row.int(1), lastRunTime: row.isNull(2) ? nil : row.int(2))
            }
        }
    }

    public func scheduleExecutions(_ q: ScheduleExecutionQuery) throws -> (total: Int, executions: [ScheduleExecution]) {
        var clauses: [String] = []
        var params: [SQLValue] = []
        if !q.scheduleNames.isEmpty {
            clauses.append("schedule_name IN (\(q.scheduleNames.map { _ in "?" }.joined(separator: ",")))")
            params += q.scheduleNames.map { .text($0) }
        }
        if !q.states.isEmpty {
            clauses.append("state IN (\(q.states.map { _ in "?" }.joined(separator: ",")))")
            params += q.states.map { .text($0) }
        }
        if let t = q.scheduledAfter { clauses.append("scheduled_time > ?"); params.append(.integer(t)) }
        if let t = q.scheduledBefore { clauses.append("scheduled_time < ?"); params.append(.integer(t)) }
        if let w = q.workflowName {
            clauses.append("lower(json ->> '$.workflowName') LIKE ? ESCAPE '\\'")
            params.append(.text("%" + Self.likeEscaped(w.lowercased()) + "%"))
        }
        if let id = q.executionId { clauses.append("execution_id = ?"); params.append(.text(id)) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let columns = ["scheduledTime": "scheduled_time", "executionTime": "json ->> '$.executionTime'", "scheduleName": "schedule_name",
                       "workflowName": "json ->> '$.workflowName'", "state": "state"]
        let order = (q.sort.isEmpty ? [("scheduledTime", false)] : q.sort)
            .map { "\(columns[$0.0] ?? "scheduled_time") \($0.1 ? "ASC" : "DESC")" } + ["execution_id"]
        return try database.read { conn in
            let total = try conn.queryFirst("SELECT count(*) FROM schedule_execution \(whereSQL)", params) { Int($0.int(0)) } ?? 0
            let rows = try conn.query("SELECT json FROM schedule_execution \(whereSQL) ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?",
                                      params + [.integer(Int64(q.size)), .integer(Int64(q.start))]) { row in
                try ScheduleExecution(json: try JSONParser.parse(row.text(0)))
            }
            return (total, rows)
        }
    }

    static func likeEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
