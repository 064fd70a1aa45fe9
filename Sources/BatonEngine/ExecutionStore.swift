import BatonSupport

/// Everything one engine batch changed, written in one transaction.
public struct ExecutionWrite: Sendable {
    /// Workflow rows to insert or replace (their `tasks` are ignored here).
    public var workflows: [WorkflowModel] = []
    /// Task rows to insert or replace.
    public var tasks: [TaskModel] = []
    public var deletedTaskIds: [String] = []
    public var deletedWorkflowIds: [String] = []
    public var logs: [TaskExecLog] = []
    public var pollData: [PollData] = []
    /// Schedules saved (with their firing state) and removed, and the records of fires made.
    public var schedules: [StoredSchedule] = []
    /// Schedules of `schedules` that only fired: their row keeps its definition, new times only.
    public var timingOnlyScheduleNames: Set<String> = []
    public var deletedScheduleNames: [String] = []
    public var scheduleExecutions: [ScheduleExecution] = []
    /// Every stored execution (workflows, tasks, logs, poll data, messages, schedules and their fires) goes first, before the
    /// rows above are written: a reset (`POST /api/admin/reset`).
    public var removesEverything = false
    /// Row JSON made ahead of the commit by `encodeRows()`.
    private var encoded: (workflows: [StoredRow], tasks: [StoredRow])?

    public init() {}

    /// Encodes the rows now (on the engine's side, so the commit thread only writes). Call it last:
    /// later changes to `workflows` or `tasks` would not be seen.
    public mutating func encodeRows() { encoded = rows() }

    /// The stored rows of `workflows` and `tasks` (`storedRow()`), in the same order.
    public func rows() -> (workflows: [StoredRow], tasks: [StoredRow]) {
        encoded ?? (workflows.map { $0.storedRow() }, tasks.map { $0.storedRow() })
    }

    public var isEmpty: Bool {
        !removesEverything && workflows.isEmpty && tasks.isEmpty && deletedTaskIds.isEmpty && deletedWorkflowIds.isEmpty && logs.isEmpty && pollData.isEmpty
            && schedules.isEmpty && deletedScheduleNames.isEmpty && scheduleExecutions.isEmpty
    }
}

/// What the engine needs from storage for executions. BatonStore implements it on SQLite.
public protocol ExecutionStore: Sendable {
    /// Applies the changes in order, all in one transaction (several engine batches share a commit).
    /// `durable: false` may return before the changes are on disk (they still survive a process crash).
    func write(_ changes: [ExecutionWrite], durable: Bool) throws
    /// RUNNING and PAUSED workflows with their tasks: what the engine holds in memory.
    func activeWorkflows() throws -> [WorkflowModel]
    /// A workflow with its tasks, any status.
    func workflow(id: String) throws -> WorkflowModel?
    /// The workflow as API JSON, straight from storage (`tasks` included or empty).
    func workflowJSON(id: String, includeTasks: Bool) throws -> [UInt8]?
    func task(id: String) throws -> TaskModel?
    func taskJSON(id: String) throws -> [UInt8]?
    func taskLogs(taskId: String) throws -> [TaskExecLog]
    func allPollData() throws -> [PollData]
    /// Workflows matching a search, newest first unless sorted; `total` counts every match.
    func searchWorkflows(_ query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel])
    /// Task attempts matching a task search (`SearchQuery.taskFields`), newest first unless sorted.
    func searchTasks(_ query: SearchQuery) throws -> (total: Int, tasks: [TaskModel])
    /// Workflows having a task that matches a task search, newest first unless sorted.
    func searchWorkflows(byTasks query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel])
    /// Ids of RUNNING workflows of a name and version, created within [startTime, endTime] when given.
    func runningWorkflowIds(name: String, version: Int, startTime: Int64?, endTime: Int64?) throws -> [String]
    /// Workflows with a correlation id, newest first (ended ones only when asked).
    func workflows(name: String, correlationId: String, includeClosed: Bool) throws -> [WorkflowModel]
    /// Every schedule with its firing state, by name.
    func storedSchedules() throws -> [StoredSchedule]
    /// Records of schedule fires matching a search, and how many match in all.
    func scheduleExecutions(_ query: ScheduleExecutionQuery) throws -> (total: Int, executions: [ScheduleExecution])
    /// Tasks of a workflow as API JSON objects, in `seq` order, optionally filtered by status.
    func taskJSONs(workflowId: String, statuses: [String]) throws -> [[UInt8]]
}

extension ExecutionStore {
    public func write(_ changes: ExecutionWrite, durable: Bool) throws { try write([changes], durable: durable) }
}
