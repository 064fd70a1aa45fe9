import BatonSupport

/// The engine's memory: every active (RUNNING or PAUSED) workflow with its tasks, the task queues,
/// timers, poll records and throttling counters, plus the rows the current batch will write. Commands
/// never change it: they stage a `ChangeSet`, and `apply` brings the state in line with it. Only the
/// thread running batches touches it (`BatchLoop`).
final class EngineState {
    /// The time of the batch being run; every command in it sees the same "now".
    var now: Int64 = 0

    private(set) var workflows: [String: WorkflowModel] = [:]
    private var taskOwner: [String: String] = [:]
    private(set) var queues: [String: TaskQueue] = [:]
    private var queueSeq: UInt64 = 0
    /// IN_PROGRESS worker tasks per task definition name (for `concurrentExecLimit`).
    private(set) var inProgressCount: [String: Int] = [:]
    /// Hand-out times per task definition name inside the current rate window.
    private(set) var dispatchTimes: [String: [Int64]] = [:]
    private var dueAt: [String: Int64] = [:]
    private var dueHeap = Heap<(Int64, String)> { $0.0 < $1.0 }
    private var visibilityHeap = Heap<(Int64, String)> { $0.0 < $1.0 }
    private(set) var pollData: [String: PollData] = [:]
    /// HTTP tasks whose call is out (not sent again on a later decide).
    var inFlightHTTP: Set<String> = []
    /// Every workflow schedule with its firing state, and one timer structure for all of them: the
    /// heap holds (next run, name); an entry whose time no longer matches the schedule is stale.
    private(set) var schedules: [String: StoredSchedule] = [:]
    private var scheduleHeap = Heap<(Int64, String)> { $0.0 < $1.0 }
    /// `GET /api/scheduler/admin/pause`: no schedule fires until resumed (in memory, as OSS).
    private(set) var schedulerPaused = false
    /// Since start-up; a reset leaves them (a counter only grows).
    private(set) var counts = ExecutionCounts()

    // The current batch.
    private(set) var batch = BatchWrites()
    /// Queues that gained a visible task: their long-pollers are woken once the batch has run.
    private(set) var touchedQueues: Set<String> = []
    /// Calls to send once the batch has run.
    private(set) var outbox: [OutboundCall] = []
    /// Workflows that left memory (ended or deleted: nil) in batches whose commit is still under way,
    /// by id, with the batch number: storage does not have them yet.
    private var uncommitted: [String: (seq: UInt64, workflow: WorkflowModel?)] = [:]

    // MARK: Loading

    /// Rebuilds everything from storage (at start, and after a failed commit). Returns the launches a
    /// crash interrupted: children and independent workflows not yet started, HTTP calls that were out
    /// (sent again: at least once).
    func rebuild(from store: any ExecutionStore, now: Int64) throws -> [(workflowId: String, effect: Effect)] {
        self.now = now
        workflows = [:]; taskOwner = [:]; queues = [:]; inProgressCount = [:]; dispatchTimes = [:]
        dueAt = [:]; dueHeap = Heap { $0.0 < $1.0 }; visibilityHeap = Heap { $0.0 < $1.0 }
        inFlightHTTP = []
        uncommitted = [:]
        resetBatch()
        var interrupted: [(String, Effect)] = []
        for wf in try store.activeWorkflows() {
            register(wf, old: nil, changed: nil)
            for t in wf.tasks {
                if t.status == .scheduled, let launch = t.behavior.launch(t) { interrupted.append((wf.workflowId, launch)) }
                if let resend = t.behavior.resend(t) { interrupted.append((wf.workflowId, resend)) }
            }
        }
        schedules = [:]; scheduleHeap = Heap { $0.0 < $1.0 }
        for s in try store.storedSchedules() { setSchedule(s) }
        pollData = [:]
        for p in try store.allPollData() { pollData[Self.pollKey(p.queueName, p.domain)] = p }
        touchedQueues = Set(queues.keys)
        return interrupted
    }

    func resetBatch() {
        batch = BatchWrites()
        touchedQueues = []
        outbox = []
    }

    // MARK: Lookups

    /// An active workflow, or one that ended or was deleted (nil) in a batch storage does not have yet.
    /// `.none` means "ask storage".
    func memoryWorkflow(_ id: String) -> WorkflowModel?? {
        if let wf = workflows[id] { return .some(wf) }
        if let wf = batch.workflows[id] { return .some(wf) }
        if batch.deletedWorkflowIds.contains(id) { return .some(nil) }
        if let (_, wf) = uncommitted[id] { return .some(wf) }
        return .none
    }

    func activeWorkflowId(ofTask taskId: String) -> String? { taskOwner[taskId] }

