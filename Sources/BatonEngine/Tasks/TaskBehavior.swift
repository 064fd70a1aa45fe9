import BatonSupport

/// Everything the engine knows about one task type, in one value: how a definition node of the type is
/// validated and mapped into task attempts, how an open attempt runs during a decide pass, whether it
/// is launched outside the workflow, polled by workers, async-complete, retried, and what cancelling it
/// does. Each built-in type is one file in `Tasks/`; `TaskType.behavior` is the one switch that finds it.
protocol TaskBehavior: Sendable {
    /// Registration rules for a node of this type (OSS `WorkflowTaskTypeConstraint`), as messages
    /// reported at the node's path.
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String]

    /// The attempts that scheduling `node` creates (OSS task mappers) and the nodes scheduled right
    /// after them; or the ending of the workflow when the node cannot be mapped.
    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping

    /// Runs the open attempt `wf.tasks[i]` during a decide pass (OSS `WorkflowSystemTask.execute`).
    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution

    /// What the engine must do outside the decide pass once an attempt of this type is scheduled.
    func launch(_ task: TaskModel) -> Effect?

    /// Polled from a queue by workers (every other type is run by the engine).
    var isWorkerTask: Bool { get }

    /// Completes through something outside the decide pass (a child, a timer, an update), so the
    /// response timeout does not apply to it.
    func isAsyncComplete(_ task: TaskModel) -> Bool

    /// Whether the decider retries a failed attempt by its task definition's retry policy (control-flow
    /// types are never retried, as in OSS).
    var isRetriedOnFailure: Bool { get }

    /// A task OSS starts synchronously into IN_PROGRESS, where it waits (WAIT, HUMAN,
    /// PULL_WORKFLOW_MESSAGES): a retried or rerun attempt starts that way too, not SCHEDULED.
    var waitsInProgress: Bool { get }

    /// Whether a management retry or rerun reopens the attempt in place (loops and joins evaluate
    /// again) instead of scheduling a new attempt.
    var reopensInPlace: Bool { get }

    /// Whether a management retry reopens a CANCELED attempt in place (a loop or join canceled when the
    /// workflow ended evaluates again).
    var reopensWhenCanceled: Bool { get }

    /// Whether a management retry reopens this FAILED attempt in place instead of retrying it (a join
    /// that failed on a permissive branch's failure).
    func reopensWhenFailed(_ task: TaskModel, in wf: WorkflowModel) -> Bool

    /// One of OSS's "operators" (`WorkflowTestService`): a test run decides the workflow for an open
    /// attempt of the type instead of giving it a mock result.
    var isOperator: Bool { get }

    /// What ending the workflow with this attempt still open does besides marking it CANCELED.
    func cancel(_ task: TaskModel, reason: String) -> [Effect]

    /// The workflow waits for an outside update with nothing else to do (a synchronous execute
    /// answers at once when it meets one).
    func isBlocking(_ task: TaskModel) -> Bool

    /// When the clock alone will change an open attempt (a WAIT's deadline): the engine decides the
    /// workflow again then.
    func dueTime(_ task: TaskModel) -> Int64?

    /// The child workflow an attempt runs, if its type starts one.
    func childWorkflowId(_ task: TaskModel) -> String?

    /// An open attempt a crash may have left half-launched (an HTTP call that was out when the process
    /// died): the effect that launches it again on start-up.
    func resend(_ task: TaskModel) -> Effect?
}

