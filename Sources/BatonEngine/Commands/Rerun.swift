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
            // Other unsuccessful attempts left standing (fork branches) run again too.
            for j in wf.tasks.indices where j != i {
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
            var decision = changes.decider.decide(wf)
            // The rerun task is scheduled again in place: if its type is launched, launch it.
            if let launch = t.behavior.launch(t) { decision.effects.insert(launch, at: 0) }
            changes.save(decision)
        } else {
            wf.tasks = []
            changes.decideAndSave(wf)
        }
    }
}
