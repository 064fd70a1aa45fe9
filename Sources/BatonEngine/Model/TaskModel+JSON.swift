import BatonSupport

extension TaskModel {
    /// The task as Conductor serializes it (null properties left out, computed ones included).
    public func json() -> JSONObject {
        var o = JSONObject()
        o["taskType"] = .string(taskType)
        o["status"] = .string(status.rawValue)
        o["inputData"] = .object(inputData)
        o["referenceTaskName"] = .string(referenceTaskName)
        o["retryCount"] = .int(Int64(retryCount))
        o["seq"] = .int(Int64(seq))
        if let correlationId { o["correlationId"] = .string(correlationId) }
        o["pollCount"] = .int(Int64(pollCount))
        o["taskDefName"] = .string(taskDefName)
        o["scheduledTime"] = .int(scheduledTime)
        o["startTime"] = .int(startTime)
        o["endTime"] = .int(endTime)
        o["updateTime"] = .int(updateTime)
        o["startDelayInSeconds"] = .int(Int64(startDelayInSeconds))
        if let retriedTaskId { o["retriedTaskId"] = .string(retriedTaskId) }
        o["retried"] = .bool(retried)
        o["executed"] = .bool(executed)
        o["callbackFromWorker"] = true
        o["responseTimeoutSeconds"] = .int(responseTimeoutSeconds)
        o["workflowInstanceId"] = .string(workflowInstanceId)
        o["workflowType"] = .string(workflowType)
        o["taskId"] = .string(taskId)
        if let reasonForIncompletion { o["reasonForIncompletion"] = .string(reasonForIncompletion) }
        o["callbackAfterSeconds"] = .int(callbackAfterSeconds)
        if let workerId { o["workerId"] = .string(workerId) }
        o["outputData"] = .object(outputData)
        o["workflowTask"] = .object(workflowTask.json)
        if let domain { o["domain"] = .string(domain) }
        o["rateLimitPerFrequency"] = .int(Int64(rateLimitPerFrequency))
        o["rateLimitFrequencyInSeconds"] = .int(Int64(rateLimitFrequencyInSeconds))
        if let isolationGroupId { o["isolationGroupId"] = .string(isolationGroupId) }
        if let executionNameSpace { o["executionNameSpace"] = .string(executionNameSpace) }
        o["workflowPriority"] = .int(Int64(workflowPriority))
        o["iteration"] = .int(Int64(iteration))
        if let subWorkflowId { o["subWorkflowId"] = .string(subWorkflowId) }
        o["subworkflowChanged"] = .bool(subworkflowChanged)
        o["firstStartTime"] = 0
        o["firstScheduledTime"] = .int(firstScheduledTime)
        if waitTimeout > 0 { o["waitTimeout"] = .int(waitTimeout) }
        if let executionMetadata { o["executionMetadata"] = executionMetadata }
        o["loopOverTask"] = .bool(isLoopOverTask)
        o["taskDefinition"] = taskDefinition.map { .object($0.json) } ?? .null
        o["queueWaitTime"] = .int(queueWaitTime)
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
