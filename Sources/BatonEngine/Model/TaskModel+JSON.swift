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
        var cache = WorkflowTaskCache()
        try self.init(json: value, cache: &cache)
    }

    /// The same, for the attempts of one workflow read together: loop iterations and retries repeat
    /// one WorkflowTask, which `cache` builds once.
    public init(json value: JSONValue, cache: inout WorkflowTaskCache) throws(EngineError) {
        let f = try JSONFields(value, path: "task")
        guard let json = f.object["workflowTask"] else { throw .invalid("task: missing workflowTask") }
        let columns = TaskRowColumns(taskId: try f.string("taskId") ?? "", workflowInstanceId: try f.string("workflowInstanceId") ?? "",
                                     status: try f.string("status") ?? TaskStatus.scheduled.rawValue, seq: try f.int("seq") ?? 0,
                                     taskType: try f.string("taskType") ?? "")
        try self.init(f, columns, workflowTask: try cache.workflowTask(json))
    }

    /// Reads back a stored row (`storedRow()`) given what the store keeps beside it.
    public init(storedRow value: JSONValue, columns: TaskRowColumns, workflowTask: WorkflowTask) throws(EngineError) {
        try self.init(try JSONFields(value, path: "task"), columns, workflowTask: workflowTask)
    }

    private init(_ f: JSONFields, _ columns: TaskRowColumns, workflowTask wt: WorkflowTask) throws(EngineError) {
        guard let status = TaskStatus(rawValue: columns.status) else { throw .invalid("task.status: unknown status \(columns.status)") }
        self.init(taskId: columns.taskId,
                  status: status,
                  taskType: columns.taskType,
                  taskDefName: try f.string("taskDefName") ?? "",
                  referenceTaskName: try f.string("referenceTaskName") ?? "",
                  workflowInstanceId: columns.workflowInstanceId,
                  workflowType: try f.string("workflowType") ?? "",
                  workflowTask: wt)
        seq = columns.seq
        updateTime = try f.int64("updateTime") ?? 0
        inputData = try f.object("inputData") ?? JSONObject()
        outputData = try f.object("outputData") ?? JSONObject()
        correlationId = try f.string("correlationId")
        workflowPriority = try f.int("workflowPriority") ?? 0
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

/// WorkflowTasks already built from their stored JSON, keyed by that JSON's text.
public struct WorkflowTaskCache {
    private var built: [String: WorkflowTask] = [:]
    public init() {}

    mutating func workflowTask(_ json: JSONValue) throws(EngineError) -> WorkflowTask {
        let key = JSONWriter.string(json)
        if let known = built[key] { return known }
        let made = try WorkflowTask(json: json, path: "task.workflowTask")
        built[key] = made
        return made
    }
}
