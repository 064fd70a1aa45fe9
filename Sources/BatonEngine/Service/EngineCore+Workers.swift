import BatonSupport

/// The worker protocol: polling, task updates, logs, queue information.
extension EngineCore {
    /// Hands up to `count` visible tasks of a queue to a worker (each attempt to exactly one poll).
    /// Poll data is recorded even when nothing is handed out.
    func poll(taskType: String, domain: String?, workerId: String?, count: Int) -> [TaskModel] {
        let worker = workerId ?? ""
        let record = PollData(queueName: taskType, domain: domain, workerId: worker, lastPollTime: now)
        let key = Self.pollKey(taskType, domain)
        pollData[key] = record
        pendingPollData[key] = record
        let name = QueueNames.name(type: taskType, domain: domain)
        guard let size = queues[name]?.count, size > 0 else { return [] }
        var handedOut: [String: Int] = [:]
        // Mutated in place: a copy of a big queue per poll would cost O(queue length).
        let ids = queues[name]!.take(limit: count, now: now) { taskId in
            guard let t = openTask(taskId) else { return true }   // stale entry: drop it
            let extra = handedOut[t.taskDefName, default: 0]
            if isThrottled(t, extra: extra) { return false }
            handedOut[t.taskDefName] = extra + 1
            return true
        }
        // One save per workflow, not per task: a batch of 50 from one wide fork would otherwise rewrite
        // the same workflow 50 times.
        var byWorkflow: [String: [String]] = [:]
        var order: [String] = []
        for id in ids {
            guard let wfId = activeWorkflowId(ofTask: id) else { continue }
            if byWorkflow[wfId] == nil { order.append(wfId) }
            byWorkflow[wfId, default: []].append(id)
        }
        var handed: [String: TaskModel] = [:]
        for wfId in order {
            guard let old = workflows[wfId] else { continue }
            var wf = old
            for id in byWorkflow[wfId] ?? [] {
                guard let i = wf.index(ofTask: id), wf.tasks[i].status == .scheduled else { continue }
                wf.tasks[i].status = .inProgress
                if wf.tasks[i].startTime == 0 { wf.tasks[i].startTime = now }
                wf.tasks[i].callbackAfterSeconds = 0
                wf.tasks[i].workerId = workerId
                wf.tasks[i].pollCount += 1
                wf.tasks[i].updateTime = now
                handed[id] = wf.tasks[i]
                dispatchTimes[wf.tasks[i].taskDefName, default: []].append(now)
            }
            save(wf, old: old)
        }
        var tasks: [TaskModel] = []
        for id in ids { if let t = handed[id] { tasks.append(t) } }
        return tasks
    }

    private func openTask(_ taskId: String) -> TaskModel? {
        guard let wfId = activeWorkflowId(ofTask: taskId), let wf = workflows[wfId],
              let t = wf.tasks.first(where: { $0.taskId == taskId }), t.status == .scheduled else { return nil }
        return t
    }

    /// `concurrentExecLimit` and `rateLimitPerFrequency` of the task's definition. A throttled task
    /// stays visible (OSS hides it for 60 s; that would only slow tests down).
    private func isThrottled(_ t: TaskModel, extra: Int) -> Bool {
        guard let def = t.taskDefinition else { return false }
        if let limit = def.concurrentExecLimit, limit > 0,
           inProgressCount[t.taskDefName, default: 0] + extra >= limit { return true }
        if def.rateLimitPerFrequency > 0 {
            let window = Int64(max(1, def.rateLimitFrequencyInSeconds)) * 1000
            var times = dispatchTimes[t.taskDefName, default: []]
            times.removeAll { $0 <= now - window }
            dispatchTimes[t.taskDefName] = times
            if times.count + extra >= def.rateLimitPerFrequency { return true }
        }
        return false
    }

