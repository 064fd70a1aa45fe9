/// What the engine has done since it started, counted as changes reach its memory (a command that
/// fails counts nothing): workflows by name — started, and each way one ends — and task attempts by
/// type — scheduled, and each way one ends. `/metrics` shows them.
public struct ExecutionCounts: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        /// `started`, or the status a workflow ended in; `scheduled`, or the status a task ended in.
        public let event: String
        /// The workflow's name, the task's type.
        public let label: String
    }
    public var workflows: [Key: Int] = [:]
    public var tasks: [Key: Int] = [:]

    public init() {}

    mutating func merge(_ other: ExecutionCounts) {
        for (k, n) in other.workflows { workflows[k, default: 0] += n }
        for (k, n) in other.tasks { tasks[k, default: 0] += n }
    }

    /// What saving `wf` over `previous` (nil: a new workflow) did.
    mutating func count(_ wf: WorkflowModel, over previous: WorkflowModel?, newTasks: [Int], endedTasks: [Int]) {
        if previous == nil { workflows[Key(event: "started", label: wf.workflowName), default: 0] += 1 }
        if wf.status.isTerminal && !(previous?.status.isTerminal ?? false) {
            workflows[Key(event: wf.status.rawValue, label: wf.workflowName), default: 0] += 1
        }
        for i in newTasks { tasks[Key(event: "scheduled", label: wf.tasks[i].taskType), default: 0] += 1 }
        for i in endedTasks { tasks[Key(event: wf.tasks[i].status.rawValue, label: wf.tasks[i].taskType), default: 0] += 1 }
    }
}
