import BatonSupport

/// Management operations (semantics.md "Management operations"): each runs as one command inside an
/// engine batch, checks the state it expects, and changes nothing when it refuses.
extension EngineCore {
    func existing(_ id: String) throws -> WorkflowModel {
        guard let wf = try workflow(id) else { throw EngineError.notFound("No such workflow found by id: \(id)") }
        return wf
    }

    private func shortName(_ wf: WorkflowModel) -> String { "\(wf.workflowName).\(wf.workflowVersion)/\(wf.workflowId)" }
    private func longName(_ wf: WorkflowModel) -> String { "\(shortName(wf)).\(wf.status.rawValue)" }

    func pause(_ id: String) throws {
        let old = try existing(id)
        if old.status.isTerminal { throw EngineError.conflict("Workflow \(shortName(old)) has ended, status cannot be updated.") }
        guard old.status != .paused else { return }
        var wf = old
        wf.status = .paused
        save(wf, old: old)
    }

    func resume(_ id: String) throws {
        let old = try existing(id)
        guard old.status == .paused else {
            throw EngineError.illegalState("The workflow \(id) is not PAUSED so cannot resume. Current status is \(old.status.rawValue)")
        }
        var wf = old
        wf.status = .running
        wf.lastRetriedTime = now
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: id)
    }

    /// Ends the workflow TERMINATED: reason kept, output computed, open tasks canceled. The failure
    /// workflow starts only when asked (Orkes' `triggerFailureWorkflow`; OSS never starts it here).
    func terminate(_ id: String, reason: String?, triggerFailureWorkflow: Bool) throws {
        let old = try existing(id)
        switch old.status {
        case .completed: throw EngineError.conflict("Cannot terminate a COMPLETED workflow.")
        case .terminated: return
        default: break
        }
        var wf = old
        let d = decider
        wf.status = .terminated
        wf.output = d.output(of: wf, lastTask: nil)
        d.recordFailedNames(&wf)
        wf.reasonForIncompletion = reason
        wf.endTime = now
        d.cancelOpenTasks(&wf)
        save(wf, old: old)
        if triggerFailureWorkflow, let name = wf.definition.failureWorkflow, !name.isEmpty {
            var effects = DecideEffects()
            effects.failureWorkflow = FailureWorkflowStart(name: name, version: wf.definition.failureWorkflowVersion, failedTaskId: nil)
            handle(effects, of: id)
        }
    }

    /// Runs an ended workflow again from its start under the same id.
    func restart(_ id: String, useLatestDefinitions: Bool) throws {
        let old = try existing(id)
        guard old.status.isTerminal else {
            throw EngineError.conflict("Workflow: \(longName(old)) is not in terminal state, unable to restart.")
        }
        var def = old.definition
        if useLatestDefinitions {
            guard let latest = try metadata.workflowDef(name: old.workflowName, version: nil) else {
                throw EngineError.notFound("Unable to find latest definition for \(id)")
            }
            def = try WorkflowFactory(metadata: metadata).prepare(latest)
        }
        if !def.restartable && old.status == .completed {
            throw EngineError.notFound("Workflow: \(longName(old)) is non-restartable")
        }
        var wf = old
        wf.definition = def
        wf.tasks = []
        wf.reasonForIncompletion = nil
        wf.createTime = now
        wf.endTime = 0
        wf.lastRetriedTime = 0
        wf.status = .running
        wf.output = JSONObject()
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: id)
        try reopenParents(of: id, operation: "restarted")
    }

    /// Reschedules the last unsuccessful attempt of each reference name and reopens the workflow (and,
    /// for a child, its parents). With `resumeSubworkflowTasks` the deepest failed execution under the
    /// first unsuccessful task is retried in place instead of launching a new child.
    func retry(_ id: String, resumeSubworkflowTasks: Bool) throws {
        let old = try existing(id)
        guard old.status.isTerminal else { throw EngineError.notFound("Workflow is still running.  status=\(old.status.rawValue)") }
        guard !old.tasks.isEmpty else { throw EngineError.conflict("Workflow has not started yet") }
        if resumeSubworkflowTasks {
            guard old.tasks.contains(where: Self.isUnsuccessful) else { return }
            let target = try deepestFailed(from: old)
            try retryTasks(target.workflowId)
            try reopenParents(of: target.workflowId, operation: "retried")
            return
        }
        try retryTasks(id)
        try reopenParents(of: id, operation: "retried")
    }

    func retryTasks(_ id: String) throws {
        let old = try existing(id)
        var wf = old
        var retriable: [String: Int] = [:]   // ref → index of the attempt to retry
        for i in wf.tasks.indices {
            let t = wf.tasks[i]
            switch t.status {
            case .failed, .failedWithTerminalError, .timedOut:
                if t.status == .failed && (t.taskType == "JOIN" || t.taskType == "EXCLUSIVE_JOIN") && joinWaitsOnPermissiveFailure(t, in: wf) {
                    wf.tasks[i].status = .inProgress
                } else {
                    retriable[t.referenceTaskName] = i
                }
            case .canceled:
                if t.taskType == "JOIN" || t.taskType == "DO_WHILE" {
                    wf.tasks[i].status = .inProgress
                } else {
                    retriable[t.referenceTaskName] = i
                }
            default:
                retriable[t.referenceTaskName] = nil
            }
        }
        if retriable.isEmpty && old.status != .timedOut {
            throw EngineError.conflict("There are no retryable tasks! Use restart if you want to attempt entire workflow execution again.")
        }
        wf.status = .running
        wf.lastRetriedTime = now
        wf.reasonForIncompletion = nil
        wf.endTime = 0
        var newTasks: [TaskModel] = []
        for i in retriable.values.sorted(by: { wf.tasks[$0].seq < wf.tasks[$1].seq }) {
            let t = wf.tasks[i]
            if ["DO_WHILE", "FORK", "JOIN", "EXCLUSIVE_JOIN"].contains(t.taskType) {
                // Containers and joins are reopened in place.
                wf.tasks[i].retried = false
                wf.tasks[i].retryCount += 1
                wf.tasks[i].status = .inProgress
                wf.tasks[i].endTime = 0
                continue
            }
            var again = t
            again.taskId = IDs.uuid()
            again.retriedTaskId = t.taskId
            again.status = .scheduled
            again.retryCount = t.retryCount + 1
            again.retried = false
            again.executed = false
            again.pollCount = 0
            again.callbackAfterSeconds = 0
            again.startDelayInSeconds = 0
            again.subWorkflowId = nil
            again.startTime = 0
            again.endTime = 0
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
        decider.schedule(newTasks, in: &wf)
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: id)
    }

    private func joinWaitsOnPermissiveFailure(_ join: TaskModel, in wf: WorkflowModel) -> Bool {
        let refs = join.inputData["joinOn"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return refs.contains { ref in
            guard let t = wf.task(ref: ref) else { return false }
            return t.status.isTerminal && !t.status.isSuccessful && t.workflowTask.permissive
        }
    }

    /// Marks a not-yet-scheduled node SKIPPED so execution jumps over it.
    func skip(_ id: String, ref: String, request: SkipTaskRequest) throws {
        let old = try existing(id)
        guard old.status == .running else {
            throw EngineError.illegalState("The workflow \(id) is not running so the task referenced by \(ref) cannot be skipped")
        }
        guard let node = old.definition.task(ref: ref) else {
            throw EngineError.illegalState("The task referenced by \(ref) does not exist in the WorkflowDefinition \(old.workflowName)")
        }
        if old.tasks.contains(where: { $0.referenceTaskName == ref }) {
            throw EngineError.illegalState("The task referenced \(ref) has already been processed, cannot be skipped")
        }
        let placeholder = try WorkflowTask(json: ["taskReferenceName": .string(ref)], path: "skip")
        var t = TaskModel(taskId: IDs.uuid(), status: .skipped, taskType: node.name, taskDefName: node.name,
                          referenceTaskName: ref, workflowInstanceId: id, workflowType: old.workflowName, workflowTask: placeholder)
        t.workflowPriority = old.priority
        t.correlationId = old.correlationId
        t.inputData = request.taskInput
        t.outputData = request.taskOutput
        t.endTime = now
        t.seq = old.nextSeq
        var wf = old
        wf.tasks.append(t)
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: id)
    }

    /// Runs an ended workflow again, whole or from one task (same id, same task id for that task). A
    /// task id found in a sub-workflow reruns that child from it and reopens the parents.
    func rerun(_ id: String, _ request: RerunRequest) throws -> String {
        let old = try existing(id)
        guard old.status.isTerminal else {
            throw EngineError.conflict("Workflow: \(longName(old)) is not in terminal state, unable to rerun.")
        }
        if let taskId = request.reRunFromTaskId, !old.tasks.contains(where: { $0.taskId == taskId }) {
            guard let child = try holder(ofTask: taskId, in: old), child.workflowId != id else {
                throw EngineError.invalid("Task \(taskId) not found")
            }
            var childRequest = RerunRequest(reRunFromTaskId: taskId, taskInput: request.taskInput)
            childRequest.workflowInput = nil
            _ = try rerunOne(child.workflowId, childRequest)
            // The request's workflow input and correlation id are this workflow's.
            if request.workflowInput != nil || request.correlationId != nil, let current = try workflow(id) {
                var updated = current
                if let input = request.workflowInput { updated.input = input }
                if let c = request.correlationId { updated.correlationId = c }
                save(updated, old: current)
            }
            try reopenParents(of: child.workflowId, operation: "reran")
            return id
        }
        let result = try rerunOne(id, request)
        try reopenParents(of: id, operation: "reran")
        return result
    }

    private func rerunOne(_ id: String, _ request: RerunRequest) throws -> String {
        let old = try existing(id)
        guard old.status.isTerminal else {
            throw EngineError.conflict("Workflow: \(longName(old)) is not in terminal state, unable to rerun.")
        }
        var wf = old
        wf.status = .running
        wf.reasonForIncompletion = nil
        wf.failedReferenceTaskNames = []
        wf.failedTaskNames = []
        wf.endTime = 0
        if let c = request.correlationId { wf.correlationId = c }
        if let input = request.workflowInput { wf.input = input }
        if let taskId = request.reRunFromTaskId {
            guard let target = wf.tasks.first(where: { $0.taskId == taskId }) else {
                throw EngineError.invalid("Task \(taskId) not found")
            }
            wf.tasks.removeAll { $0.seq > target.seq }
            guard let i = wf.index(ofTask: taskId) else { throw EngineError.invalid("Task \(taskId) not found") }
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
            t.visibleAt = now
            if let input = request.taskInput { t.inputData = input }
            t.status = .scheduled
            wf.tasks[i] = t
            // Other unsuccessful attempts left standing (fork branches) run again too.
            for j in wf.tasks.indices where j != i {
                let other = wf.tasks[j]
                guard other.status.isTerminal, !other.status.isSuccessful, !other.retried else { continue }
                if other.taskType == "JOIN" || other.taskType == "DO_WHILE" {
                    wf.tasks[j].status = .inProgress
                } else {
                    wf.tasks[j].status = .scheduled
                    wf.tasks[j].executed = false
                    wf.tasks[j].endTime = 0
                    wf.tasks[j].visibleAt = now
                }
                wf.tasks[j].reasonForIncompletion = nil
            }
        } else {
            wf.tasks = []
        }
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: id)
        return id
    }

    /// Deletes the execution (`archiveWorkflow` true: ended ones only).
    func remove(_ id: String, archive: Bool) throws {
        let wf = try existing(id)
        if archive && !wf.status.isTerminal {
            throw EngineError.invalid("Cannot archive workflow: \(id) with status: \(wf.status.rawValue)")
        }
        delete(wf)
    }

    /// Makes delayed worker tasks of a running workflow visible now.
    func resetCallbacks(_ id: String) throws {
        let old = try existing(id)
        if old.status.isTerminal { throw EngineError.conflict("Workflow is in terminal state. Status = \(old.status.rawValue)") }
        var wf = old
        for i in wf.tasks.indices where !wf.tasks[i].isSystemTask && wf.tasks[i].status == .scheduled && wf.tasks[i].callbackAfterSeconds > 0 {
            wf.tasks[i].callbackAfterSeconds = 0
            wf.tasks[i].visibleAt = now
        }
        save(wf, old: old)
    }
}

