import BatonSupport

/// A worker's report on a task (body of `POST /tasks` and `/tasks/update-v2`).
public struct TaskResult: Sendable {
    public var workflowInstanceId: String
    public var taskId: String
    public var status: TaskResultStatus
    public var outputData: JSONObject
    public var reasonForIncompletion: String?
    public var callbackAfterSeconds: Int64
    public var workerId: String?
    public var logs: [String]
    public var extendLease: Bool
    public var subWorkflowId: String?
    public var executionMetadata: JSONValue?

    public init(workflowInstanceId: String, taskId: String, status: TaskResultStatus, outputData: JSONObject = JSONObject(),
                reasonForIncompletion: String? = nil, callbackAfterSeconds: Int64 = 0, workerId: String? = nil,
                logs: [String] = [], extendLease: Bool = false) {
        self.workflowInstanceId = workflowInstanceId
        self.taskId = taskId
        self.status = status
        self.outputData = outputData
        self.reasonForIncompletion = reasonForIncompletion
        self.callbackAfterSeconds = callbackAfterSeconds
        self.workerId = workerId
        self.logs = logs
        self.extendLease = extendLease
    }

    /// Decodes a client's TaskResult with Conductor's messages for missing ids. `idsRequired` false is
    /// for results that name their task otherwise (a workflow state update names it by reference).
    public init(json value: JSONValue, idsRequired: Bool = true) throws(EngineError) {
        let f = try JSONFields(value, path: "")
        let wf = try f.string("workflowInstanceId") ?? ""
        let task = try f.string("taskId") ?? ""
        var errors: [ValidationError] = []
        if idsRequired && wf.isEmpty { errors.append(ValidationError(path: "updateTask.arg0.workflowInstanceId", message: "Workflow Id cannot be null or empty")) }
        if idsRequired && task.isEmpty { errors.append(ValidationError(path: "updateTask.arg0.taskId", message: "Task ID cannot be null or empty")) }
        guard errors.isEmpty else { throw .validation(errors) }
        let extend = try f.bool("extendLease") ?? false
        let status = try f.enumValue("status", TaskResultStatus.self)
        guard let status = status ?? (extend ? .inProgress : nil) else {
            throw .invalid("status: a task result needs a status (IN_PROGRESS, COMPLETED, FAILED, FAILED_WITH_TERMINAL_ERROR)")
        }
        self.init(workflowInstanceId: wf, taskId: task, status: status, outputData: try f.object("outputData") ?? JSONObject(),
                  reasonForIncompletion: try f.string("reasonForIncompletion"),
                  callbackAfterSeconds: max(0, try f.int64("callbackAfterSeconds") ?? 0),
                  workerId: try f.string("workerId"), extendLease: extend)
        subWorkflowId = try f.string("subWorkflowId")
        executionMetadata = f.object["executionMetadata"].flatMap { $0.isNull ? nil : $0 }
        for (i, entry) in (try f.array("logs") ?? []).enumerated() {
            switch entry {
            case .string(let s): logs.append(s)
            case .object(let o): logs.append(o["log"]?.stringValue ?? "")
            default: throw .invalid("logs[\(i)]: expected an object with 'log'")
            }
        }
    }
}
