import BatonSupport

/// The wire form of tasks and workflows, written straight to bytes (storage rows, poll responses are
/// hot paths); `json()` reads these back for callers that need a `JSONObject`.
extension TaskModel {
    public func jsonBytes() -> [UInt8] {
        var w = JSONObjectWriter(capacity: 1024 + workflowTask.serialized.count)
        w.string("taskType", taskType)
        w.string("status", status.rawValue)
        w.object("inputData", inputData)
        w.string("referenceTaskName", referenceTaskName)
        w.int("retryCount", retryCount)
        w.int("seq", seq)
        w.string("correlationId", correlationId)
        w.int("pollCount", pollCount)
        w.string("taskDefName", taskDefName)
        w.int("scheduledTime", scheduledTime)
        w.int("startTime", startTime)
        w.int("endTime", endTime)
        w.int("updateTime", updateTime)
        w.int("startDelayInSeconds", startDelayInSeconds)
        w.string("retriedTaskId", retriedTaskId)
        w.bool("retried", retried)
        w.bool("executed", executed)
        w.bool("callbackFromWorker", true)
        w.int("responseTimeoutSeconds", responseTimeoutSeconds)
        w.string("workflowInstanceId", workflowInstanceId)
        w.string("workflowType", workflowType)
        w.string("taskId", taskId)
        w.string("reasonForIncompletion", reasonForIncompletion)
        w.int("callbackAfterSeconds", callbackAfterSeconds)
        w.string("workerId", workerId)
        w.object("outputData", outputData)
        w.raw("workflowTask", workflowTask.serialized)
        w.string("domain", domain)
        w.int("rateLimitPerFrequency", rateLimitPerFrequency)
        w.int("rateLimitFrequencyInSeconds", rateLimitFrequencyInSeconds)
        w.string("isolationGroupId", isolationGroupId)
        w.string("executionNameSpace", executionNameSpace)
        w.int("workflowPriority", workflowPriority)
        w.int("iteration", iteration)
        w.string("subWorkflowId", subWorkflowId)
        w.bool("subworkflowChanged", subworkflowChanged)
        w.int("firstStartTime", 0)
        w.int("firstScheduledTime", firstScheduledTime)
        if waitTimeout > 0 { w.int("waitTimeout", waitTimeout) }
        if let executionMetadata { w.value("executionMetadata", executionMetadata) }
        w.bool("loopOverTask", isLoopOverTask)
        if let def = taskDefinition { w.raw("taskDefinition", def.serialized) } else { w.null("taskDefinition") }
        w.int("queueWaitTime", queueWaitTime)
        return w.finish()
    }
}

extension WorkflowModel {
    /// The stored row: the workflow without its `tasks` key (they live in their own rows).
    public func rowJSONBytes() -> [UInt8] {
        var w = JSONObjectWriter(capacity: 1024 + definition.serialized.count)
        w.string("createdBy", createdBy)
        w.int("createTime", createTime)
        w.int("updateTime", updateTime)
        w.string("status", status.rawValue)
        w.int("endTime", endTime)
        w.string("workflowId", workflowId)
        w.string("parentWorkflowId", parentWorkflowId)
        w.string("parentWorkflowTaskId", parentWorkflowTaskId)
        w.object("input", input)
        w.object("output", output)
        w.string("correlationId", correlationId)
        w.string("reRunFromWorkflowId", reRunFromWorkflowId)
        w.string("reasonForIncompletion", reasonForIncompletion)
        w.string("event", event)
        w.object("taskToDomain", taskToDomain)
        w.value("failedReferenceTaskNames", .array(failedReferenceTaskNames.map(JSONValue.string)))
        w.value("failedTaskNames", .array(failedTaskNames.map(JSONValue.string)))
        w.raw("workflowDefinition", definition.serialized)
        w.int("priority", priority)
        w.object("variables", variables)
        w.int("lastRetriedTime", lastRetriedTime)
        w.value("history", [])
        w.string("idempotencyKey", idempotencyKey)
        w.bool("rateLimited", false)
        w.int("startTime", createTime)
        w.string("workflowName", workflowName)
        w.int("workflowVersion", workflowVersion)
        return w.finish()
    }
}