    /// Whether a task of a workflow not in storage yet exists (written this batch, or uncommitted).
    func unstoredTaskExists(_ taskId: String) -> Bool {
        if batch.tasks[taskId] != nil { return true }
        return uncommitted.values.contains { $0.workflow?.tasks.contains { $0.taskId == taskId } ?? false }
    }

    var activeWorkflowIds: [String] { Array(workflows.keys) }

    func queueSize(_ name: String) -> Int { queues[name]?.count ?? 0 }

    /// Up to `limit` visible task ids of a queue, in hand-out order, that `accept` takes.
    func selectTasks(inQueue name: String, limit: Int, accept: (String) -> Bool) -> [String] {
        guard queues[name]?.count ?? 0 > 0 else { return [] }
        // In place: a copy of a big queue per poll would cost O(queue length). Membership is unchanged.
        return queues[name]!.select(limit: limit, now: now, accept: accept)
    }

    /// Hand-outs of a task definition inside the last `window` milliseconds.
    func recentHandOuts(_ defName: String, window: Int64) -> Int {
        dispatchTimes[defName]?.reduce(0) { $1 > now - window ? $0 + 1 : $0 } ?? 0
    }

    static func pollKey(_ queue: String, _ domain: String?) -> String { "\(domain ?? "")\u{1}\(queue)" }

    /// The last poll of a queue named `[domain:]type`.
    func lastPollTime(queue: String) -> Int64? {
        let parts = queue.split(separator: ":", maxSplits: 1).map(String.init)
        let key = parts.count == 2 ? Self.pollKey(parts[1], parts[0]) : Self.pollKey(queue, nil)
        return pollData[key]?.lastPollTime
    }

    // MARK: Applying a change

    /// Brings memory in line with a command's staged changes and adds its rows to the batch.
    func apply(_ changes: ChangeSet) {
        let staged = changes.staged
        if staged.removesEverything { removeEverything() }
        for id in staged.order {
            if let wf = staged.workflows[id] {
                let old = workflows[id]
                register(wf, old: old, changed: old == nil ? nil : staged.changedTasks[id] ?? [])
                batch.record(wf, rowChanged: staged.rowChanged.contains(id), changedTasks: staged.changedTasks[id] ?? [],
                             removedTasks: staged.removedTasks[id] ?? [])
            } else if let gone = staged.deleted[id] {
                if let active = workflows[id] { unregister(active) } else { dueAt[id] = nil }
                batch.delete(gone)
            }
        }
        for id in staged.dueNow { setDue(id, at: now) }
        batch.logs += staged.logs
        for (key, p) in staged.pollData {
            pollData[key] = p
            batch.pollData[key] = p
        }
        for name in staged.deletedSchedules {
            schedules[name] = nil
            batch.schedules[name] = nil
            batch.deletedScheduleNames.insert(name)
        }
        for (name, s) in staged.savedSchedules {
            setSchedule(s)
            batch.schedules[name] = s
            if staged.redefinedSchedules.contains(name) || batch.deletedScheduleNames.contains(name) { batch.redefinedSchedules.insert(name) }
            batch.deletedScheduleNames.remove(name)
        }
        batch.scheduleExecutions += staged.scheduleExecutions
        if let paused = staged.schedulerPaused { schedulerPaused = paused }
        counts.merge(staged.counts)
        for (defName, times) in staged.handedOut {
            var all = dispatchTimes[defName, default: []]
            // Only the longest rate window matters; a minute covers every definition in practice.
            all.removeAll { $0 <= now - 3_600_000 }
            dispatchTimes[defName] = all + times
        }
        for name in staged.requeued { touchedQueues.insert(name) }
        outbox += staged.outbound
        for call in staged.outbound { if case .http(_, let taskId, _) = call { inFlightHTTP.insert(taskId) } }
        for taskId in staged.httpAnswered { inFlightHTTP.remove(taskId) }
    }

    /// Forgets every execution. Rows earlier commands of this batch staged are dropped too: the batch's
    /// write now removes every stored row first, so they would not outlive it anyway.
    private func removeEverything() {
        workflows = [:]; taskOwner = [:]; queues = [:]; inProgressCount = [:]; dispatchTimes = [:]
        dueAt = [:]; dueHeap = Heap { $0.0 < $1.0 }; visibilityHeap = Heap { $0.0 < $1.0 }
        pollData = [:]
        inFlightHTTP = []
        uncommitted = [:]
        schedules = [:]; scheduleHeap = Heap { $0.0 < $1.0 }
        batch = BatchWrites()
        batch.removesEverything = true
    }

    // MARK: Handing the batch over

