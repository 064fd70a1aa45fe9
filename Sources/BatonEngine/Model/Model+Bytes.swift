import BatonSupport

/// The wire form of tasks and workflows, written straight to bytes (storage rows, poll responses are
/// hot paths); `json()` reads these back for callers that need a `JSONObject`.
extension TaskModel {
    public func jsonBytes() -> [UInt8] {
        var w = JSONObjectWriter(capacity: 1024 + workflowTask.serialized.count)
        Self.writeColumns(&w, TaskRowColumns(self))
        var all = UsualFieldWriter<TaskUsualField>(leavesOut: false)
        writeStoredFields(&w, &all)
        Self.writeParts(&w, workflowTask)
        return w.finish()
    }

    /// The API form of a stored row: what `jsonBytes()` gives for the task it was made from.
    /// `parts` is `partMembers(workflowTask)`, the same for every attempt of one node (the store keeps it).
    public static func jsonBytes(storedRow: [UInt8], columns: TaskRowColumns, parts: [UInt8]) -> [UInt8] {
        var w = JSONObjectWriter(capacity: storedRow.count + parts.count + 160)
        writeColumns(&w, columns)
        w.members(of: storedRow)
        UsualFieldWriter<TaskUsualField>.writeBack(columns.leftOut, into: &w)
        w.members(of: parts)
        return w.finish()
    }

    /// The members a stored row leaves out, `{"workflowTask":…,"taskDefinition":…}`.
    public static func partMembers(_ workflowTask: WorkflowTask) -> [UInt8] {
        var w = JSONObjectWriter(capacity: 2 * workflowTask.serialized.count + 40)
        writeParts(&w, workflowTask)
        return w.finish()
    }

    private static func writeColumns(_ w: inout JSONObjectWriter, _ c: TaskRowColumns) {
        w.string("taskType", c.taskType)
        w.string("status", c.status)
        w.int("seq", c.seq)
        w.string("workflowInstanceId", c.workflowInstanceId)
        w.string("taskId", c.taskId)
    }

    private static func writeParts(_ w: inout JSONObjectWriter, _ workflowTask: WorkflowTask) {
        w.raw("workflowTask", workflowTask.serialized)
        if let def = workflowTask.taskDefinition { w.raw("taskDefinition", def.serialized) } else { w.null("taskDefinition") }
    }

    /// The store's row (see StoredRows.swift): every field but those its columns hold and the WorkflowTask
    /// (with the task definition in it), which is stored once for all the tasks that share it, and the
    /// fields at their usual value (`TaskUsualField`), which reads write back.
    public func storedRow() -> StoredRow {
        var w = JSONObjectWriter(capacity: 512)
        var usual = UsualFieldWriter<TaskUsualField>(leavesOut: true)
        writeStoredFields(&w, &usual)
        return StoredRow(json: w.finish(), leftOut: usual.leftOut)
    }

    private func writeStoredFields(_ w: inout JSONObjectWriter, _ u: inout UsualFieldWriter<TaskUsualField>) {
        u.object(&w, .inputData, inputData)
        w.string("referenceTaskName", referenceTaskName)
        u.int(&w, .retryCount, retryCount)
        w.string("correlationId", correlationId)
        u.int(&w, .pollCount, pollCount)
        w.string("taskDefName", taskDefName)
        w.int("scheduledTime", scheduledTime)
        w.int("startTime", startTime)
        w.int("endTime", endTime)
        w.int("updateTime", updateTime)
        u.int(&w, .startDelayInSeconds, startDelayInSeconds)
        w.string("retriedTaskId", retriedTaskId)
        u.bool(&w, .retried, retried)
        u.bool(&w, .executed, executed)
        u.bool(&w, .callbackFromWorker, true)
        w.int("responseTimeoutSeconds", responseTimeoutSeconds)
        w.string("workflowType", workflowType)
        w.string("reasonForIncompletion", reasonForIncompletion)
        u.int(&w, .callbackAfterSeconds, callbackAfterSeconds)
        w.string("workerId", workerId)
        u.object(&w, .outputData, outputData)
        w.string("domain", domain)
        u.int(&w, .rateLimitPerFrequency, rateLimitPerFrequency)
        u.int(&w, .rateLimitFrequencyInSeconds, rateLimitFrequencyInSeconds)
        w.string("isolationGroupId", isolationGroupId)
        w.string("executionNameSpace", executionNameSpace)
        u.int(&w, .workflowPriority, workflowPriority)
        u.int(&w, .iteration, iteration)
        w.string("subWorkflowId", subWorkflowId)
        u.bool(&w, .subworkflowChanged, subworkflowChanged)
        u.int(&w, .firstStartTime, 0)
        w.int("firstScheduledTime", firstScheduledTime)
        if waitTimeout > 0 { w.int("waitTimeout", waitTimeout) }
        if let executionMetadata { w.value("executionMetadata", executionMetadata) }
        u.bool(&w, .loopOverTask, isLoopOverTask)
        u.int(&w, .queueWaitTime, queueWaitTime)
    }
}

