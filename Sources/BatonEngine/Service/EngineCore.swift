import BatonSupport
import Foundation

/// The engine's working state: every active (RUNNING or PAUSED) workflow with its tasks, the task
/// queues, timers and poll data. Only the engine thread touches it (`ExecutionEngine`), one batch of
/// commands at a time; each batch's changes are written in one transaction before anyone is answered.
final class EngineCore {
    let store: any ExecutionStore
    let metadata: any MetadataStore
    let clock: any Clock
    let log = Logger(label: "baton.engine")
    /// The time of the batch being run; every command in it sees the same "now".
    var now: Int64 = 0

    private(set) var workflows: [String: WorkflowModel] = [:]
    private var taskOwner: [String: String] = [:]
    var queues: [String: TaskQueue] = [:]
    private var queueSeq: UInt64 = 0
    /// IN_PROGRESS worker tasks per task definition name (for `concurrentExecLimit`).
    var inProgressCount: [String: Int] = [:]
    /// Hand-out times per task definition name inside the current rate window.
    var dispatchTimes: [String: [Int64]] = [:]
    private var dueAt: [String: Int64] = [:]
    private var dueHeap = Heap<(Int64, String)> { $0.0 < $1.0 }
    private var visibilityHeap = Heap<(Int64, String)> { $0.0 < $1.0 }
    var pollData: [String: PollData] = [:]

    // The current batch.
    /// The latest state of every workflow this batch changed (what execute waiters see).
    private var pendingWorkflows: [String: WorkflowModel] = [:]
    /// Workflows whose own row must be rewritten; a task-only change (a poll) leaves the row alone.
    private var dirtyWorkflowRows: Set<String> = []
    private var pendingTasks: [String: TaskModel] = [:]
    private var deletedTaskIds: Set<String> = []
    private var deletedWorkflowIds: Set<String> = []
    var pendingLogs: [TaskExecLog] = []
    /// Cross-workflow work found by saves, run before the command returns.
    var followUps: [FollowUp] = []
    /// Hands an HTTP task's call to a sender off the engine thread (set by `ExecutionEngine`).
    var dispatchHTTP: ((HTTPCall, String, String) -> Void)?
    /// This server's name, as the `workerId` of the HTTP tasks it runs.
    let serverId = ProcessInfo.processInfo.hostName
    /// HTTP tasks whose call is out.
    var inFlightHTTP: Set<String> = []
    var pendingPollData: [String: PollData] = [:]
    /// Queues that gained a visible task: their long-pollers are woken once the batch has run (their
    /// poll runs in a later batch, so it is answered after this batch is committed).
    private(set) var touchedQueues: Set<String> = []
    /// Workflows written in this batch, as they will be committed (for execute waiters).
    private(set) var committedWorkflows: [String: WorkflowModel] = [:]
    /// Workflows that left memory (ended or deleted: nil) in batches whose commit is still under way,
    /// by id, with the batch number.
    private var uncommitted: [String: (seq: UInt64, workflow: WorkflowModel?)] = [:]

    let events: (any EventHandlerStore)?

    init(store: any ExecutionStore, metadata: any MetadataStore, clock: any Clock, events: (any EventHandlerStore)? = nil) {
        self.store = store
        self.metadata = metadata
        self.clock = clock
        self.events = events
    }

    // MARK: Loading

    /// Rebuilds everything from storage: at start, and after a failed commit.
    func rebuild() throws {
        now = clock.now
        workflows = [:]; taskOwner = [:]; queues = [:]; inProgressCount = [:]; dispatchTimes = [:]
        dueAt = [:]; dueHeap = Heap { $0.0 < $1.0 }; visibilityHeap = Heap { $0.0 < $1.0 }
        resetBatch()
        followUps = []
        uncommitted = [:]
        for wf in try store.activeWorkflows() {
            register(wf, old: nil)
            // Children and independent workflows a crash kept from starting start now.
            // An HTTP call in flight when the process died is sent again (at least once).
            if wf.tasks.contains(where: { ($0.status == .scheduled && Self.launchedTypes.contains($0.taskType))
                || ($0.taskType == "HTTP" && $0.status == .inProgress && $0.outputData["response"] == nil) }) {
                followUps.append(.launch(wf.workflowId))
            }
        }
        pollData = [:]
        for p in try store.allPollData() { pollData[Self.pollKey(p.queueName, p.domain)] = p }
        touchedQueues = Set(queues.keys)
    }

    func resetBatch() {
        pendingWorkflows = [:]; dirtyWorkflowRows = []; pendingTasks = [:]; deletedTaskIds = []; deletedWorkflowIds = []
        pendingLogs = []; pendingPollData = [:]; touchedQueues = []; committedWorkflows = [:]
    }

