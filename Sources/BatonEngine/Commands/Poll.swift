import BatonSupport

extension Commands {
    /// Hands up to `count` visible tasks of a queue to a worker (each attempt to exactly one poll).
    /// Poll data is recorded even when nothing is handed out.
    static func poll(taskType: String, domain: String?, workerId: String?, count: Int, in changes: ChangeSet) -> [TaskModel] {
        let now = changes.now
        changes.recordPoll(PollData(queueName: taskType, domain: domain, workerId: workerId ?? "", lastPollTime: now))
        let name = QueueNames.name(type: taskType, domain: domain)
        var handedOut: [String: Int] = [:]
        let accept = { (taskId: String) -> Bool in
            guard let t = openTask(taskId, changes) else { return false }
            let extra = handedOut[t.taskDefName, default: 0]
            if isThrottled(t, extra: extra, changes) { return false }
            handedOut[t.taskDefName] = extra + 1
            return true
        }
        // Tasks this very command queued come first: they are the ones `update-v2` asks for.
        var ids = Array(changes.stagedQueuedTasks(in: name).lazy.filter(accept).prefix(count))
        if ids.count < count {
            ids += changes.state.selectTasks(inQueue: name, limit: count - ids.count, accept: accept)
        }
        guard !ids.isEmpty else { return [] }
        // One save per workflow, not per task: a batch of 50 from one wide fork would otherwise rewrite
        // the same workflow 50 times.
        var byWorkflow: [String: [String]] = [:]
        var order: [String] = []
        for id in ids {
            guard let wfId = changes.owner(ofTask: id) else { continue }
            if byWorkflow[wfId] == nil { order.append(wfId) }
            byWorkflow[wfId, default: []].append(id)
        }
        var handed: [String: TaskModel] = [:]
        for wfId in order {
            guard var wf = changes.active(wfId) else { continue }
            for id in byWorkflow[wfId] ?? [] {
                guard let i = wf.index(ofTask: id), wf.tasks[i].status == .scheduled else { continue }
                wf.tasks[i].status = .inProgress
                if wf.tasks[i].startTime == 0 { wf.tasks[i].startTime = now }
                wf.tasks[i].callbackAfterSeconds = 0
                wf.tasks[i].workerId = workerId
                wf.tasks[i].pollCount += 1
                wf.tasks[i].updateTime = now
                handed[id] = wf.tasks[i]
                changes.recordHandOut(wf.tasks[i].taskDefName)
            }
            changes.save(consume wf)
        }
        return ids.compactMap { handed[$0] }
    }

    private static func openTask(_ taskId: String, _ changes: ChangeSet) -> TaskModel? {
        guard let wfId = changes.owner(ofTask: taskId), let wf = changes.active(wfId),
              let t = wf.tasks.first(where: { $0.taskId == taskId }), t.status == .scheduled else { return nil }
        return t
    }

    /// `concurrentExecLimit` and `rateLimitPerFrequency` of the task's definition. A throttled task
    /// stays visible (OSS hides it for 60 s; that would only slow tests down).
    private static func isThrottled(_ t: TaskModel, extra: Int, _ changes: ChangeSet) -> Bool {
        guard let def = t.taskDefinition else { return false }
        if let limit = def.concurrentExecLimit, limit > 0,
           changes.state.inProgressCount[t.taskDefName, default: 0] + extra >= limit { return true }
        if def.rateLimitPerFrequency > 0 {
            let window = Int64(max(1, def.rateLimitFrequencyInSeconds)) * 1000
            let recent = changes.state.recentHandOuts(t.taskDefName, window: window) + changes.stagedHandOuts(t.taskDefName)
            if recent + extra >= def.rateLimitPerFrequency { return true }
        }
        return false
    }

    /// Makes every queued task of a type visible now; returns how many.
    static func requeue(taskType: String, in changes: ChangeSet) -> Int {
        var n = 0
        for (name, queue) in changes.state.queues where name == taskType || name.hasSuffix(":\(taskType)") {
            for id in queue.members.keys {
                guard let wfId = changes.owner(ofTask: id), var wf = changes.active(wfId), let i = wf.index(ofTask: id) else { continue }
                wf.tasks[i].visibleAt = changes.now
                wf.tasks[i].callbackAfterSeconds = 0
                changes.save(wf)
                n += 1
            }
            changes.touchQueue(name)
        }
        return n
    }
}
