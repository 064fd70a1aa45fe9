import BatonSupport

extension Commands {
    /// Stages a new workflow after its first decide pass (so its first tasks are already scheduled).
    @discardableResult
    static func start(_ workflow: WorkflowModel, in changes: ChangeSet) -> String {
        var wf = workflow
        if wf.createTime == 0 { wf.createTime = changes.now }
        let id = wf.workflowId
        changes.decideAndSave(consume wf)
        return id
    }

    /// Runs a decide pass on an active workflow; a no-op for ended or unknown ones (the timer tick).
    static func decide(_ workflowId: String, in changes: ChangeSet) {
        guard let wf = changes.active(workflowId) else { return }
        changes.decideAndSave(consume wf)
    }

    /// Starts the failed workflow's `failureWorkflow` and records its id (or why it could not start) in
    /// the failed workflow's output as `conductor.failure_workflow`.
    static func startFailureWorkflow(_ failure: FailureWorkflowStart, for workflowId: String, in changes: ChangeSet) throws(EngineError) {
        guard let failed = try changes.workflow(workflowId) else { return }
        var input = failed.input
        input["workflowId"] = .string(failed.workflowId)
        input["reason"] = failed.reasonForIncompletion.map(JSONValue.string) ?? .null
        input["failureStatus"] = .string(failed.status.rawValue)
        if let id = failure.failedTaskId { input["failureTaskId"] = .string(id) }
        input["failedWorkflow"] = .object(failed.json(includeTasks: true))
        let note: JSONValue
        do throws(EngineError) {
            guard let def = try changes.workflowDef(name: failure.name, version: failure.version) else {
                throw EngineError.workflowDefNotFound(name: failure.name, version: failure.version)
            }
            var child = try WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids).make(definition: def, input: input, now: changes.now)
            child.correlationId = failed.correlationId
            child.taskToDomain = failed.taskToDomain
            note = .string(start(child, in: changes))
        } catch {
            if case .storage = error { throw error }
            note = .string("Error workflow \(failure.name) failed to start.  reason: \(error.message)")
        }
        var updated = failed
        updated.output["conductor.failure_workflow"] = note
        changes.save(updated)
    }
}
