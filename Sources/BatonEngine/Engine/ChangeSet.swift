import BatonSupport

/// The staged changes of one command over the engine state. A command reads through it (its own writes
/// first, then memory, then storage) and writes only into it; the follow-ups its decisions ask for
/// (children started, parents told, events delivered) are carried out into the same change by
/// `settle()`. The engine applies the whole change when the command returns, and drops it when the
/// command throws: a command is all or nothing, across every workflow it touched.
final class ChangeSet {
    let state: EngineState
    let env: EngineEnvironment
    let now: Int64
    /// Test seam: fails the change at a chosen step.
    let faults: FaultInjector?

    /// Everything staged so far: a value, so a savepoint is a copy.
    struct Staged {
        /// The latest state of each changed workflow.
        var workflows: [String: WorkflowModel] = [:]
        /// Workflows in the order first changed (applied in that order).
        var order: [String] = []
        /// Per workflow: tasks whose rows change, and task rows that go.
        var changedTasks: [String: Set<String>] = [:]
        var removedTasks: [String: Set<String>] = [:]
        /// Workflows whose own row changes.
        var rowChanged: Set<String> = []
        /// Removed workflows, as they were.
        var deleted: [String: WorkflowModel] = [:]
        var logs: [TaskExecLog] = []
        var pollData: [String: PollData] = [:]
        /// Hand-out times per task definition name (rate limits).
        var handedOut: [String: [Int64]] = [:]
        /// Queues whose pollers should look again (tasks made visible in place).
        var requeued: Set<String> = []
        /// Workflows to decide again right away (a pass stopped at its round limit).
        var dueNow: Set<String> = []
        /// Effects still to carry out inside this change.
        var followUps: [(workflowId: String, effect: Effect)] = []
        /// Calls to make once the change is applied.
        var outbound: [OutboundCall] = []
        /// HTTP tasks whose answer this change records.
        var httpAnswered: Set<String> = []
        /// Every execution goes, in memory and in storage, before anything else here applies (a reset).
        var removesEverything = false
        /// Schedules saved (with firing state) and removed, fires recorded, the scheduler paused or resumed.
        var savedSchedules: [String: StoredSchedule] = [:]
        /// Saved schedules whose definition changed, not only their firing times.
        var redefinedSchedules: Set<String> = []
        var deletedSchedules: Set<String> = []
        var scheduleExecutions: [ScheduleExecution] = []
        var schedulerPaused: Bool?
        /// Workflows started and ended, tasks scheduled and ended, by this change.
        var counts = ExecutionCounts()
    }
    private(set) var staged = Staged()
    /// The version of each workflow before this change, as first read (from memory or storage).
    private var originals: [String: WorkflowModel] = [:]

    init(state: EngineState, env: EngineEnvironment, now: Int64, faults: FaultInjector? = nil) {
        self.state = state
        self.env = env
        self.now = now
        self.faults = faults
    }

    /// Removes every execution (a reset): memory, queues, timers and poll records when the change is
    /// applied; every stored row in the batch's commit.
    func removeEverything() { staged.removesEverything = true }

    // MARK: Reading

    /// Any workflow: staged, in memory, or in storage.
    func workflow(_ id: String) throws(EngineError) -> WorkflowModel? {
        try step()
        if staged.deleted[id] != nil { return nil }
        if let wf = staged.workflows[id] { return wf }
        if let wf = state.workflows[id] { return wf }
        if let remembered = state.memoryWorkflow(id) { return remembered.map(original) }
        do {
            return try env.store.workflow(id: id).map(original)
        } catch {
            throw .storage(error)
        }
    }

    /// A workflow that must exist.
    func existing(_ id: String) throws(EngineError) -> WorkflowModel {
        guard let wf = try workflow(id) else { throw .workflowNotFound(workflowId: id) }
        return wf
    }

    /// An active (RUNNING or PAUSED) workflow, staged or in memory.
    func active(_ id: String) -> WorkflowModel? {
        if staged.deleted[id] != nil { return nil }
        if let wf = staged.workflows[id] { return wf.status.isTerminal ? nil : wf }
        return state.workflows[id]
    }

    /// The active workflow holding an open task.
    func owner(ofTask taskId: String) -> String? {
        if let id = state.activeWorkflowId(ofTask: taskId) {
            return active(id) != nil ? id : nil
        }
        // A task this change created.
        for (id, wf) in staged.workflows where !wf.status.isTerminal && wf.tasks.contains(where: { $0.taskId == taskId }) { return id }
        return nil
    }

    /// Visible worker tasks of a queue that this change queued and the state has not yet: a poll in
    /// the same command (`update-v2`) hands them out too. In the order their workflows were changed.
    func stagedQueuedTasks(in queue: String) -> [String] {
        var ids: [String] = []
        for id in staged.order {
            guard let wf = staged.workflows[id], !wf.status.isTerminal else { continue }
            for t in wf.tasks where EngineState.isQueued(t) && t.visibleAt <= now && QueueNames.name(of: t) == queue
                && state.queues[queue]?.members[t.taskId] == nil {
                ids.append(t.taskId)
            }
        }
        return ids
    }

