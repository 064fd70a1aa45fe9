import BatonSupport

/// `TaskSummary` as task search returns it (OSS `TaskSummary(Task)`): times as ISO-8601 UTC strings,
/// input and output as JSON text, `executionTime` once the attempt ended.
public enum TaskSummary {
    public static func json(_ t: TaskModel) -> JSONObject {
        var o = JSONObject()
        o["workflowId"] = .string(t.workflowInstanceId)
        o["workflowType"] = .string(t.workflowType)
        if let c = t.correlationId { o["correlationId"] = .string(c) }
        o["scheduledTime"] = .string(WorkflowSummary.iso(t.scheduledTime))
        o["startTime"] = .string(WorkflowSummary.iso(t.startTime))
        o["updateTime"] = .string(WorkflowSummary.iso(t.updateTime))
        o["endTime"] = .string(WorkflowSummary.iso(t.endTime))
        o["status"] = .string(t.status.rawValue)
        if let r = t.reasonForIncompletion { o["reasonForIncompletion"] = .string(r) }
        o["executionTime"] = .int(t.endTime > 0 ? t.endTime - t.startTime : 0)
        o["queueWaitTime"] = .int(t.queueWaitTime)
        o["taskDefName"] = .string(t.taskDefName)
        o["taskType"] = .string(t.taskType)
        o["input"] = .string(JSONWriter.string(.object(t.inputData)))
        o["output"] = .string(JSONWriter.string(.object(t.outputData)))
        o["taskId"] = .string(t.taskId)
        o["workflowPriority"] = .int(Int64(t.workflowPriority))
        if let d = t.domain { o["domain"] = .string(d) }
        return o
    }
}