    /// What the batch changed, as one write for the committer (nil when nothing changed). Ended and
    /// deleted workflows stay readable from memory under `seq` until that write is committed.
    func takeWrite(seq: UInt64) -> ExecutionWrite? {
        guard !batch.isEmpty else { return nil }
        var w = ExecutionWrite()
        w.workflows = batch.dirtyRows.compactMap { batch.workflows[$0] }
        w.tasks = batch.tasks.values.filter { !batch.deletedTaskIds.contains($0.taskId) }
        w.deletedTaskIds = Array(batch.deletedTaskIds)
        w.deletedWorkflowIds = Array(batch.deletedWorkflowIds)
        w.logs = batch.logs
        w.pollData = Array(batch.pollData.values)
        w.schedules = batch.schedules.keys.sorted().map { batch.schedules[$0]! }
        w.timingOnlyScheduleNames = Set(batch.schedules.keys).subtracting(batch.redefinedSchedules)
        w.deletedScheduleNames = batch.deletedScheduleNames.sorted()
        w.scheduleExecutions = batch.scheduleExecutions
        w.removesEverything = batch.removesEverything
        w.encodeRows()
        for (id, wf) in batch.workflows where workflows[id] == nil { uncommitted[id] = (seq, wf) }
        for id in batch.deletedWorkflowIds { uncommitted[id] = (seq, nil) }
        return w
    }

    /// Forgets the in-memory copies of writes that storage now has.
    func forgetUncommitted(upTo seq: UInt64) {
        guard !uncommitted.isEmpty else { return }
        uncommitted = uncommitted.filter { $0.value.seq > seq }
    }

    // MARK: Registration

    /// Active workflows stay with their tasks in queues and counters; ended ones leave memory.
    /// `changed`: the tasks that differ from `old` (nil: treat every task as new).
    private func register(_ wf: WorkflowModel, old: WorkflowModel?, changed: Set<String>?) {
        let active = !wf.status.isTerminal
        let match = TaskMatching(wf.tasks, old: old?.tasks ?? [])
        // Active before and after with a known change set: only the changed tasks need looking at.
        let candidates: [Int]
        if old != nil, active, let changed {
            candidates = wf.tasks.indices.filter { changed.contains(wf.tasks[$0].taskId) }
        } else {
            candidates = Array(wf.tasks.indices)
        }
        for k in candidates {
            let t = wf.tasks[k]
            if let j = match.oldIndex[k] {
                leaveQueue(old!.tasks[j])
                count(old!.tasks[j], delta: -1)
            }
            if active {
                taskOwner[t.taskId] = wf.workflowId
                joinQueue(t)
                count(t, delta: 1)
            } else {
                taskOwner[t.taskId] = nil
            }
        }
        if let old, !match.keepsAll {
            let newIds = Set(wf.tasks.map(\.taskId))
            for t in old.tasks where !newIds.contains(t.taskId) {
                taskOwner[t.taskId] = nil
                leaveQueue(t)
                count(t, delta: -1)
            }
        }
        if active {
            workflows[wf.workflowId] = wf
            setDue(wf.workflowId, at: Timeouts.nextDueTime(wf))
        } else {
            workflows[wf.workflowId] = nil
            dueAt[wf.workflowId] = nil
        }
    }

    private func unregister(_ wf: WorkflowModel) {
        for t in wf.tasks {
            taskOwner[t.taskId] = nil
            leaveQueue(t)
            count(t, delta: -1)
        }
        workflows[wf.workflowId] = nil
        dueAt[wf.workflowId] = nil
    }

    static func isQueued(_ t: TaskModel) -> Bool { t.status == .scheduled && !t.isSystemTask && !t.retried }

    private func joinQueue(_ t: TaskModel) {
        guard Self.isQueued(t) else { return }
        let name = QueueNames.name(of: t)
        queueSeq += 1
        queues[name, default: TaskQueue()].push(taskId: t.taskId, priority: t.workflowPriority, visibleAt: t.visibleAt, seq: queueSeq, now: now)
        if t.visibleAt <= now {
            touchedQueues.insert(name)
        } else {
            visibilityHeap.push((t.visibleAt, name))
        }
    }

    private func leaveQueue(_ t: TaskModel) {
        queues[QueueNames.name(of: t)]?.remove(taskId: t.taskId)
    }

    private func count(_ t: TaskModel, delta: Int) {
        guard t.status == .inProgress && !t.isSystemTask else { return }
        inProgressCount[t.taskDefName, default: 0] += delta
    }

    // MARK: Timers

    private func setDue(_ id: String, at due: Int64?) {
        guard dueAt[id] != due else { return }
        dueAt[id] = due
        if let due { dueHeap.push((due, id)) }
    }