    /// A task from storage (of an ended workflow).
    func storedTask(_ taskId: String) throws(EngineError) -> TaskModel? {
        try step()
        do { return try env.store.task(id: taskId) } catch { throw .storage(error) }
    }

    /// A definition read through the catalog.
    /// A registered definition ready to start (see `DefinitionCatalog.preparedWorkflowDef`).
    func preparedWorkflowDef(name: String, version: Int?) throws(EngineError) -> WorkflowDef? {
        try step()
        return try env.definitions.preparedWorkflowDef(name: name, version: version, ids: env.ids)
    }

    func workflowDef(name: String, version: Int?) throws(EngineError) -> WorkflowDef? {
        try step()
        do { return try env.definitions.workflowDef(name: name, version: version) } catch { throw .storage(error) }
    }

    /// Remembers a workflow read from outside the active state (ended, or in storage): `save` compares
    /// against it. Active ones are compared against the state itself.
    private func original(_ wf: WorkflowModel) -> WorkflowModel {
        if originals[wf.workflowId] == nil { originals[wf.workflowId] = wf }
        return wf
    }

    /// What a decide pass of this change sees.
    var decideContext: DecideContext {
        DecideContext(now: now, newId: { [env] in env.ids.next() }, definitions: env.definitions.definitions,
                      scripts: env.scripts, random: { [env] in env.random.next(in: $0) },
                      lastPollTime: { [state] in state.lastPollTime(queue: $0) })
    }

    /// Built once per change: every decide of the command shares its context.
    private(set) lazy var decider = Decider(decideContext)

    func newId() -> String { env.ids.next() }

    // MARK: Writing

    /// Stages a workflow's new state: stamps the tasks that changed (update time, end time) and the
    /// workflow's own row when its fields changed. A state equal to the current one stages nothing.
    /// Callers hand over their copy (`consume`) where they can: the stamps below then change it in
    /// place instead of copying every attempt.
    func save(_ workflow: consuming WorkflowModel) {
        var wf = consume workflow
        let id = wf.workflowId
        // An ended workflow's message queue goes with it (OSS deletes it when the workflow ends).
        if wf.status.isTerminal && !wf.messages.isEmpty { wf.messages = [] }
        let previous = staged.workflows[id] ?? originals[id] ?? state.workflows[id]
        let match = TaskMatching(wf.tasks, old: previous?.tasks ?? [])
        var changed = staged.changedTasks[id] ?? []
        var removed = staged.removedTasks[id] ?? []
        var tasksChanged = false
        var newTasks: [Int] = [], endedTasks: [Int] = []
        for i in wf.tasks.indices {
            if let j = match.oldIndex[i], previous!.tasks[j] == wf.tasks[i] { continue }
            tasksChanged = true
            if let j = match.oldIndex[i] {
                if wf.tasks[i].status.isTerminal && !previous!.tasks[j].status.isTerminal { endedTasks.append(i) }
            } else {
                newTasks.append(i)
                if wf.tasks[i].status.isTerminal { endedTasks.append(i) }
            }
            if wf.tasks[i].status.isTerminal && wf.tasks[i].endTime == 0 { wf.tasks[i].endTime = now }
            wf.tasks[i].updateTime = now
            changed.insert(wf.tasks[i].taskId)
            removed.remove(wf.tasks[i].taskId)
        }
        if let previous, !match.keepsAll {
            let newIds = Set(wf.tasks.map(\.taskId))
            for t in previous.tasks where !newIds.contains(t.taskId) {
                tasksChanged = true
                removed.insert(t.taskId)
                changed.remove(t.taskId)
            }
        }
        // The row holds the workflow's own fields: rewritten only when one of those changes.
        let rowChanged = previous.map { !Self.sameWorkflowFields($0, wf) } ?? true
        guard rowChanged || tasksChanged else { return }
        staged.counts.count(wf, over: previous, newTasks: newTasks, endedTasks: endedTasks)
        if rowChanged {
            wf.updateTime = now
            if wf.status.isTerminal && wf.endTime == 0 { wf.endTime = now }
            staged.rowChanged.insert(id)
        }
        if staged.workflows[id] == nil && staged.deleted[id] == nil { staged.order.append(id) }
        staged.deleted[id] = nil
        staged.workflows[id] = wf
        staged.changedTasks[id] = changed
        staged.removedTasks[id] = removed
    }

    /// Stages a decision: the workflow, and its effects to carry out in this change.
    func save(_ decision: Decision) {
        save(decision.workflow)
        for effect in decision.effects { staged.followUps.append((decision.workflow.workflowId, effect)) }
    }

    /// Asks for an effect to be carried out in this change (a relaunch after a crash).
    func carryOut(_ effect: Effect, of workflowId: String) { staged.followUps.append((workflowId, effect)) }

