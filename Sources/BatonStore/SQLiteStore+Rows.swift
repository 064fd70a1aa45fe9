import BatonEngine
import BatonSQLite
import BatonSupport

/// Reading execution rows back into their API form and their models (the layout: StoredRows.swift).
/// A row whose part column is NULL predates shared parts and holds the whole API form in its JSON.
extension SQLiteStore {
    /// What every read of a workflow row selects, in this order, from `workflow w`.
    static let workflowRow = "w.json, w.definition_part, w.workflow_id, w.status, w.create_time, w.update_time, w.end_time, w.priority, w.left_out"
    /// What every read of a task row selects, in this order, from `task t`.
    static let taskRow = "t.json, t.workflow_task_part, t.task_id, t.workflow_id, t.status, t.seq, t.task_type, t.visible_at, t.left_out"
    static let taskStatusColumn = 4

    func workflowBytes(_ row: Row, _ conn: Connection) throws -> [UInt8] {
        if row.isNull(1) { return row.bytes(0) }
        return WorkflowModel.rowJSONBytes(storedRow: row.bytes(0), columns: Self.workflowColumns(row),
                                          parts: try parts.definitionMembers(row.int(1), conn))
    }

    func decodeWorkflow(_ row: Row, _ conn: Connection) throws -> WorkflowModel {
        if row.isNull(1) { return try WorkflowModel(json: try JSONParser.parse(row.bytes(0)), definitions: definitionCache) }
        return try WorkflowModel(storedRow: try JSONParser.parse(row.bytes(0)), columns: Self.workflowColumns(row),
                                 definition: try parts.definition(row.int(1), conn))
    }

    private static func workflowColumns(_ row: Row) -> WorkflowRowColumns {
        WorkflowRowColumns(workflowId: row.text(2), status: row.text(3), createTime: row.int(4), updateTime: row.int(5),
                           endTime: row.int(6), priority: Int(row.int(7)), leftOut: row.int(8))
    }

    func taskBytes(_ row: Row, _ conn: Connection) throws -> [UInt8] {
        if row.isNull(1) { return row.bytes(0) }
        return TaskModel.jsonBytes(storedRow: row.bytes(0), columns: Self.taskColumns(row), parts: try parts.workflowTaskMembers(row.int(1), conn))
    }

    /// `legacy` builds the WorkflowTasks of old rows once per read of several attempts.
    func decodeTask(_ row: Row, _ conn: Connection, _ legacy: inout WorkflowTaskCache) throws -> TaskModel {
        var t = row.isNull(1)
            ? try TaskModel(json: try JSONParser.parse(row.bytes(0)), cache: &legacy)
            : try TaskModel(storedRow: try JSONParser.parse(row.bytes(0)), columns: Self.taskColumns(row),
                            workflowTask: try parts.workflowTask(row.int(1), conn))
        t.visibleAt = row.isNull(7) ? 0 : row.int(7)
        return t
    }

    private static func taskColumns(_ row: Row) -> TaskRowColumns {
        TaskRowColumns(taskId: row.text(2), workflowInstanceId: row.text(3), status: row.text(4), seq: Int(row.int(5)), taskType: row.text(6),
                       leftOut: row.int(8))
    }
}