    /// The earliest instant some timer wants the engine.
    var nextWakeUp: Int64? {
        let times = [dueHeap.first?.0, visibilityHeap.first?.0, schedulerPaused ? nil : scheduleHeap.first?.0].compactMap { $0 }
        return times.min()
    }

    /// Every saved schedule has a heap entry at its next run.
    private func setSchedule(_ s: StoredSchedule) {
        schedules[s.schedule.name] = s
        if let next = s.nextRunTime, !s.schedule.paused { scheduleHeap.push((next, s.schedule.name)) }
    }

    /// Schedules whose next run has come (each once, at most `limit`), in due order. A schedule
    /// behind by many fires (catch-up after downtime) fires one per batch, so it cannot starve the rest.
    func takeDueSchedules(limit: Int) -> [String] {
        guard !schedulerPaused else { return [] }
        var due: [String] = []
        var seen: Set<String> = []
        while due.count < limit, let (t, name) = scheduleHeap.first, t <= now {
            scheduleHeap.popFirst()
            // The heap only says when to look: an entry left from an earlier next run finds the
            // schedule not due (or due anyway, never early), and the fire itself checks again.
            guard let s = schedules[name], let next = s.nextRunTime, next <= now, !s.schedule.paused, seen.insert(name).inserted else { continue }
            due.append(name)
        }
        return due
    }

    /// Looks at a schedule again at `time` (its fire failed underneath: storage trouble).
    func retrySchedule(_ name: String, at time: Int64) {
        guard schedules[name]?.nextRunTime != nil else { return }
        scheduleHeap.push((time, name))
    }

    /// Workflows whose timers have come due (each once), in due order; wakes pollers of queues whose
    /// delayed tasks became visible. `fired` counts both (what a manual clock's advance reports).
    func takeDueWork(fired: inout Int) -> [String] {
        while let (t, queue) = visibilityHeap.first, t <= now {
            visibilityHeap.popFirst()
            touchedQueues.insert(queue)
            fired += 1
        }
        var due: [String] = []
        while let (t, id) = dueHeap.first, t <= now {
            dueHeap.popFirst()
            if dueAt[id] == t {
                dueAt[id] = nil
                due.append(id)
            }
        }
        fired += due.count
        return due
    }
}

/// The rows one batch writes, gathered command by command.
struct BatchWrites {
    /// The latest state of every workflow the batch changed (what execute waiters see).
    var workflows: [String: WorkflowModel] = [:]
    /// Workflows whose own row must be rewritten; a task-only change (a poll) leaves the row alone.
    var dirtyRows: Set<String> = []
    var tasks: [String: TaskModel] = [:]
    var deletedTaskIds: Set<String> = []
    var deletedWorkflowIds: Set<String> = []
    var logs: [TaskExecLog] = []
    var pollData: [String: PollData] = [:]
    var schedules: [String: StoredSchedule] = [:]
    /// Schedules of `schedules` whose definition changed in this batch (the others only fired).
    var redefinedSchedules: Set<String> = []
    var deletedScheduleNames: Set<String> = []
    var scheduleExecutions: [ScheduleExecution] = []
    var removesEverything = false

    var isEmpty: Bool {
        !removesEverything && workflows.isEmpty && tasks.isEmpty && deletedTaskIds.isEmpty && deletedWorkflowIds.isEmpty && logs.isEmpty && pollData.isEmpty
            && schedules.isEmpty && deletedScheduleNames.isEmpty && scheduleExecutions.isEmpty
    }

    mutating func record(_ wf: WorkflowModel, rowChanged: Bool, changedTasks: Set<String>, removedTasks: Set<String>) {
        workflows[wf.workflowId] = wf
        deletedWorkflowIds.remove(wf.workflowId)
        if rowChanged { dirtyRows.insert(wf.workflowId) }
        if !changedTasks.isEmpty {
            for t in wf.tasks where changedTasks.contains(t.taskId) {
                tasks[t.taskId] = t
                deletedTaskIds.remove(t.taskId)
            }
        }
        for id in removedTasks {
            tasks[id] = nil
            deletedTaskIds.insert(id)
        }
    }

    mutating func delete(_ wf: WorkflowModel) {
        deletedWorkflowIds.insert(wf.workflowId)
        workflows[wf.workflowId] = nil
        dirtyRows.remove(wf.workflowId)
        for t in wf.tasks { tasks[t.taskId] = nil }
    }
}

/// A call the engine makes outside itself once a batch has run.
enum OutboundCall {
    /// An HTTP task's request (workflow id, task id, the request).
    case http(workflowId: String, taskId: String, HTTPCall)
}