    /// Applies a worker's result (semantics.md "Update"); returns the task as it now stands.
    func updateTask(_ result: TaskResult) throws -> TaskModel {
        guard let wfId = activeWorkflowId(ofTask: result.taskId) else {
            // Not in an active workflow: unknown, or a late/duplicate result for an ended one (ignored).
            guard let stored = try workflow(result.workflowInstanceId) else {
                throw EngineError.notFound("No such workflow found by id: \(result.workflowInstanceId)")
            }
            if let t = stored.tasks.first(where: { $0.taskId == result.taskId }) { return t }
            if let t = try store.task(id: result.taskId) { return t }
            throw EngineError.notFound("No such task found by id: \(result.taskId)")
        }
        guard let old = workflows[wfId], let i = old.index(ofTask: result.taskId) else {
            throw EngineError.notFound("No such task found by id: \(result.taskId)")
        }
        if result.extendLease {
            var wf = old
            wf.tasks[i].updateTime = now
            save(wf, old: old)
            return wf.tasks[i]
        }
        if old.tasks[i].status.isTerminal { return old.tasks[i] }
        for line in result.logs { pendingLogs.append(TaskExecLog(log: line, taskId: result.taskId, createdTime: now)) }
        update(wfId) { wf in
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
        return try workflow(wfId)?.tasks.first { $0.taskId == result.taskId } ?? old.tasks[i]
    }

    /// Updates the first open task with this reference name (or `ref__N` in a loop), merging `output`
    /// into its output. Returns nil when there is none.
    func updateTask(workflowId: String, ref: String, status: TaskResultStatus, output: JSONObject, workerId: String?) throws -> TaskModel? {
        guard let wf = try workflow(workflowId) else { throw EngineError.notFound("No such workflow found by id: \(workflowId)") }
        guard let t = wf.tasks.first(where: { !$0.status.isTerminal && ($0.referenceTaskName == ref || baseReferenceName($0.referenceTaskName) == ref) })
        else { return nil }
        var merged = t.outputData
        for (k, v) in output { merged[k] = v }
        var result = TaskResult(workflowInstanceId: workflowId, taskId: t.taskId, status: status, outputData: merged, workerId: workerId)
        result.reasonForIncompletion = t.reasonForIncompletion
        return try updateTask(result)
    }

    func appendLog(taskId: String, log: String) throws {
        if activeWorkflowId(ofTask: taskId) == nil, !pendingTaskExists(taskId), !uncommittedTaskExists(taskId), try store.task(id: taskId) == nil {
            throw EngineError.notFound("No such task found by id: \(taskId)")
        }
        pendingLogs.append(TaskExecLog(log: log, taskId: taskId, createdTime: now))
    }

    /// Queue sizes by task type (domain-less queues), as `GET /tasks/queue/sizes` reports them.
    func queueSize(_ name: String) -> Int { queues[name]?.count ?? 0 }

    func allQueueSizes() -> [(String, Int)] {
        queues.filter { $0.value.count > 0 }.map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 }
    }

    /// The tasks waiting in a queue, in hand-out order.
    func pendingTasks(inQueue name: String, start: Int, count: Int) -> [TaskModel] {
        let ids = queues[name]?.orderedTaskIds() ?? []
        return ids.dropFirst(start).prefix(count).compactMap { id in
            activeWorkflowId(ofTask: id).flatMap { workflows[$0]?.tasks.first { $0.taskId == id } }
        }
    }

    /// Makes every queued task of a type visible now; returns how many.
    func requeue(taskType: String) -> Int {
        var n = 0
        for (name, queue) in queues where name == taskType || name.hasSuffix(":\(taskType)") {
            for id in queue.members.keys {
                guard let wfId = activeWorkflowId(ofTask: id), let old = workflows[wfId], let i = old.index(ofTask: id) else { continue }
                var wf = old
                wf.tasks[i].visibleAt = now
                wf.tasks[i].callbackAfterSeconds = 0
                save(wf, old: old)
                n += 1
            }
            markQueueTouched(name)
        }
        return n
    }

    func pollData(forType type: String) -> [PollData] {
        pollData.values.filter { $0.queueName == type }.sorted { ($0.domain ?? "") < ($1.domain ?? "") }
    }
}
