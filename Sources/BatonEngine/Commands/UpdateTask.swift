import BatonSupport

extension Commands {
    /// Applies a worker's result (semantics.md "Update"); returns the task as it now stands.
    static func updateTask(_ result: TaskResult, in changes: ChangeSet) throws(EngineError) -> TaskModel {
        guard let wfId = changes.owner(ofTask: result.taskId), let wf = changes.active(wfId), let i = wf.index(ofTask: result.taskId) else {
            // Not in an active workflow: unknown, or a late/duplicate result for an ended one (ignored).
            guard let stored = try changes.workflow(result.workflowInstanceId) else {
                throw .workflowNotFound(workflowId: result.workflowInstanceId)
            }
            if let t = stored.tasks.first(where: { $0.taskId == result.taskId }) { return t }
            if let t = try changes.storedTask(result.taskId) { return t }
            throw .taskNotFound(taskId: result.taskId)
        }
        if result.extendLease {
            var extended = wf
            extended.tasks[i].updateTime = changes.now
            changes.save(extended)
            return extended.tasks[i]
        }
        if wf.tasks[i].status.isTerminal { return wf.tasks[i] }
        let now = changes.now
        for line in result.logs { changes.log(line, taskId: result.taskId) }
        try changes.update(wfId) { wf throws(EngineError) in
            var t = wf.tasks[i]
            if !t.isSystemTask && result.status == .inProgress {
                // Back to the queue, visible again after the callback delay.
                t.status = .scheduled
                t.visibleAt = now + result.callbackAfterSeconds * 1000
            } else {
                t.status = result.status.taskStatus
            }
            t.reasonForIncompletion = result.reasonForIncompletion
            if let w = result.workerId { t.workerId = w }
            t.callbackAfterSeconds = result.callbackAfterSeconds
            t.outputData = result.outputData
            if let s = result.subWorkflowId { t.subWorkflowId = s }
            if let m = result.executionMetadata { t.executionMetadata = m }
            if t.status.isTerminal { t.endTime = now }
            t.updateTime = now
            wf.tasks[i] = t
        }
        return try changes.workflow(wfId)?.tasks.first { $0.taskId == result.taskId } ?? wf.tasks[i]
    }

    /// Updates the first open task with this reference name (or `ref__N` in a loop), merging `output`
    /// into its output. Returns nil when there is none.
    static func updateTask(workflowId: String, ref: String, status: TaskResultStatus, output: JSONObject, workerId: String?,
                           in changes: ChangeSet) throws(EngineError) -> TaskModel? {
        let wf = try changes.existing(workflowId)
        guard let t = wf.tasks.first(where: { !$0.status.isTerminal && ($0.referenceTaskName == ref || baseReferenceName($0.referenceTaskName) == ref) })
        else { return nil }
        var merged = t.outputData
        for (k, v) in output { merged[k] = v }
        var result = TaskResult(workflowInstanceId: workflowId, taskId: t.taskId, status: status, outputData: merged, workerId: workerId)
        result.reasonForIncompletion = t.reasonForIncompletion
        return try updateTask(result, in: changes)
    }

    static func appendLog(taskId: String, log: String, in changes: ChangeSet) throws(EngineError) {
        if changes.owner(ofTask: taskId) == nil, !changes.state.unstoredTaskExists(taskId), try changes.storedTask(taskId) == nil {
            throw .taskNotFound(taskId: taskId)
        }
        changes.log(log, taskId: taskId)
    }
}