    var hasPendingWrites: Bool {
        !pendingWorkflows.isEmpty || !pendingTasks.isEmpty || !deletedTaskIds.isEmpty || !deletedWorkflowIds.isEmpty
            || !pendingLogs.isEmpty || !pendingPollData.isEmpty
    }

    /// Hands over what the batch changed, as one write for the committer (nil when nothing changed).
    /// Ended and deleted workflows stay readable from memory under `seq` until that write is committed:
    /// storage does not have them yet, and a later batch may look them up.
    func takeWrite(seq: UInt64) -> ExecutionWrite? {
        committedWorkflows = pendingWorkflows
        guard hasPendingWrites else { return nil }
        var w = ExecutionWrite()
        w.workflows = dirtyWorkflowRows.compactMap { pendingWorkflows[$0] }
        w.tasks = pendingTasks.values.filter { !deletedTaskIds.contains($0.taskId) }
        w.deletedTaskIds = Array(deletedTaskIds)
        w.deletedWorkflowIds = Array(deletedWorkflowIds)
        w.logs = pendingLogs
        w.pollData = Array(pendingPollData.values)
        w.encodeRows()
        for (id, wf) in pendingWorkflows where workflows[id] == nil { uncommitted[id] = (seq, wf) }
        for id in deletedWorkflowIds { uncommitted[id] = (seq, nil) }
        return w
    }

    /// Forgets the in-memory copies of writes that storage now has.
    func forgetUncommitted(upTo seq: UInt64) {
        guard !uncommitted.isEmpty else { return }
        uncommitted = uncommitted.filter { $0.value.seq > seq }
    }

    // MARK: Lookups

    /// An active workflow from memory, else any workflow from storage.
    func workflow(_ id: String) throws -> WorkflowModel? {
        if let wf = workflows[id] { return wf }
        if let wf = pendingWorkflows[id] { return wf }
        if deletedWorkflowIds.contains(id) { return nil }
        if let (_, wf) = uncommitted[id] { return wf }
        return try store.workflow(id: id)
    }

    /// Whether a task of a workflow that left memory is still on its way to storage.
    func uncommittedTaskExists(_ taskId: String) -> Bool {
        uncommitted.values.contains { $0.workflow?.tasks.contains { $0.taskId == taskId } ?? false }
    }

    func activeWorkflowId(ofTask taskId: String) -> String? { taskOwner[taskId] }

    func pendingTaskExists(_ taskId: String) -> Bool { pendingTasks[taskId] != nil }

    var activeWorkflowIds: [String] { Array(workflows.keys) }

    // MARK: Saving

    /// Records a workflow's new state: task rows that changed, queue membership, counters and timers.
    /// `old` is the state it replaces (nil for a new workflow).
    func save(_ workflow: WorkflowModel, old: WorkflowModel?) {
        var wf = workflow
        // Positions, not copies: copying every task of a wide workflow on each save dominated the cost.
        var oldIndex: [String: Int] = [:]
        if let old { for j in old.tasks.indices { oldIndex[old.tasks[j].taskId] = j } }
        var tasksChanged = false
        var changedIds: Set<String> = []
        for i in wf.tasks.indices {
            if let j = oldIndex[wf.tasks[i].taskId], old!.tasks[j] == wf.tasks[i] { continue }
            tasksChanged = true
            changedIds.insert(wf.tasks[i].taskId)
            if wf.tasks[i].status.isTerminal && wf.tasks[i].endTime == 0 { wf.tasks[i].endTime = now }
            wf.tasks[i].updateTime = now
            pendingTasks[wf.tasks[i].taskId] = wf.tasks[i]
            deletedTaskIds.remove(wf.tasks[i].taskId)
        }
        if let old, !old.tasks.isEmpty {
            let newIds = Set(wf.tasks.map(\.taskId))
            for t in old.tasks where !newIds.contains(t.taskId) {
                tasksChanged = true
                deletedTaskIds.insert(t.taskId)
                pendingTasks[t.taskId] = nil
            }
        }
        // The row holds the workflow's own fields (and its whole definition, large for wide forks):
        // it is rewritten only when one of those changes, not for every task update.
        let rowChanged = old.map { !Self.sameWorkflowFields($0, wf) } ?? true
        guard rowChanged || tasksChanged else { return }
        if rowChanged {
            wf.updateTime = now
            if wf.status.isTerminal && wf.endTime == 0 { wf.endTime = now }
            dirtyWorkflowRows.insert(wf.workflowId)
        }
        pendingWorkflows[wf.workflowId] = wf
        register(wf, old: old, changed: changedIds)
        noteFollowUps(wf, old: old)
    }

    /// A workflow written earlier in this batch (it may have ended and left memory).
    func pendingWorkflowsSnapshot(_ id: String) -> WorkflowModel? { pendingWorkflows[id] }

