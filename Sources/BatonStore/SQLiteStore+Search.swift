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
        let (whereSQL, params) = Self.filter(query, columns: Self.columns, freeText: Self.workflowFreeText) { c in
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
    /// Free text in a workflow: in its row's JSON, or in the id, name or status its columns hold instead,
    /// each tested on its own (joining them made a string per row: two thirds of a search's time). A name
    /// is matched among the kept counts' few distinct names and a status among the six, once per search,
    /// not per row; part of an id only when the text could be part of one (ids are hex and dashes).
    private static func workflowFreeText(_ text: String, _ pattern: SQLValue) -> (String, [SQLValue]) {
        var tests = ["w.json LIKE ? ESCAPE '\\'", "w.name IN (SELECT name FROM workflow_count WHERE name LIKE ? ESCAPE '\\')"]
        var params = [pattern, pattern]
        let statuses = WorkflowStatus.allCases.map(\.rawValue).filter { $0.lowercased().contains(text.lowercased()) }
        if !statuses.isEmpty {
            tests.append("w.status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
            params += statuses.map { .text($0) }
        }
        if text.unicodeScalars.allSatisfy({ $0 == "-" || $0.properties.isASCIIHexDigit }) {
            tests.append("w.workflow_id LIKE ? ESCAPE '\\'")
            params.append(pattern)
        } else {
            tests.append("w.workflow_id = ?")   // a whole id of another form
            params.append(.text(text))
        }
        return ("(" + tests.joined(separator: " OR ") + ")", params)
    }

    /// Free text in a task: its row's JSON and the fields its columns hold instead.
    private static func taskFreeText(_ text: String, _ pattern: SQLValue) -> (String, [SQLValue]) {
        ("(t.task_id || ' ' || t.workflow_id || ' ' || t.task_type || ' ' || t.status || ' ' || t.json) LIKE ? ESCAPE '\\'", [pattern])
    }

    public func searchTasks(_ query: SearchQuery) throws -> (total: Int, tasks: [TaskModel]) {
        let (whereSQL, params) = Self.filter(query, columns: Self.taskSearchColumns, numeric: Self.taskNumeric, freeText: Self.taskFreeText) { _ in nil }
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
        let (taskWhere, params) = Self.filter(taskQuery, columns: Self.taskSearchColumns, numeric: Self.taskNumeric, freeText: Self.taskFreeText) { _ in nil }
        let whereSQL = "WHERE w.workflow_id IN (SELECT t.workflow_id FROM task t JOIN workflow w ON w.workflow_id = t.workflow_id \(taskWhere))"
        var workflowQuery = query
        workflowQuery.sort = query.sort.filter { Self.columns[$0.field] != nil }
        return try pageOfWorkflows(whereSQL, params, workflowQuery, total: nil)
    }

    /// A page of workflows and their total: counted from the rows, or by `total` when it is given.
    private func pageOfWorkflows(_ whereSQL: String, _ params: [SQLValue], _ query: SearchQuery,
                                 total counted: (String, [SQLValue])?) throws -> (total: Int, workflows: [WorkflowModel]) {
        // Free text reads every row to count them anyway; by start time, that one pass gives the page too.
        let byStartTime = query.sort.isEmpty || (query.sort.count == 1 && query.sort[0].field == "startTime")
        if query.freeText != nil && counted == nil && byStartTime {
            return try pageInOneScan(whereSQL, params, query, oldestFirst: query.sort.first?.ascending == true)
        }
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

    /// A page by start time (newest first unless `oldestFirst`, ties by id) and the total from one pass
    /// over the matching rows. Free text reads every row to count its matches; the page then had a
    /// second pass of its own — a full one whenever matches are rare, walking the time index end to
    /// end. Here the one pass keeps each match's time and id, the page is picked from those, and only
    /// its rows are read.
    private func pageInOneScan(_ whereSQL: String, _ params: [SQLValue], _ query: SearchQuery,
                               oldestFirst: Bool) throws -> (total: Int, workflows: [WorkflowModel]) {
        try database.read { conn in
            let matches = try conn.query("SELECT w.create_time, w.workflow_id FROM workflow w \(whereSQL)", params) {
                (time: $0.int(0), id: $0.text(1))
            }
            // As `ORDER BY w.create_time DESC, w.workflow_id`: ids are ASCII, so Swift's order is SQLite's.
            let ordered = matches.sorted { $0.time != $1.time ? ($0.time > $1.time) != oldestFirst : $0.id < $1.id }
            let ids = ordered.dropFirst(query.start).prefix(query.size).map(\.id)
            guard !ids.isEmpty else { return (matches.count, []) }
            let rows = try conn.query("SELECT \(Self.workflowRow) FROM workflow w WHERE w.workflow_id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                                      ids.map { .text($0) }) { try self.decodeWorkflow($0, conn) }
            let byId = Dictionary(rows.map { ($0.workflowId, $0) }, uniquingKeysWith: { first, _ in first })
            return (matches.count, ids.compactMap { byId[$0] })
        }
    }

    /// The WHERE clause of a search: each condition over its column (a field `columns` lacks is looked
    /// up by `other`, which gives the expression and a template wrapping the test), free text as a
    /// substring (ASCII case ignored, as LIKE) of what `freeText` tests, given the text and its pattern.
    private static func filter(_ query: SearchQuery, columns: [String: String], numeric: Set<String> = numeric,
                               freeText: (String, SQLValue) -> (String, [SQLValue]),
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
        if let text = query.freeText {
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            let (clause, values) = freeText(text, .text("%\(escaped)%"))
            clauses.append(clause)
            params += values
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
