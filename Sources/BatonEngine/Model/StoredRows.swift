// How an execution is laid out in storage. A row keeps in its JSON only what is particular to it:
// the fields its typed columns already hold are left out, and so is what repeats from one execution
// to the next — a workflow's definition, a task's WorkflowTask (with its task definition) — which the
// store keeps once per content and the row refers to. A one-task workflow is ~1.5 KB stored instead
// of ~6.4 KB. Reading splices the parts back (`rowJSONBytes(storedRow:…)`, `jsonBytes(storedRow:…)`)
// without parsing the row.

/// The columns of a stored workflow row that its JSON leaves out.
public struct WorkflowRowColumns: Sendable {
    public var workflowId: String
    public var status: String
    public var createTime: Int64
    public var updateTime: Int64
    public var endTime: Int64
    public var priority: Int

    public init(workflowId: String, status: String, createTime: Int64, updateTime: Int64, endTime: Int64, priority: Int) {
        self.workflowId = workflowId
        self.status = status
        self.createTime = createTime
        self.updateTime = updateTime
        self.endTime = endTime
        self.priority = priority
    }

    init(_ wf: WorkflowModel) {
        self.init(workflowId: wf.workflowId, status: wf.status.rawValue, createTime: wf.createTime,
                  updateTime: wf.updateTime, endTime: wf.endTime, priority: wf.priority)
    }
}

/// The columns of a stored task row that its JSON leaves out.
public struct TaskRowColumns: Sendable {
    public var taskId: String
    public var workflowInstanceId: String
    public var status: String
    public var seq: Int
    public var taskType: String

    public init(taskId: String, workflowInstanceId: String, status: String, seq: Int, taskType: String) {
        self.taskId = taskId
        self.workflowInstanceId = workflowInstanceId
        self.status = status
        self.seq = seq
        self.taskType = taskType
    }

    init(_ t: TaskModel) {
        self.init(taskId: t.taskId, workflowInstanceId: t.workflowInstanceId, status: t.status.rawValue, seq: t.seq, taskType: t.taskType)
    }
}