/// Management across sub-workflow hierarchies (OSS `updateAndPushParents`, `findLastFailedSubWorkflowIfAny`).
extension EngineCore {
    static func isUnsuccessful(_ t: TaskModel) -> Bool { t.status.isTerminal && !t.status.isSuccessful }

    /// A child running again reopens its parents, up the chain: the parent's SUB_WORKFLOW task goes back
    /// to IN_PROGRESS, failed sibling sub-workflows are retried, canceled siblings rescheduled, and the
    /// parent runs again and is decided.
    func reopenParents(of childId: String, operation: String) throws {
        var current = try existing(childId)
        var chain = "\(current.workflowName).\(current.workflowVersion)/\(current.workflowId)"
        while let parentId = current.parentWorkflowId, let taskId = current.parentWorkflowTaskId {
            let oldParent = try existing(parentId)
            guard let i = oldParent.index(ofTask: taskId) else { break }
            let subTask = oldParent.tasks[i]
            if subTask.workflowTask.optional || subTask.retried { break }
            var parent = oldParent
            parent.tasks[i].subworkflowChanged = true
            parent.tasks[i].status = .inProgress
            parent.tasks[i].reasonForIncompletion = nil
            parent.tasks[i].endTime = 0
            parent.tasks[i].executed = false
            pendingLogs.append(TaskExecLog(log: "Sub workflow \(chain) \(operation).", taskId: taskId, createdTime: now))
            parent.status = .running
            parent.reasonForIncompletion = nil
            parent.failedReferenceTaskNames = []
            parent.failedTaskNames = []
            parent.lastRetriedTime = now
            parent.endTime = 0
            for j in parent.tasks.indices where j != i {
                let t = parent.tasks[j]
                if t.taskType == "SUB_WORKFLOW", let sub = t.subWorkflowId, Self.isUnsuccessful(t), !t.retried {
                    if let child = try workflow(sub) {
                        if child.status == .running {
                            parent.tasks[j].status = .inProgress
                        } else if child.tasks.contains(where: Self.isUnsuccessful) {
                            try retryInPlace(sub)
                            parent.tasks[j].status = .inProgress
                        }
                        parent.tasks[j].reasonForIncompletion = nil
                        parent.tasks[j].subworkflowChanged = true
                        parent.tasks[j].executed = false
                        parent.tasks[j].endTime = 0
                    }
                } else if t.status == .canceled && !t.retried {
                    if t.taskType == "JOIN" || t.taskType == "DO_WHILE" {
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
            let effects = decider.decide(&parent)
            save(parent, old: oldParent)
            handle(effects, of: parentId)
            chain = "\(parent.workflowName).\(parent.workflowVersion)/\(parent.workflowId) -> \(chain)"
            current = parent
        }
    }

    /// The retry of one workflow without walking up (used for siblings while reopening a parent).
    func retryInPlace(_ id: String) throws {
        try retryTasks(id)
    }

    /// `resumeSubworkflowTasks`: the deepest failed execution under the first unsuccessful task.
    func deepestFailed(from wf: WorkflowModel) throws -> WorkflowModel {
        guard let first = wf.tasks.first(where: Self.isUnsuccessful) else { return wf }
        if first.taskType == "SUB_WORKFLOW", let sub = first.subWorkflowId, let child = try workflow(sub) {
            if child.tasks.contains(where: Self.isUnsuccessful) { return try deepestFailed(from: child) }
            return wf
        }
        if first.taskType == "DO_WHILE",
           let inner = wf.tasks.first(where: { $0.taskType == "SUB_WORKFLOW" && Self.isUnsuccessful($0) }),
           let sub = inner.subWorkflowId, let child = try workflow(sub), child.tasks.contains(where: Self.isUnsuccessful) {
            return try deepestFailed(from: child)
        }
        return wf
    }

    /// Finds a task id in this workflow or, recursively, in its sub-workflows; returns the workflow holding it.
    func holder(ofTask taskId: String, in wf: WorkflowModel, depth: Int = 0) throws -> WorkflowModel? {
        if wf.tasks.contains(where: { $0.taskId == taskId }) { return wf }
        guard depth < 32 else { return nil }
        for t in wf.tasks where t.taskType == "SUB_WORKFLOW" {
            if let sub = t.subWorkflowId, let child = try workflow(sub), let found = try holder(ofTask: taskId, in: child, depth: depth + 1) {
                return found
            }
        }
        return nil
    }
}
