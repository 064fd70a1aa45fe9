import BatonSupport

/// Retry (OSS `WorkflowExecutorOps.retry`), and the reopening of parents that retry, restart and rerun
/// of a child need (OSS `updateAndPushParents`, `findLastFailedSubWorkflowIfAny`).
extension Commands {
    static func isUnsuccessful(_ t: TaskModel) -> Bool { t.status.isTerminal && !t.status.isSuccessful }

    /// Reschedules the last unsuccessful attempt of each reference name and reopens the workflow (and,
    /// for a child, its parents). With `resumeSubworkflowTasks` the deepest failed execution under the
    /// first unsuccessful task is retried in place instead of launching a new child.
    static func retry(_ id: String, resumeSubworkflowTasks: Bool, in changes: ChangeSet) throws(EngineError) {
        let old = try changes.existing(id)
        guard old.status.isTerminal else { throw .notAllowed(.retryStillRunning(old.status)) }
        guard !old.tasks.isEmpty else { throw .notAllowed(.retryNotStarted) }
        var target = id
        if resumeSubworkflowTasks {
            guard old.tasks.contains(where: isUnsuccessful) else { return }
            target = try deepestFailed(from: old, in: changes).workflowId
        }
        try retryTasks(target, in: changes)
        try reopenParents(of: target, operation: "retried", in: changes)
    }

    /// The retry of one workflow, without walking up.
    static func retryTasks(_ id: String, in changes: ChangeSet) throws(EngineError) {
        let old = try changes.existing(id)
        var wf = old
        var retriable: [String: Int] = [:]   // ref → index of the attempt to retry
        for i in wf.tasks.indices {
            let t = wf.tasks[i]
            switch t.status {
            case .failed, .failedWithTerminalError, .timedOut:
                if t.behavior.reopensWhenFailed(t, in: wf) {
                    wf.tasks[i].status = .inProgress
                } else {
                    retriable[t.referenceTaskName] = i
                }
            case .canceled:
                if t.behavior.reopensWhenCanceled {
                    wf.tasks[i].status = .inProgress
                    wf.tasks[i].endTime = 0
                } else {
                    retriable[t.referenceTaskName] = i
                }
            default:
                retriable[t.referenceTaskName] = nil
            }
        }
        if retriable.isEmpty && old.status != .timedOut { throw .notAllowed(.retryNothingToRetry) }
        wf.status = .running
        wf.lastRetriedTime = changes.now
        wf.reasonForIncompletion = nil
        wf.endTime = 0
        var newTasks: [TaskModel] = []
        for i in retriable.values.sorted(by: { wf.tasks[$0].seq < wf.tasks[$1].seq }) {
            let t = wf.tasks[i]
            if t.behavior.reopensInPlace {
                wf.tasks[i].retried = false
                wf.tasks[i].retryCount += 1
                wf.tasks[i].status = .inProgress
                wf.tasks[i].endTime = 0
                continue
            }
            var again = t
            again.taskId = changes.newId()
            again.retriedTaskId = t.taskId
            again.status = t.behavior.waitsInProgress ? .inProgress : .scheduled
            again.retryCount = t.retryCount + 1
            again.retried = false
            again.executed = false
            again.pollCount = 0
            again.callbackAfterSeconds = 0
            again.startDelayInSeconds = 0
            again.subWorkflowId = nil
            again.startTime = t.behavior.waitsInProgress ? changes.now : 0
            again.endTime = 0
            again.waitTimeout = 0
            again.workerId = nil
            again.reasonForIncompletion = nil
            again.outputData = JSONObject()
            again.visibleAt = 0
            again.inputData["subWorkflowId"] = nil
            let input = InputResolution(workflow: wf, taskId: again.taskId).taskInput(t.workflowTask.inputParameters, taskDef: t.taskDefinition)
            for (k, v) in input { again.inputData[k] = v }
            wf.tasks[i].retried = true
            wf.tasks[i].executed = true
            newTasks.append(again)
        }
        let decider = changes.decider
        var launches: [Effect] = []
        decider.append(newTasks, to: &wf, &launches)
        var decision = decider.decide(wf)
        decision.effects = launches + decision.effects
        changes.save(decision)
    }

