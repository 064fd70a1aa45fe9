import BatonSupport

extension Commands {
    /// Marks a not-yet-scheduled node SKIPPED so execution jumps over it (OSS `skipTaskFromWorkflow`).
    /// As in OSS the record has `seq` 0, so it is listed first.
    static func skip(_ id: String, ref: String, request: SkipTaskRequest, in changes: ChangeSet) throws(EngineError) {
        var wf = try changes.existing(id)
        guard wf.status == .running else { throw .notAllowed(.skipNotRunning(workflowId: id, ref: ref)) }
        guard let node = wf.definition.task(ref: ref) else {
            throw .notAllowed(.skipUnknownReference(ref: ref, workflowName: wf.workflowName))
        }
        if wf.tasks.contains(where: { $0.referenceTaskName == ref }) { throw .notAllowed(.skipAlreadyProcessed(ref: ref)) }
        // OSS's record has no workflowTask at all; Baton's names the node, so it reads as a WorkflowTask.
        let placeholder = try WorkflowTask(json: ["name": .string(node.name), "taskReferenceName": .string(ref)], path: "skip")
        var t = TaskModel(taskId: changes.newId(), status: .skipped, taskType: node.name, taskDefName: node.name,
                          referenceTaskName: ref, workflowInstanceId: id, workflowType: wf.workflowName, workflowTask: placeholder)
        t.workflowPriority = wf.priority
        t.correlationId = wf.correlationId
        t.inputData = request.taskInput
        t.outputData = request.taskOutput
        t.scheduledTime = changes.now
        t.endTime = changes.now
        t.seq = 0
        wf.tasks.insert(t, at: 0)
        changes.decideAndSave(wf)
    }
}