extension WorkflowModel {
    /// The workflow without its `tasks` key (they live in their own rows).
    public func rowJSONBytes() -> [UInt8] {
        var w = JSONObjectWriter(capacity: 1024 + definition.serialized.count)
        Self.writeColumns(&w, WorkflowRowColumns(self))
        var all = UsualFieldWriter<WorkflowUsualField>(leavesOut: false)
        writeStoredFields(&w, &all)
        Self.writeDefinition(&w, definition)
        return w.finish()
    }

    /// The store's row (see StoredRows.swift): `rowJSONBytes()` without the fields its columns hold and
    /// without the definition, which is stored once for all the executions that share it, and without
    /// the fields at their usual value (`WorkflowUsualField`), which reads write back.
    public func storedRow() -> StoredRow {
        var w = JSONObjectWriter(capacity: 384)
        var usual = UsualFieldWriter<WorkflowUsualField>(leavesOut: true)
        writeStoredFields(&w, &usual)
        return StoredRow(json: w.finish(), leftOut: usual.leftOut)
    }

    /// The API form of a stored row: what `rowJSONBytes()` gives for the workflow it was made from.
    /// `parts` is `partMembers(definition)`, the same for every execution of it (the store keeps it).
    public static func rowJSONBytes(storedRow: [UInt8], columns: WorkflowRowColumns, parts: [UInt8]) -> [UInt8] {
        var w = JSONObjectWriter(capacity: storedRow.count + parts.count + 256)
        writeColumns(&w, columns)
        w.members(of: storedRow)
        UsualFieldWriter<WorkflowUsualField>.writeBack(columns.leftOut, into: &w)
        w.members(of: parts)
        return w.finish()
    }

    /// The members a stored row leaves out, `{"workflowName":…,"workflowVersion":…,"workflowDefinition":…}`.
    public static func partMembers(_ definition: WorkflowDef) -> [UInt8] {
        var w = JSONObjectWriter(capacity: definition.serialized.count + 80)
        writeDefinition(&w, definition)
        return w.finish()
    }

    private static func writeColumns(_ w: inout JSONObjectWriter, _ c: WorkflowRowColumns) {
        w.string("workflowId", c.workflowId)
        w.string("status", c.status)
        w.int("createTime", c.createTime)
        w.int("updateTime", c.updateTime)
        w.int("endTime", c.endTime)
        w.int("priority", c.priority)
        w.int("startTime", c.createTime)
    }

    private func writeStoredFields(_ w: inout JSONObjectWriter, _ u: inout UsualFieldWriter<WorkflowUsualField>) {
        w.string("createdBy", createdBy)
        w.string("parentWorkflowId", parentWorkflowId)
        w.string("parentWorkflowTaskId", parentWorkflowTaskId)
        u.object(&w, .input, input)
        u.object(&w, .output, output)
        w.string("correlationId", correlationId)
        w.string("reRunFromWorkflowId", reRunFromWorkflowId)
        w.string("reasonForIncompletion", reasonForIncompletion)
        w.string("event", event)
        u.object(&w, .taskToDomain, taskToDomain)
        u.strings(&w, .failedReferenceTaskNames, failedReferenceTaskNames)
        u.strings(&w, .failedTaskNames, failedTaskNames)
        u.object(&w, .variables, variables)
        u.int(&w, .lastRetriedTime, lastRetriedTime)
        u.strings(&w, .history, [])
        w.string("idempotencyKey", idempotencyKey)
        u.bool(&w, .rateLimited, false)
    }

    private static func writeDefinition(_ w: inout JSONObjectWriter, _ definition: WorkflowDef) {
        w.string("workflowName", definition.name)
        w.int("workflowVersion", definition.version)
        w.raw("workflowDefinition", definition.serialized)
    }
}
