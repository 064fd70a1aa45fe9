import BatonSupport

extension TaskModel {
    /// The task as Conductor serializes it (null properties left out, computed ones included). The
    /// field list lives in one place, `jsonBytes()`; this form is for the few callers that embed a task
    /// in a larger JSON value.
    public func json() -> JSONObject {
        guard case .object(let o)? = try? JSONParser.parse(jsonBytes()) else { return JSONObject() }
        return o
    }

    /// Reads back what `json()` wrote (the store's copy). Throws on a damaged record.
    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "task")
        guard let wt = f.object["workflowTask"] else { throw .invalid("task: missing workflowTask") }
        self.init(taskId: try f.string("taskId") ?? "",
                  status: try f.enumValue("status", TaskStatus.self) ?? .scheduled,
                  taskType: try f.string("taskType") ?? "",
                  taskDefName: try f.string("taskDefName") ?? "",
                  referenceTaskName: try f.string("referenceTaskName") ?? "",
                  workflowInstanceId: try f.string("workflowInstanceId") ?? "",
                  workflowType: try f.string("workflowType") ?? "",
                  workflowTask: try WorkflowTask(json: wt, path: "task.workflowTask"))
        updateTime = try f.int64("updateTime") ?? 0
        inputData = try f.object("inputData") ?? JSONObject()
        outputData = try f.object("outputData") ?? JSONObject()
        correlationId = try f.string("correlationId")
        workflowPriority = try f.int("workflowPriority") ?? 0
        seq = try f.int("seq") ?? 0
        retryCount = try f.int("retryCount") ?? 0
        retriedTaskId = try f.string("retriedTaskId")
        retried = try f.bool("retried") ?? false
        executed = try f.bool("executed") ?? false
        pollCount = try f.int("pollCount") ?? 0
        scheduledTime = try f.int64("scheduledTime") ?? 0
        startTime = try f.int64("startTime") ?? 0
        endTime = try f.int64("endTime") ?? 0
        firstScheduledTime = try f.int64("firstScheduledTime") ?? 0
        waitTimeout = try f.int64("waitTimeout") ?? 0
        callbackAfterSeconds = try f.int64("callbackAfterSeconds") ?? 0
        startDelayInSeconds = try f.int("startDelayInSeconds") ?? 0
        responseTimeoutSeconds = try f.int64("responseTimeoutSeconds") ?? 0
        rateLimitPerFrequency = try f.int("rateLimitPerFrequency") ?? 0
        rateLimitFrequencyInSeconds = try f.int("rateLimitFrequencyInSeconds") ?? 1
        workerId = try f.string("workerId")
        reasonForIncompletion = try f.string("reasonForIncompletion")
        domain = try f.string("domain")
        iteration = try f.int("iteration") ?? 0
        subWorkflowId = try f.string("subWorkflowId")
        subworkflowChanged = try f.bool("subworkflowChanged") ?? false
        isolationGroupId = try f.string("isolationGroupId")
        executionNameSpace = try f.string("executionNameSpace")
        executionMetadata = f.object["executionMetadata"].flatMap { $0.isNull ? nil : $0 }
    }
}
