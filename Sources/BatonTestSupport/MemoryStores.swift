import BatonEngine
import BatonSupport
import Synchronization

/// Executions kept in memory, for engine tests without SQLite: rows replaced as the engine writes
/// them, read back as the SQLite store would (tasks in `seq` order). Writes can be made to fail.
public final class MemoryExecutionStore: ExecutionStore {
    private struct Rows {
        var workflows: [String: WorkflowModel] = [:]
        var tasks: [String: TaskModel] = [:]
        var logs: [TaskExecLog] = []
        var pollData: [String: PollData] = [:]
        var schedules: [String: StoredSchedule] = [:]
        var scheduleExecutions: [ScheduleExecution] = []
        var commits = 0
    }
    private let rows = Mutex(Rows())
    /// When set, every write throws this (and changes nothing).
    public let failWrites = Mutex<EngineError?>(nil)

    public init() {}

    /// Transactions written so far.
    public var commits: Int { rows.withLock { $0.commits } }

    public func write(_ changes: [ExecutionWrite], durable: Bool) throws {
        if let error = failWrites.withLock({ $0 }) { throw error }
        rows.withLock { r in
            for c in changes {
                if c.removesEverything {
                    r.workflows = [:]; r.tasks = [:]; r.logs = []; r.pollData = [:]
                    r.schedules = [:]; r.scheduleExecutions = []
                }
                for s in c.schedules { r.schedules[s.schedule.name] = s }
                for name in c.deletedScheduleNames { r.schedules[name] = nil }
                r.scheduleExecutions += c.scheduleExecutions
                for var wf in c.workflows {
                    wf.tasks = []
                    r.workflows[wf.workflowId] = wf
                }
                for t in c.tasks { r.tasks[t.taskId] = t }
                for id in c.deletedTaskIds { r.tasks[id] = nil }
                for id in c.deletedWorkflowIds {
                    r.workflows[id] = nil
                    r.tasks = r.tasks.filter { $0.value.workflowInstanceId != id }
                }
                r.logs += c.logs
                for p in c.pollData { r.pollData["\(p.domain ?? "")\u{1}\(p.queueName)"] = p }
            }
            r.commits += 1
        }
    }

    private func assembled(_ id: String, _ r: Rows) -> WorkflowModel? {
        guard var wf = r.workflows[id] else { return nil }
        wf.tasks = r.tasks.values.filter { $0.workflowInstanceId == id }.sorted { $0.seq < $1.seq }
        return wf
    }

    private func all() -> [WorkflowModel] {
        rows.withLock { r in r.workflows.keys.compactMap { assembled($0, r) } }.sorted { $0.createTime > $1.createTime }
    }

    public func storedSchedules() throws -> [StoredSchedule] {
        rows.withLock { $0.schedules.values.sorted { $0.schedule.name < $1.schedule.name } }
    }

    /// Schedule names, states and paging only: what the engine's unit tests ask of it.
    public func scheduleExecutions(_ q: ScheduleExecutionQuery) throws -> (total: Int, executions: [ScheduleExecution]) {
        let all = rows.withLock { $0.scheduleExecutions }.filter {
            (q.scheduleNames.isEmpty || q.scheduleNames.contains($0.scheduleName)) && (q.states.isEmpty || q.states.contains($0.state.rawValue))
        }.sorted { $0.scheduledTime > $1.scheduledTime }
        return (all.count, Array(all.dropFirst(q.start).prefix(q.size)))
    }

