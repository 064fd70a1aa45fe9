import BatonSupport

/// A workflow state update (Orkes' `WorkflowStateUpdate`): variables to merge, and a task named by
/// reference to update with a result.
public struct WorkflowStateUpdate: Sendable {
    public var variables: JSONObject?
    public var taskReferenceName: String?
    public var taskResult: TaskResult?

    public init(variables: JSONObject? = nil, taskReferenceName: String? = nil, taskResult: TaskResult? = nil) {
        self.variables = variables
        self.taskReferenceName = taskReferenceName
        self.taskResult = taskResult
    }

    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "workflowStateUpdate")
        variables = try f.object("variables")
        taskReferenceName = try f.string("taskReferenceName")
        if let result = f.object["taskResult"], !result.isNull {
            taskResult = try TaskResult(json: result, idsRequired: false)
        }
        if taskResult != nil && (taskReferenceName ?? "").isEmpty {
            throw .invalid("taskReferenceName: a taskResult needs the reference name of the task it updates")
        }
    }
}

/// Variables and signals: changes to a workflow that come from outside it without naming a task id.
extension Commands {
    /// Merges `variables` into the workflow's variables (Orkes `POST /workflow/{id}/variables`); a
    /// running workflow is decided again, since a SWITCH or loop condition may read them.
    static func updateVariables(_ id: String, _ variables: JSONObject, in changes: ChangeSet) throws(EngineError) {
        var wf = try changes.existing(id)
        for (k, v) in variables { wf.variables[k] = v }
        wf.updateTime = changes.now
        if wf.status == .running { changes.decideAndSave(wf) } else { changes.save(wf) }
    }

    /// Variables first, then the named task's result (so a decide the result causes sees them).
    static func updateState(_ id: String, _ update: WorkflowStateUpdate, in changes: ChangeSet) throws(EngineError) {
        if let variables = update.variables, !variables.isEmpty { try updateVariables(id, variables, in: changes) }
        guard var result = update.taskResult, let ref = update.taskReferenceName else { return }
        let wf = try changes.existing(id)
        guard let t = wf.tasks.first(where: { !$0.status.isTerminal && ($0.referenceTaskName == ref || baseReferenceName($0.referenceTaskName) == ref) })
        else { throw .notFound("Found no running task \(ref) of workflow \(id) to update") }
        result.workflowInstanceId = id
        result.taskId = t.taskId
        _ = try updateTask(result, in: changes)
    }

    /// Completes (or fails) the workflow's first open WAIT task, looking into running sub-workflows
    /// when it has none (OSS `TaskServiceImpl.signalTask`); the body is merged into its output.
    /// Returns the task's id, or nil when nothing is blocked.
    static func signal(_ id: String, status: TaskResultStatus, output: JSONObject, in changes: ChangeSet) throws(EngineError) -> String? {
        guard let t = try pendingWait(in: try changes.existing(id), changes: changes, depth: 0) else { return nil }
        var merged = t.outputData
        for (k, v) in output { merged[k] = v }
        var result = TaskResult(workflowInstanceId: t.workflowInstanceId, taskId: t.taskId, status: status, outputData: merged)
        result.reasonForIncompletion = t.reasonForIncompletion
        return try updateTask(result, in: changes).taskId
    }

    private static func pendingWait(in wf: WorkflowModel, changes: ChangeSet, depth: Int) throws(EngineError) -> TaskModel? {
        if let wait = wf.tasks.first(where: { $0.taskType == TaskType.wait.rawValue && !$0.status.isTerminal }) { return wait }
        guard depth < 32 else { return nil }
        for t in wf.tasks where !t.status.isTerminal {
            guard let childId = t.behavior.childWorkflowId(t), !childId.isEmpty, let child = try changes.workflow(childId) else { continue }
            if let found = try pendingWait(in: child, changes: changes, depth: depth + 1) { return found }
        }
        return nil
    }
}

extension Commands {
    /// OSS's `maxQueueSize` default: messages a workflow holds before a send is refused.
    static let maxQueuedMessages = 1000

    /// Queues a message for the workflow's PULL_WORKFLOW_MESSAGES tasks and decides the workflow, so a
    /// waiting one takes it at once. Returns the message id.
    static func sendMessage(_ id: String, payload: JSONObject, in changes: ChangeSet) throws(EngineError) -> String {
        var wf = try changes.existing(id)
        guard wf.status == .running else { throw .notAllowed(.messageNotRunning(workflowId: id, status: wf.status)) }
        guard wf.messages.count < maxQueuedMessages else { throw .notAllowed(.messageQueueFull(workflowId: id, limit: maxQueuedMessages)) }
        let messageId = changes.newId()
        wf.messages.append(.object(["id": .string(messageId), "workflowId": .string(id), "payload": .object(payload),
                                    "receivedAt": .string(WorkflowSummary.iso(changes.now))]))
        wf.hasMessageQueue = true
        changes.decideAndSave(wf)
        return messageId
    }
}
