import BatonEngine
import BatonSupport

/// The wire shapes of a synchronous execute and of `GET /workflow/{id}/status`.
enum ExecutionResponses {
    /// What `POST /workflow/execute` answers for a return strategy; nil is OSS's empty 200 (a BLOCKING_TASK
    /// strategy with nothing blocking: the workflow ended or time ran out).
    static func body(_ run: WorkflowService.Execution, requestId: String, strategy: String) -> JSONObject? {
        switch strategy {
        case "BLOCKING_TASK", "BLOCKING_TASK_INPUT":
            guard let task = run.blockingTask else { return nil }
            return taskRun(task, of: run.workflow, requestId: requestId, strategy: strategy, timedOut: run.timedOut)
        case "BLOCKING_WORKFLOW":
            var o = workflowRun(run.blockingWorkflow, requestId: requestId, timedOut: run.timedOut)
            o["responseType"] = .string(strategy)
            o["targetWorkflowId"] = .string(run.workflow.workflowId)
            o["targetWorkflowStatus"] = .string(run.workflow.status.rawValue)
            return o
        default:
            var o = workflowRun(run.workflow, requestId: requestId, timedOut: run.timedOut)
            o["responseType"] = .string(strategy)
            return o
        }
    }

    /// Conductor's `TaskRun` for the BLOCKING_TASK strategies.
    static func taskRun(_ t: TaskModel, of wf: WorkflowModel, requestId: String, strategy: String, timedOut: Bool) -> JSONObject {
        var o = JSONObject()
        o["responseType"] = .string(strategy)
        o["targetWorkflowId"] = .string(wf.workflowId)
        o["targetWorkflowStatus"] = .string(wf.status.rawValue)
        o["requestId"] = .string(requestId)
        o["workflowId"] = .string(t.workflowInstanceId)
        if let c = wf.correlationId { o["correlationId"] = .string(c) }
        o["input"] = .object(t.inputData)
        o["output"] = .object(t.outputData)
        o["signalTimeout"] = .bool(timedOut)
        o["taskType"] = .string(t.taskType)
        o["taskId"] = .string(t.taskId)
        o["referenceTaskName"] = .string(t.referenceTaskName)
        o["retryCount"] = .int(Int64(t.retryCount))
        o["taskDefName"] = .string(t.taskDefName)
        if let r = t.retriedTaskId { o["retriedTaskId"] = .string(r) }
        o["workflowType"] = .string(t.workflowType)
        if let r = t.reasonForIncompletion { o["reasonForIncompletion"] = .string(r) }
        o["priority"] = .int(Int64(t.workflowPriority))
        o["status"] = .string(t.status.rawValue)
        if let w = t.workerId { o["createdBy"] = .string(w) }
        o["createTime"] = .int(t.startTime)
        o["updateTime"] = .int(t.updateTime)
        return o
    }

    /// Conductor's `WorkflowRun` (TARGET_WORKFLOW, BLOCKING_WORKFLOW).
    static func workflowRun(_ wf: WorkflowModel, requestId: String, timedOut: Bool) -> JSONObject {
        var o = JSONObject()
        o["workflowId"] = .string(wf.workflowId)
        o["requestId"] = .string(requestId)
        if let c = wf.correlationId { o["correlationId"] = .string(c) }
        o["input"] = .object(wf.input)
        o["output"] = .object(wf.output)
        o["status"] = .string(wf.status.rawValue)
        o["tasks"] = .array(wf.tasks.map { .object($0.json()) })
        o["variables"] = .object(wf.variables)
        o["priority"] = .int(Int64(wf.priority))
        o["createTime"] = .int(wf.createTime)
        o["updateTime"] = .int(wf.updateTime)
        if let c = wf.createdBy { o["createdBy"] = .string(c) }
        o["responseType"] = "TARGET_WORKFLOW"
        o["targetWorkflowId"] = .string(wf.workflowId)
        o["targetWorkflowStatus"] = .string(wf.status.rawValue)
        o["signalTimeout"] = .bool(timedOut)
        return o
    }

    /// `GET /workflow/{id}/status`: Conductor's `WorkflowStatus`.
    static func status(_ wf: WorkflowModel, includeOutput: Bool, includeVariables: Bool) -> JSONObject {
        var o: JSONObject = ["workflowId": .string(wf.workflowId)]
        if let c = wf.correlationId, !c.isEmpty { o["correlationId"] = .string(c) }
        if includeOutput { o["output"] = .object(wf.output) }
        if includeVariables { o["variables"] = .object(wf.variables) }
        o["status"] = .string(wf.status.rawValue)
        return o
    }
}