    public func activeWorkflows() throws -> [WorkflowModel] { all().filter { !$0.status.isTerminal } }
    public func workflow(id: String) throws -> WorkflowModel? { rows.withLock { assembled(id, $0) } }
    public func workflowJSON(id: String, includeTasks: Bool) throws -> [UInt8]? {
        try workflow(id: id).map { JSONWriter.bytes(.object($0.json(includeTasks: includeTasks))) }
    }
    public func task(id: String) throws -> TaskModel? { rows.withLock { $0.tasks[id] } }
    public func taskJSON(id: String) throws -> [UInt8]? { try task(id: id).map { $0.jsonBytes() } }
    public func taskLogs(taskId: String) throws -> [TaskExecLog] { rows.withLock { $0.logs.filter { $0.taskId == taskId } } }
    public func allPollData() throws -> [PollData] { rows.withLock { Array($0.pollData.values) } }
    /// Every workflow, newest first: the engine never searches, and tests that do use SQLite.
    public func searchWorkflows(_ query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) {
        let found = all()
        return (found.count, found)
    }
    /// Every task, newest workflow first (as `searchWorkflows`).
    public func searchTasks(_ query: SearchQuery) throws -> (total: Int, tasks: [TaskModel]) {
        let found = all().flatMap(\.tasks)
        return (found.count, found)
    }
    public func searchWorkflows(byTasks query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) {
        try searchWorkflows(query)
    }
    public func runningWorkflowIds(name: String, version: Int, startTime: Int64?, endTime: Int64?) throws -> [String] {
        all().filter { wf in
            wf.status == .running && wf.workflowName == name && wf.workflowVersion == version
                && startTime.map { wf.createTime >= $0 } ?? true && endTime.map { wf.createTime <= $0 } ?? true
        }.map(\.workflowId)
    }
    public func workflows(name: String, correlationId: String, includeClosed: Bool) throws -> [WorkflowModel] {
        all().filter { $0.workflowName == name && $0.correlationId == correlationId && (includeClosed || !$0.status.isTerminal) }
    }
    public func taskJSONs(workflowId: String, statuses: [String]) throws -> [[UInt8]] {
        (try workflow(id: workflowId)?.tasks ?? []).filter { statuses.isEmpty || statuses.contains($0.status.rawValue) }.map { $0.jsonBytes() }
    }
}

/// Definitions kept in memory.
public final class MemoryMetadataStore: MetadataStore {
    private struct Defs {
        var tasks: [String: TaskDef] = [:]
        var workflows: [String: [Int: WorkflowDef]] = [:]
    }
    private let defs = Mutex(Defs())
    private let generations = Atomic<UInt64>(0)

    public init() {}

    public var generation: UInt64 { generations.load(ordering: .acquiring) }
    private func changed() { generations.add(1, ordering: .releasing) }

    public func taskDef(named name: String) throws -> TaskDef? { defs.withLock { $0.tasks[name] } }
    public func allTaskDefs() throws -> [TaskDef] { defs.withLock { $0.tasks.values.sorted { $0.name < $1.name } } }
    public func saveTaskDefs(_ list: [TaskDef]) throws {
        defs.withLock { d in for t in list { d.tasks[t.name] = t } }
        changed()
    }
    public func deleteTaskDef(named name: String) throws -> Bool {
        defer { changed() }
        return defs.withLock { $0.tasks.removeValue(forKey: name) != nil }
    }
    public func workflowDef(name: String, version: Int?) throws -> WorkflowDef? {
        defs.withLock { d in
            guard let versions = d.workflows[name] else { return nil }
            if let version { return versions[version] }
            return versions.max { $0.key < $1.key }?.value
        }
    }
    public func allWorkflowDefs() throws -> [WorkflowDef] {
        defs.withLock { d in d.workflows.values.flatMap(\.values) }.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }
    public func latestWorkflowDefs() throws -> [WorkflowDef] {
        try allWorkflowDefs().reduce(into: [String: WorkflowDef]()) { $0[$1.name] = $1 }.values.sorted { $0.name < $1.name }
    }
    public func createWorkflowDef(_ def: WorkflowDef) throws {
        try defs.withLock { d throws(EngineError) in
            if d.workflows[def.name]?[def.version] != nil { throw .workflowDefExists(name: def.name, version: def.version) }
            d.workflows[def.name, default: [:]][def.version] = def
        }
        changed()
    }
    public func saveWorkflowDefs(_ list: [WorkflowDef]) throws {
        defs.withLock { d in for w in list { d.workflows[w.name, default: [:]][w.version] = w } }
        changed()
    }
    public func deleteWorkflowDef(name: String, version: Int) throws -> Bool {
        defer { changed() }
        return defs.withLock { $0.workflows[name]?.removeValue(forKey: version) != nil }
    }
}

/// Ids `prefix1`, `prefix2`, … so expectations can name them.
public final class NumberedIDs: IDSource {
    private let counter = Atomic<Int>(0)
    private let prefix: String
    public init(prefix: String = "id") { self.prefix = prefix }
    public func next() -> String { "\(prefix)\(counter.add(1, ordering: .relaxed).newValue)" }
    public func restart() { counter.store(0, ordering: .relaxed) }
}