    /// Replaces the pending row of an ended workflow (adding output after it ended).
    func rewriteEnded(_ wf: WorkflowModel) {
        if let old = workflows[wf.workflowId] {
            save(wf, old: old)
        } else {
            pendingWorkflows[wf.workflowId] = wf
            dirtyWorkflowRows.insert(wf.workflowId)
        }
    }

    private static func sameWorkflowFields(_ a: WorkflowModel, _ b: WorkflowModel) -> Bool {
        var a = a, b = b
        a.tasks = []; b.tasks = []
        return a == b
    }

    /// Removes a workflow and its tasks from storage and memory.
    func delete(_ wf: WorkflowModel) {
        unregister(wf)
        deletedWorkflowIds.insert(wf.workflowId)
        pendingWorkflows[wf.workflowId] = nil
        dirtyWorkflowRows.remove(wf.workflowId)
        for t in wf.tasks { pendingTasks[t.taskId] = nil }
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

    /// Brings memory in line with a workflow's state (active ones stay, ended ones go).
    /// `changed`: the tasks that differ from `old` (nil: treat every task as new).
    private func register(_ wf: WorkflowModel, old: WorkflowModel?, changed: Set<String>? = nil) {
        // Only an active workflow's tasks are in queues and counters; an ended one's were taken out.
        let oldActive = old.map { !$0.status.isTerminal } ?? false
        var oldIndex: [String: Int] = [:]
        if oldActive, let old { for j in old.tasks.indices { oldIndex[old.tasks[j].taskId] = j } }
        let active = !wf.status.isTerminal
        // Active before and after with a known change set: only the changed tasks need looking at.
        let candidates: [Int]
        if oldActive, active, let changed {
            candidates = wf.tasks.indices.filter { changed.contains(wf.tasks[$0].taskId) }
        } else {
            candidates = Array(wf.tasks.indices)
        }
        for k in candidates {
            let t = wf.tasks[k]
            let j = oldIndex[t.taskId]
            if let j, active, changed == nil, old!.tasks[j] == t { continue }
            if let j { leaveQueue(old!.tasks[j]); count(old!.tasks[j], delta: -1) }
            if active {
                taskOwner[t.taskId] = wf.workflowId
                joinQueue(t)
                count(t, delta: 1)
            } else {
                taskOwner[t.taskId] = nil
            }
        }
        if oldActive, let old {
            let newIds = Set(wf.tasks.map(\.taskId))
            for t in old.tasks where !newIds.contains(t.taskId) {
                taskOwner[t.taskId] = nil
                leaveQueue(t)
                count(t, delta: -1)
            }
        }
        if active {
            workflows[wf.workflowId] = wf
            scheduleDecide(wf)
        } else {
            workflows[wf.workflowId] = nil
            dueAt[wf.workflowId] = nil
        }
    }

    private func isQueued(_ t: TaskModel) -> Bool { t.status == .scheduled && !t.isSystemTask && !t.retried }

    private func joinQueue(_ t: TaskModel) {
        guard isQueued(t) else { return }
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
        let name = QueueNames.name(of: t)
        queues[name]?.remove(taskId: t.taskId)
    }

    private func count(_ t: TaskModel, delta: Int) {
        guard t.status == .inProgress && !t.isSystemTask else { return }
        inProgressCount[t.taskDefName, default: 0] += delta
    }

    // MARK: Timers

    private func scheduleDecide(_ wf: WorkflowModel) {
        let due = Decider(now: now).nextDueTime(wf)
        guard dueAt[wf.workflowId] != due else { return }
        dueAt[wf.workflowId] = due
        if let due { dueHeap.push((due, wf.workflowId)) }
    }

    /// The earliest instant some timer wants the engine.
    var nextWakeUp: Int64? {
        let a = dueHeap.first?.0
        let b = visibilityHeap.first?.0
        switch (a, b) {
        case let (x?, y?): return min(x, y)
        default: return a ?? b
        }
    }

    /// Workflows whose timers have come due (each once), and wakes pollers of queues whose delayed
    /// tasks became visible.
    func takeDueWork() -> [String] {
        while let (t, queue) = visibilityHeap.first, t <= now {
            visibilityHeap.popFirst()
            touchedQueues.insert(queue)
        }
        var due: [String] = []
        while let (t, id) = dueHeap.first, t <= now {
            dueHeap.popFirst()
            if dueAt[id] == t {
                dueAt[id] = nil
                due.append(id)
            }
        }
        return due
    }

    func markQueueTouched(_ name: String) { touchedQueues.insert(name) }
    func nextQueueSeq() -> UInt64 { queueSeq += 1; return queueSeq }

    static func pollKey(_ queue: String, _ domain: String?) -> String { "\(domain ?? "")\u{1}\(queue)" }
}
