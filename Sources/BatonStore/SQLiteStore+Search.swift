import BatonEngine
import BatonSQLite
import BatonSupport

extension SQLiteStore {
    /// Columns a search condition can name; the rest are read from the task rows.
    private static let columns: [String: String] = [
        "workflowId": "w.workflow_id", "correlationId": "w.correlation_id", "workflowType": "w.name", "status": "w.status",
        "startTime": "w.create_time", "endTime": "w.end_time", "updateTime": "w.update_time", "parentWorkflowId": "w.parent_workflow_id",
    ]
    private static let taskFields: [String: String] = [
        "taskId": "t.task_id", "taskType": "t.task_type", "taskDefName": "json_extract(t.json, '$.taskDefName')",
    ]
    private static let numeric: Set<String> = ["startTime", "endTime", "updateTime"]

    public func searchWorkflows(_ query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) {
        let (whereSQL, params) = Self.filter(query, columns: Self.columns, text: Self.workflowText) { c in
            // A task field: the workflow has such a task.
            Self.taskFields[c].map { ($0, "EXISTS (SELECT 1 FROM task t WHERE t.workflow_id = w.workflow_id AND %@)") }
        }
        return try pageOfWorkflows(whereSQL, params, query, total: Self.keptCount(query))
    }

    /// The total of a workflow search from the kept counts (`workflow_count`), when the query names
    /// nothing but workflow names and statuses, each exactly: the SQL and its parameters.
    private static func keptCount(_ query: SearchQuery) -> (String, [SQLValue])? {
        guard query.freeText == nil else { return nil }
        var clauses: [String] = []
        var params: [SQLValue] = []
        for c in query.conditions {
            guard let column = ["workflowType": "name", "status": "status"][c.field], c.op == .equals || c.op == .isIn,
                  !c.values.contains(where: { $0.contains("*") }) else { return nil }
            clauses.append("\(column) IN (\(c.values.map { _ in "?" }.joined(separator: ",")))")
            params += c.values.map { .text($0) }
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        return ("SELECT COALESCE(SUM(n), 0) FROM workflow_count" + whereSQL, params)
    }

    /// Task fields a task search can name, over `task t` joined to its `workflow w`.
    private static let taskSearchColumns: [String: String] = {
        var c: [String: String] = ["taskId": "t.task_id", "taskType": "t.task_type", "workflowId": "t.workflow_id", "status": "t.status",
                                   "workflowType": "w.name", "correlationId": "w.correlation_id"]
        for f in ["taskDefName", "referenceTaskName", "domain", "workerId", "scheduledTime", "startTime", "updateTime", "endTime"] {
            c[f] = "json_extract(t.json, '$.\(f)')"
        }
        return c
    }()
    private static let taskNumeric: Set<String> = ["scheduledTime", "startTime", "updateTime", "endTime"]
    /// What free text is looked for in: a row's JSON and the fields its columns hold instead.
    private static let workflowText = "(w.workflow_id || ' ' || w.name || ' ' || w.status || ' ' || w.json)"
    private static let taskText = "(t.task_id || ' ' || t.workflow_id || ' ' || t.task_type || ' ' || t.status || ' ' || t.json)"

    public func searchTasks(_ query: SearchQuery) throws -> (total: Int, tasks: [TaskModel]) {
        let (whereSQL, params) = Self.filter(query, columns: Self.taskSearchColumns, numeric: Self.taskNumeric, text: Self.taskText) { _ in nil }
        let order = query.sort.isEmpty ? "json_extract(t.json, '$.scheduledTime') DESC, t.task_id"
            : query.sort.map { "\(Self.taskSearchColumns[$0.field] ?? "t.task_id") \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
        let from = "FROM task t JOIN workflow w ON w.workflow_id = t.workflow_id"
        return try database.read { conn in
            let total = try conn.queryFirst("SELECT COUNT(*) \(from) \(whereSQL)", params) { Int($0.int(0)) } ?? 0
            var cache = WorkflowTaskCache()
            let rows = try conn.query("SELECT \(Self.taskRow) \(from) \(whereSQL) ORDER BY \(order) LIMIT ? OFFSET ?",
                                      params + [.integer(Int64(query.size)), .integer(Int64(query.start))]) {
                try self.decodeTask($0, conn, &cache)
            }
            return (total, rows)
        }
    }

    public func searchWorkflows(byTasks query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) {
        var taskQuery = query
        taskQuery.sort = []
        let (taskWhere, params) = Self.filter(taskQuery, columns: Self.taskSearchColumns, numeric: Self.taskNumeric, text: Self.taskText) { _ in nil }
        let whereSQL = "WHERE w.workflow_id IN (SELECT t.workflow_id FROM task t JOIN workflow w ON w.workflow_id = t.workflow_id \(taskWhere))"
        var workflowQuery = query
        workflowQuery.sort = query.sort.filter { Self.columns[$0.field] != nil }
        return try pageOfWorkflows(whereSQL, params, workflowQuery, total: nil)
    }

    /// A page of workflows and their total: counted from the rows, or by `total` when it is given.
    private func pageOfWorkflows(_ whereSQL: String, _ params: [SQLValue], _ query: SearchQuery,
                                 total counted: (String, [SQLValue])?) throws -> (total: Int, workflows: [WorkflowModel]) {
        let order = query.sort.isEmpty ? "w.create_time DESC, w.workflow_id"
            : query.sort.map { "\(Self.columns[$0.field] ?? "w.create_time") \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
        return try database.read { conn in
            let (countSQL, countParams) = counted ?? ("SELECT COUNT(*) FROM workflow w \(whereSQL)", params)
            let total = try conn.queryFirst(countSQL, countParams) { Int($0.int(0)) } ?? 0
            let rows = try conn.query("SELECT \(Self.workflowRow) FROM workflow w \(whereSQL) ORDER BY \(order) LIMIT ? OFFSET ?",
                                      params + [.integer(Int64(query.size)), .integer(Int64(query.start))]) {
                try self.decodeWorkflow($0, conn)
            }
            return (total, rows)
        }
    }

    /// The WHERE clause of a search: each condition over its column (a field `columns` lacks is looked
    /// up by `other`, which gives the expression and a template wrapping the test), free text as a
    /// substring of `text`.
    private static func filter(_ query: SearchQuery, columns: [String: String], numeric: Set<String> = numeric, text: String,
                               other: (String) -> (expr: String, template: String)?) -> (String, [SQLValue]) {
        var clauses: [String] = []
        var params: [SQLValue] = []
        func value(_ field: String, _ v: String) -> SQLValue {
            numeric.contains(field) ? .integer(Int64(v) ?? 0) : .text(v)
        }
        for c in query.conditions {
            let (expr, template) = columns[c.field].map { ($0, "%@") } ?? other(c.field) ?? ("NULL", "%@")
            var test: String
            switch c.op {
            case .isIn:
                test = "\(expr) IN (\(c.values.map { _ in "?" }.joined(separator: ",")))"
                params += c.values.map { value(c.field, $0) }
            case .equals where c.values[0].contains("*"):
                test = "\(expr) GLOB ?"
                params.append(.text(c.values[0]))
            default:
                test = "\(expr) \(c.op.rawValue) ?"
                params.append(value(c.field, c.values[0]))
            }
            clauses.append(template.replacingOccurrences(of: "%@", with: test))
        }
        if let freeText = query.freeText {
            clauses.append("\(text) LIKE ? ESCAPE '\\'")
            let escaped = freeText.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            params.append(.text("%\(escaped)%"))
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), params)
    }

    public func runningWorkflowIds(name: String, version: Int, startTime: Int64?, endTime: Int64?) throws -> [String] {
        try database.read { conn in
            try conn.query("""
                SELECT workflow_id FROM workflow WHERE status = 'RUNNING' AND name = ? AND version = ?
                  AND create_time >= ? AND create_time <= ? ORDER BY create_time
                """, [.text(name), .integer(Int64(version)), .integer(startTime ?? 0), .integer(endTime ?? Int64.max)]) { $0.text(0) }
        }
    }

    public func workflows(name: String, correlationId: String, includeClosed: Bool) throws -> [WorkflowModel] {
        let ids = try database.read { conn in
            try conn.query("""
                SELECT workflow_id FROM workflow WHERE name = ? AND correlation_id = ?
                  AND (? OR status IN ('RUNNING', 'PAUSED')) ORDER BY create_time DESC
                """, [.text(name), .text(correlationId), .integer(includeClosed ? 1 : 0)]) { $0.text(0) }
        }
        return try ids.compactMap { try workflow(id: $0) }
    }
}