/// Defaults: a system task the engine runs inline, with nothing outside the workflow.
extension TaskBehavior {
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] { [] }
    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution { Execution() }
    func launch(_ task: TaskModel) -> Effect? { nil }
    var isWorkerTask: Bool { false }
    func isAsyncComplete(_ task: TaskModel) -> Bool { false }
    var isRetriedOnFailure: Bool { true }
    var reopensInPlace: Bool { false }
    var waitsInProgress: Bool { false }
    var reopensWhenCanceled: Bool { false }
    func reopensWhenFailed(_ task: TaskModel, in wf: WorkflowModel) -> Bool { false }
    func cancel(_ task: TaskModel, reason: String) -> [Effect] { [] }
    var isOperator: Bool { false }
    func isBlocking(_ task: TaskModel) -> Bool { false }
    func dueTime(_ task: TaskModel) -> Int64? { nil }
    func childWorkflowId(_ task: TaskModel) -> String? { nil }
    func resend(_ task: TaskModel) -> Effect? { nil }
}

/// What mapping a node needs besides the node: the workflow as it stands and the attempt's lineage.
struct MapRequest {
    var workflow: WorkflowModel
    var retryCount = 0
    var retriedTaskId: String?
}

/// The result of mapping a node.
struct Mapping {
    /// The attempts this node creates, in schedule order.
    var tasks: [TaskModel] = []
    /// Nodes scheduled right after `tasks`, each mapped in turn (a SWITCH's branch head, a fork's branch
    /// heads and its JOIN).
    var next: [WorkflowTask] = []
    /// Attempts placed after everything `next` produced (a dynamic fork's JOIN).
    var tail: [TaskModel] = []
    /// The node cannot be mapped: the workflow ends.
    var ending: Ending?

    init(tasks: [TaskModel] = [], next: [WorkflowTask] = [], tail: [TaskModel] = []) {
        self.tasks = tasks
        self.next = next
        self.tail = tail
    }

    static func end(_ ending: Ending) -> Mapping {
        var m = Mapping()
        m.ending = ending
        return m
    }
}

/// The result of running an open attempt.
struct Execution {
    /// The workflow changed (another pass is due).
    var changed = false
    /// Nodes to schedule now, each with a DO_WHILE iteration suffix (a loop's next iteration).
    var schedule: [IterationStart] = []
    /// The workflow ends.
    var ending: Ending?

    static let unchanged = Execution()
    static let changed = Execution(changed: true)
}

/// A loop body's first node, scheduled for one iteration.
struct IterationStart {
    var node: WorkflowTask
    var iteration: Int
    var retryCount: Int
}

/// What a node's validation may consult.
struct NodeValidation {
    /// The registered task definition of the node's name, if any.
    var taskDef: TaskDef?
}

extension TaskType {
    /// The one place a built-in type is matched to its behaviour.
    var behavior: any TaskBehavior {
        switch self {
        case .simple, .userDefined, .kafkaPublish: WorkerTask()
        case .dynamic: Dynamic()
        case .forkJoin: ForkJoin()
        case .forkJoinDynamic: ForkJoinDynamic()
        case .fork: Fork()
        case .decision: DecisionTask()
        case .switchTask: Switch()
        case .join: Join()
        case .exclusiveJoin: ExclusiveJoin()
        case .doWhile: DoWhile()
        case .subWorkflow: SubWorkflow()
        case .startWorkflow: StartWorkflow()
        case .event: Event()
        case .wait: Wait()
        case .human: Human()
        case .http: HTTP()
        case .lambda: Lambda()
        case .inline: Inline()
        case .terminate: Terminate()
        case .jsonJQTransform: JSONJQTransform()
        case .setVariable: SetVariable()
        case .noop: Noop()
        case .pullWorkflowMessages: PullWorkflowMessages()
        }
    }
}

extension WorkflowTask {
    /// How nodes of this node's type behave: its built-in type's, or a worker task's.
    var behavior: any TaskBehavior { taskType?.behavior ?? WorkerTask() }
}

extension TaskModel {
    /// The built-in type of this attempt, or nil for a worker queue.
    public var kind: TaskType? { TaskType(taskType: taskType) }
    var behavior: any TaskBehavior { kind?.behavior ?? WorkerTask() }
    /// Work done by the engine itself rather than by a polling worker.
    public var isSystemTask: Bool { !behavior.isWorkerTask }
}