    /// A child running again reopens its parents, up the chain: the parent's SUB_WORKFLOW task goes back
    /// to IN_PROGRESS, failed sibling sub-workflows are retried, canceled siblings rescheduled, and the
    /// parent runs again and is decided.
    static func reopenParents(of childId: String, operation: String, in changes: ChangeSet) throws(EngineError) {
        var current = try changes.existing(childId)
        var chain = "\(current.workflowName).\(current.workflowVersion)/\(current.workflowId)"
        let now = changes.now
        while let parentId = current.parentWorkflowId, let taskId = current.parentWorkflowTaskId {
            let oldParent = try changes.existing(parentId)
            guard let i = oldParent.index(ofTask: taskId) else { break }
            let subTask = oldParent.tasks[i]
            if subTask.workflowTask.optional || subTask.retried { break }
            var parent = oldParent
            parent.tasks[i].subworkflowChanged = true
            parent.tasks[i].status = .inProgress
            parent.tasks[i].reasonForIncompletion = nil
            parent.tasks[i].endTime = 0
            parent.tasks[i].executed = false
            changes.log("Sub workflow \(chain) \(operation).", taskId: taskId)
            parent.status = .running
            parent.reasonForIncompletion = nil
            parent.failedReferenceTaskNames = []
            parent.failedTaskNames = []
            parent.lastRetriedTime = now
            parent.endTime = 0
            for j in parent.tasks.indices where j != i {
                let t = parent.tasks[j]
                if let sub = t.behavior.childWorkflowId(t), isUnsuccessful(t), !t.retried {
                    if let child = try changes.workflow(sub) {
                        if child.status == .running {
                            parent.tasks[j].status = .inProgress
                        } else if child.tasks.contains(where: isUnsuccessful) {
                            try retryTasks(sub, in: changes)
                            parent.tasks[j].status = .inProgress
                        }
                        parent.tasks[j].reasonForIncompletion = nil
                        parent.tasks[j].subworkflowChanged = true
                        parent.tasks[j].executed = false
                        parent.tasks[j].endTime = 0
                    }
                } else if t.status == .canceled && !t.retried {
                    if t.behavior.reopensWhenCanceled {
                        parent.tasks[j].status = .inProgress
                    } else {
                        parent.tasks[j].retryCount += 1
                        parent.tasks[j].reasonForIncompletion = nil
                        parent.tasks[j].pollCount = 0
                        parent.tasks[j].workerId = nil
                        parent.tasks[j].scheduledTime = now
                        parent.tasks[j].startTime = 0
                        parent.tasks[j].endTime = 0
                        parent.tasks[j].executed = false
                        parent.tasks[j].status = .scheduled
                        parent.tasks[j].visibleAt = now
                    }
                }
            }
            changes.decideAndSave(parent)
            chain = "\(parent.workflowName).\(parent.workflowVersion)/\(parent.workflowId) -> \(chain)"
            current = parent
        }
    }

    /// `resumeSubworkflowTasks`: the deepest failed execution under the first unsuccessful task.
    static func deepestFailed(from wf: WorkflowModel, in changes: ChangeSet) throws(EngineError) -> WorkflowModel {
        guard let first = wf.tasks.first(where: isUnsuccessful) else { return wf }
        if let sub = first.behavior.childWorkflowId(first), let child = try changes.workflow(sub) {
            if child.tasks.contains(where: isUnsuccessful) { return try deepestFailed(from: child, in: changes) }
            return wf
        }
        if first.kind == .doWhile,
           let inner = wf.tasks.first(where: { $0.behavior.childWorkflowId($0) != nil && isUnsuccessful($0) }),
           let sub = inner.subWorkflowId, let child = try changes.workflow(sub), child.tasks.contains(where: isUnsuccessful) {
            return try deepestFailed(from: child, in: changes)
        }
        return wf
    }

    /// Finds a task id in this workflow or, recursively, in its sub-workflows; returns the workflow holding it.
    static func holder(ofTask taskId: String, in wf: WorkflowModel, depth: Int = 0, _ changes: ChangeSet) throws(EngineError) -> WorkflowModel? {
        if wf.tasks.contains(where: { $0.taskId == taskId }) { return wf }
        guard depth < 32 else { return nil }
        for t in wf.tasks {
            if let sub = t.behavior.childWorkflowId(t), let child = try changes.workflow(sub),
               let found = try holder(ofTask: taskId, in: child, depth: depth + 1, changes) {
                return found
            }
        }
        return nil
    }
}
