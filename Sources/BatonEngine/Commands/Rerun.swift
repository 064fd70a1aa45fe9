import BatonSupport

extension Commands {
    /// Runs an ended workflow again, whole or from one task (same id, same task id for that task). A
    /// task id found in a sub-workflow reruns that child from it and reopens the parents.
    static func rerun(_ id: String, _ request: RerunRequest, in changes: ChangeSet) throws(EngineError) -> String {
        let old = try changes.existing(id)
        guard old.status.isTerminal else { throw .notAllowed(.rerunNotEnded(WorkflowRef(old))) }
        if let taskId = request.reRunFromTaskId, !old.tasks.contains(where: { $0.taskId == taskId }) {
            guard let child = try holder(ofTask: taskId, in: old, changes), child.workflowId != id else {
                throw .notAllowed(.rerunTaskNotFound(taskId: taskId))
            }
            var childRequest = RerunRequest(reRunFromTaskId: taskId, taskInput: request.taskInput)
            childRequest.workflowInput = nil
            try rerunOne(child.workflowId, childRequest, in: changes)
            // The request's workflow input and correlation id are this workflow's.
            if request.workflowInput != nil || request.correlationId != nil, var current = try changes.workflow(id) {
                if let input = request.workflowInput { current.input = input }
                if let c = request.correlationId { current.correlationId = c }
                changes.save(current)
            }
            try reopenParents(of: child.workflowId, operation: "reran", in: changes)
            return id
        }
        try rerunOne(id, request, in: changes)
        try reopenParents(of: id, operation: "reran", in: changes)
        return id
    }

    private static func rerunOne(_ id: String, _ request: RerunRequest, in changes: ChangeSet) throws(EngineError) {
        var wf = try changes.existing(id)
        guard wf.status.isTerminal else { throw .notAllowed(.rerunNotEnded(WorkflowRef(wf))) }
        let now = changes.now
        wf.status = .running
        wf.reasonForIncompletion = nil
        wf.failedReferenceTaskNames = []
        wf.failedTaskNames = []
        wf.endTime = 0
        if let c = request.correlationId { wf.correlationId = c }
        if let input = request.workflowInput { wf.input = input }
        if let taskId = request.reRunFromTaskId {
            guard let target = wf.tasks.first(where: { $0.taskId == taskId }) else { throw .notAllowed(.rerunTaskNotFound(taskId: taskId)) }
            wf.tasks.removeAll { $0.seq > target.seq }
            if target.kind == .switchTask || target.kind == .decision,
               let decision = reevaluated(target, in: wf, request, changes) {
                changes.save(decision)
                return
            }
            guard let i = wf.index(ofTask: taskId) else { throw .notAllowed(.rerunTaskNotFound(taskId: taskId)) }
            var t = wf.tasks[i]
            t.scheduledTime = now
            t.startTime = 0
            t.endTime = 0
            t.outputData = JSONObject()
            t.retried = false
            t.executed = false
            t.pollCount = 0
            t.reasonForIncompletion = nil
            t.workerId = nil
            t.callbackAfterSeconds = 0
            t.waitTimeout = 0
            t.visibleAt = now
            if let input = request.taskInput { t.inputData = input }
            t.status = t.behavior.waitsInProgress ? .inProgress : .scheduled
            if t.behavior.waitsInProgress { t.startTime = now }
            wf.tasks[i] = t
            reopenOtherFailures(&wf, except: taskId, now: now)
            var decision = changes.decider.decide(wf)
            // The rerun task is scheduled again in place: if its type is launched, launch it.
            if let launch = t.behavior.launch(t) { decision.effects.insert(launch, at: 0) }
            changes.save(decision)
        } else {
            wf.tasks = []
            changes.decideAndSave(wf)
        }
    }

    /// Other unsuccessful attempts left standing (fork branches) run again too.
    private static func reopenOtherFailures(_ wf: inout WorkflowModel, except taskId: String, now: Int64) {
        for j in wf.tasks.indices where wf.tasks[j].taskId != taskId {
            let other = wf.tasks[j]
            guard other.status.isTerminal, !other.status.isSuccessful, !other.retried else { continue }
            if other.behavior.reopensWhenCanceled {
                wf.tasks[j].status = .inProgress
            } else {
                wf.tasks[j].status = .scheduled
                wf.tasks[j].executed = false
                wf.tasks[j].endTime = 0
                wf.tasks[j].visibleAt = now
            }
            wf.tasks[j].reasonForIncompletion = nil
        }
    }

    /// A rerun from a SWITCH or DECISION evaluates it again (with the rerun's workflow input, when it
    /// gives one) and schedules the branch it picks now, under the same task id. **Baton:** OSS resets
    /// the task in place; its branch went with the tasks after it, and the completed decision, marked as
    /// having scheduled a branch, schedules nothing, so the workflow stays RUNNING with nothing to run.
    /// Nil when the decision cannot be mapped again (the in-place reset then stands, as OSS).
    private static func reevaluated(_ target: TaskModel, in wf: WorkflowModel, _ request: RerunRequest,
                                    _ changes: ChangeSet) -> Decision? {
        var wf = wf
        wf.tasks.removeAll { $0.taskId == target.taskId }
        guard case .success(var tasks) = changes.decider.schedule(target.workflowTask, in: wf),
              let first = tasks.first, first.referenceTaskName == target.referenceTaskName else { return nil }
        tasks[0].taskId = target.taskId
        if let input = request.taskInput { tasks[0].inputData = input }
        reopenOtherFailures(&wf, except: target.taskId, now: changes.now)
        var effects: [Effect] = []
        changes.decider.append(tasks, to: &wf, &effects)
        var decision = changes.decider.decide(wf)
        decision.effects.insert(contentsOf: effects, at: 0)
        return decision
    }
}
