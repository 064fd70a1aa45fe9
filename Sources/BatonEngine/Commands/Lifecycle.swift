import BatonSupport

/// Pause, resume, terminate, restart, remove and reset-callbacks (semantics.md "Management
/// operations"): each checks the state it expects and refuses, changing nothing, when it is not met.
extension Commands {
    static func pause(_ id: String, in changes: ChangeSet) throws(EngineError) {
        var wf = try changes.existing(id)
        if wf.status.isTerminal { throw .notAllowed(.pauseEnded(WorkflowRef(wf))) }
        guard wf.status != .paused else { return }
        wf.status = .paused
        changes.save(wf)
    }

    static func resume(_ id: String, in changes: ChangeSet) throws(EngineError) {
        var wf = try changes.existing(id)
        guard wf.status == .paused else { throw .notAllowed(.resumeNotPaused(workflowId: id, status: wf.status)) }
        wf.status = .running
        wf.lastRetriedTime = changes.now
        changes.decideAndSave(wf)
    }

    /// Ends the workflow TERMINATED: reason kept, output computed, open tasks canceled (children
    /// terminated). The failure workflow starts only when asked (Orkes' `triggerFailureWorkflow`; OSS
    /// never starts it here).
    static func terminate(_ id: String, reason: String?, triggerFailureWorkflow: Bool, in changes: ChangeSet) throws(EngineError) {
        let wf = try changes.existing(id)
        switch wf.status {
        case .completed: throw .notAllowed(.terminateCompleted)
        case .terminated: return
        default: break
        }
        var decision = changes.decider.terminate(wf, reason: reason)
        if triggerFailureWorkflow, let name = wf.definition.failureWorkflow, !name.isEmpty {
            decision.effects.append(.startFailureWorkflow(FailureWorkflowStart(name: name, version: wf.definition.failureWorkflowVersion, failedTaskId: nil)))
        }
        changes.save(decision)
    }

    /// A parent ended with the child still running: the child is terminated with the parent's reason.
    static func terminateChild(_ childId: String, reason: String, in changes: ChangeSet) throws(EngineError) {
        guard changes.active(childId) != nil else { return }
        try terminate(childId, reason: reason, triggerFailureWorkflow: false, in: changes)
    }

    /// Runs an ended workflow again from its start under the same id.
    static func restart(_ id: String, useLatestDefinitions: Bool, in changes: ChangeSet) throws(EngineError) {
        let old = try changes.existing(id)
        guard old.status.isTerminal else { throw .notAllowed(.restartNotEnded(WorkflowRef(old))) }
        var def = old.definition
        if useLatestDefinitions {
            guard let latest = try changes.workflowDef(name: old.workflowName, version: nil) else {
                throw .notAllowed(.restartLatestDefinitionMissing(workflowId: id))
            }
            def = try WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids).prepare(latest)
        }
        if !def.restartable && old.status == .completed { throw .notAllowed(.restartNotRestartable(WorkflowRef(old))) }
        var wf = old
        wf.definition = def
        wf.tasks = []
        wf.reasonForIncompletion = nil
        wf.createTime = changes.now
        wf.endTime = 0
        wf.lastRetriedTime = 0
        wf.status = .running
        wf.output = JSONObject()
        changes.decideAndSave(wf)
        try reopenParents(of: id, operation: "restarted", in: changes)
    }

    /// Deletes the execution (`archiveWorkflow` true: ended ones only).
    static func remove(_ id: String, archive: Bool, in changes: ChangeSet) throws(EngineError) {
        let wf = try changes.existing(id)
        if archive && !wf.status.isTerminal { throw .notAllowed(.archiveNotEnded(workflowId: id, status: wf.status)) }
        changes.delete(wf)
    }

    /// Makes delayed worker tasks of a running workflow visible now.
    static func resetCallbacks(_ id: String, in changes: ChangeSet) throws(EngineError) {
        var wf = try changes.existing(id)
        if wf.status.isTerminal { throw .notAllowed(.resetCallbacksEnded(wf.status)) }
        for i in wf.tasks.indices where !wf.tasks[i].isSystemTask && wf.tasks[i].status == .scheduled && wf.tasks[i].callbackAfterSeconds > 0 {
            wf.tasks[i].callbackAfterSeconds = 0
            wf.tasks[i].visibleAt = changes.now
        }
        changes.save(wf)
    }
}
