import BatonSupport

/// The clock's part of deciding: workflow and task timeouts (OSS `checkWorkflowTimeout`,
/// `checkTotalTimeout`, `checkTaskTimeout`, `checkTaskPollTimeout`, `isResponseTimedOut`), and the
/// next instant at which one of them, or a timer of an open task, could change a workflow.
struct Timeouts {
    let now: Int64

    init(_ now: Int64) { self.now = now }

    /// The workflow's own timeout (policy TIME_OUT_WF), measured from its start or last retry.
    func workflowTimeout(_ wf: WorkflowModel) -> Ending? {
        let def = wf.definition
        guard def.timeoutSeconds > 0 else { return nil }
        let elapsed = now - (wf.lastRetriedTime > 0 ? wf.lastRetriedTime : wf.createTime)
        guard elapsed >= def.timeoutSeconds * 1000, def.timeoutPolicy == .timeOutWorkflow else { return nil }
        return Ending(status: .timedOut, reason:
            "Workflow timed out after \(elapsed / 1000) seconds. Timeout configured as \(def.timeoutSeconds) seconds. Timeout policy configured to \(def.timeoutPolicy.rawValue)")
    }

    /// Applies the task definition's timeouts to an open attempt; returns the workflow's end when a
    /// timeout's policy is TIME_OUT_WF.
    func check(_ task: inout TaskModel, def: TaskDef) -> Ending? {
        guard !task.status.isTerminal else { return nil }
        // Total budget across attempts.
        if def.totalTimeoutSeconds > 0 && task.firstScheduledTime > 0 {
            let elapsed = (now - task.firstScheduledTime) / 1000
            if elapsed >= def.totalTimeoutSeconds {
                if let e = timeOut(&task, def: def, reason:
                    "Task \(task.taskDefName)/\(task.taskId) exceeded total timeout of \(def.totalTimeoutSeconds) seconds (elapsed \(elapsed) seconds across all attempts including retry delays). Timeout policy: \(def.timeoutPolicy.rawValue)") { return e }
                if task.status.isTerminal { return nil }
            }
        }
        // Per attempt, from the first poll.
        if def.timeoutSeconds > 0 && task.startTime > 0 {
            let elapsed = now - (task.startTime + Int64(task.startDelayInSeconds) * 1000)
            if elapsed >= def.timeoutSeconds * 1000 {
                if let e = timeOut(&task, def: def, reason:
                    "Task timed out after \(elapsed / 1000) seconds. Timeout configured as \(def.timeoutSeconds) seconds. Timeout policy configured to \(def.timeoutPolicy.rawValue)") { return e }
                if task.status.isTerminal { return nil }
            }
        }
        // Waiting in the queue for a first poll.
        if let poll = def.pollTimeoutSeconds, poll > 0, task.status == .scheduled {
            let elapsed = now - (task.scheduledTime + Int64(task.startDelayInSeconds) * 1000)
            if elapsed >= Int64(poll) * 1000 + task.callbackAfterSeconds * 1000 {
                if let e = timeOut(&task, def: def, reason:
                    "Task poll timed out after \(elapsed / 1000) seconds. Poll timeout configured as \(poll) seconds. Timeout policy configured to \(def.timeoutPolicy.rawValue)") { return e }
                if task.status.isTerminal { return nil }
            }
        }
        // Silence from the worker holding it; the policy does not apply here.
        if task.status == .inProgress && def.responseTimeoutSeconds != 0 && !task.behavior.isAsyncComplete(task) {
            if now - task.updateTime >= def.responseTimeoutSeconds * 1000 + task.callbackAfterSeconds * 1000 {
                task.status = .timedOut
                task.reasonForIncompletion = "responseTimeout: \(def.responseTimeoutSeconds) exceeded for the taskId: \(task.taskId) with Task Definition: \(task.taskDefName)"
            }
        }
        return nil
    }

    private func timeOut(_ task: inout TaskModel, def: TaskDef, reason: String) -> Ending? {
        switch def.timeoutPolicy {
        case .alertOnly:
            return nil
        case .retry:
            task.status = .timedOut
            task.reasonForIncompletion = reason
            return nil
        case .timeOutWorkflow:
            task.status = .timedOut
            task.reasonForIncompletion = reason
            return Ending(status: .timedOut, reason: reason, task: task)
        }
    }

    /// The earliest instant at which deciding could change this workflow by the clock alone (timeouts,
    /// timers of open tasks); nil when only an outside event can.
    static func nextDueTime(_ wf: WorkflowModel) -> Int64? {
        guard !wf.status.isTerminal else { return nil }
        var due: Int64?
        func consider(_ t: Int64) { due = min(due ?? t, t) }
        if wf.definition.timeoutSeconds > 0 && wf.definition.timeoutPolicy == .timeOutWorkflow {
            consider((wf.lastRetriedTime > 0 ? wf.lastRetriedTime : wf.createTime) + wf.definition.timeoutSeconds * 1000)
        }
        if wf.status == .paused { return due }
        for t in wf.tasks where !t.status.isTerminal && !t.retried {
            let behavior = t.behavior
            if let at = behavior.dueTime(t) { consider(at) }
            guard let def = t.taskDefinition else { continue }
            if def.timeoutPolicy != .alertOnly {
                if def.totalTimeoutSeconds > 0 && t.firstScheduledTime > 0 { consider(t.firstScheduledTime + def.totalTimeoutSeconds * 1000) }
                if def.timeoutSeconds > 0 && t.startTime > 0 {
                    consider(t.startTime + Int64(t.startDelayInSeconds) * 1000 + def.timeoutSeconds * 1000)
                }
                if let poll = def.pollTimeoutSeconds, poll > 0, t.status == .scheduled {
                    consider(t.scheduledTime + Int64(t.startDelayInSeconds) * 1000 + Int64(poll) * 1000 + t.callbackAfterSeconds * 1000)
                }
            }
            if t.status == .inProgress && def.responseTimeoutSeconds != 0 && !behavior.isAsyncComplete(t) {
                consider(t.updateTime + def.responseTimeoutSeconds * 1000 + t.callbackAfterSeconds * 1000)
            }
        }
        return due
    }
}