    /// Decides a workflow and stages the result.
    func decideAndSave(_ workflow: consuming WorkflowModel) {
        var wf = consume workflow
        let effects = decider.decide(&wf)
        let id = wf.workflowId
        save(consume wf)
        for effect in effects { staged.followUps.append((id, effect)) }
    }

    /// Changes an active workflow, then decides it. A no-op for a workflow not active.
    func update(_ id: String, _ change: (inout WorkflowModel) throws(EngineError) -> Void) throws(EngineError) {
        try step()
        guard var wf = active(id) else { return }
        try change(&wf)
        decideAndSave(consume wf)
    }

    /// Removes a workflow and its tasks from memory and storage.
    func delete(_ wf: WorkflowModel) {
        let id = wf.workflowId
        if staged.workflows[id] == nil && staged.deleted[id] == nil { staged.order.append(id) }
        staged.workflows[id] = nil
        staged.changedTasks[id] = nil
        staged.removedTasks[id] = nil
        staged.rowChanged.remove(id)
        staged.deleted[id] = wf
    }

    func log(_ line: String, taskId: String) { staged.logs.append(TaskExecLog(log: line, taskId: taskId, createdTime: now)) }

    func recordPoll(_ p: PollData) { staged.pollData[EngineState.pollKey(p.queueName, p.domain)] = p }

    func recordHandOut(_ defName: String) { staged.handedOut[defName, default: []].append(now) }

    func touchQueue(_ name: String) { staged.requeued.insert(name) }

    func send(_ call: OutboundCall) { staged.outbound.append(call) }

    func answered(httpTask taskId: String) { staged.httpAnswered.insert(taskId) }

    func decideAgainSoon(_ id: String) { staged.dueNow.insert(id) }

    // MARK: Schedules

    func schedule(_ name: String) -> StoredSchedule? {
        if staged.deletedSchedules.contains(name) { return nil }
        return staged.savedSchedules[name] ?? state.schedules[name]
    }

    /// Every schedule, by name.
    var allSchedules: [StoredSchedule] {
        var all = state.schedules
        for name in staged.deletedSchedules { all[name] = nil }
        for (name, s) in staged.savedSchedules { all[name] = s }
        return all.keys.sorted().map { all[$0]! }
    }

    var isSchedulerPaused: Bool { staged.schedulerPaused ?? state.schedulerPaused }

    func save(_ schedule: StoredSchedule) {
        staged.deletedSchedules.remove(schedule.schedule.name)
        staged.savedSchedules[schedule.schedule.name] = schedule
        staged.redefinedSchedules.insert(schedule.schedule.name)
    }

    /// Saves a fire's new timing (next and last run) of a schedule otherwise unchanged: storage
    /// updates two columns instead of rewriting the schedule.
    func saveRun(_ schedule: StoredSchedule) {
        staged.savedSchedules[schedule.schedule.name] = schedule
    }

    func deleteSchedule(_ name: String) {
        staged.savedSchedules[name] = nil
        staged.deletedSchedules.insert(name)
    }

    func record(_ execution: ScheduleExecution) { staged.scheduleExecutions.append(execution) }

    func setSchedulerPaused(_ paused: Bool) { staged.schedulerPaused = paused }

    /// Pending hand-outs of this change for a task definition (rate limits count them too).
    func stagedHandOuts(_ defName: String) -> Int { staged.handedOut[defName]?.count ?? 0 }

    // MARK: Savepoints

    /// Everything staged so far, to go back to if a part of the command fails on its own (one event
    /// handler's actions, one id of a bulk call) without failing the rest.
    func savepoint() -> Staged { staged }

    func rollback(to point: Staged) { staged = point }

    // MARK: Settling

    /// Carries out the follow-ups staged decisions asked for, and the ones those ask for, until none
    /// is left (bounded: a cycle cannot spin forever).
    func settle() throws(EngineError) {
        var budget = 100_000
        var next = 0
        while next < staged.followUps.count, budget > 0 {
            budget -= 1
            let (workflowId, effect) = staged.followUps[next]
            next += 1
            try step()
            try FollowUps.carryOut(effect, of: workflowId, in: self)
        }
        staged.followUps = []
    }

    /// A fault-injection point: every read, every update of a workflow and every follow-up passes one.
    func step() throws(EngineError) {
        if let faults { try faults.step() }
    }

    private static func sameWorkflowFields(_ a: WorkflowModel, _ b: WorkflowModel) -> Bool {
        var a = a, b = b
        a.tasks = []; b.tasks = []
        return a == b
    }
}

/// Makes a command fail at its n-th step (a storage read, a staged write), to show that a command
/// failing anywhere leaves no trace.
final class FaultInjector: @unchecked Sendable {
    // Used by the one thread running the command under test.
    private var remaining: Int
    private(set) var steps = 0

    init(failAtStep n: Int) { remaining = n }

    func step() throws(EngineError) {
        steps += 1
        remaining -= 1
        if remaining == 0 { throw .storage(message: "injected fault at step \(steps)", retryable: true) }
    }
}
