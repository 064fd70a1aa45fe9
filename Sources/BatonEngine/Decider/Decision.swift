import BatonSupport

/// What a decide pass produced: the workflow's new state and what must happen outside it.
public struct Decision: Sendable, Equatable {
    public var workflow: WorkflowModel
    public var effects: [Effect]

    public init(workflow: WorkflowModel, effects: [Effect] = []) {
        self.workflow = workflow
        self.effects = effects
    }

    /// The workflow ended in this pass (with this status).
    public var ended: WorkflowStatus? {
        for case .ended(let s) in effects { return s }
        return nil
    }
}

/// Work a decision asks for beyond changing its own workflow. The engine performs each one: the
/// cross-workflow ones inside the same command (so they commit with it), the I/O after it.
/// Queue membership and timers are not effects: they follow from the new state itself, so the two can
/// never disagree.
public enum Effect: Sendable, Equatable {
    /// A SUB_WORKFLOW task was scheduled: start its child.
    case startChild(taskId: String)
    /// A START_WORKFLOW task was scheduled: start the workflow it describes.
    case startWorkflow(taskId: String)
    /// An HTTP task was scheduled: send its request.
    case sendHTTP(taskId: String)
    /// An EVENT task was scheduled: publish its message.
    case publish(taskId: String)
    /// An open SUB_WORKFLOW task was canceled: end its child with this reason.
    case terminateChild(workflowId: String, reason: String)
    /// The workflow failed and names a failure workflow to start.
    case startFailureWorkflow(FailureWorkflowStart)
    /// The workflow ended with this status (its parent, if any, must learn of it).
    case ended(WorkflowStatus)
    /// The pass stopped at its round limit with work left: decide this workflow again right away.
    case decideAgain
}

/// How a decide pass ends a workflow other than by completing it normally (OSS's
/// `TerminateWorkflowException`): the status, the reason, and the task that caused it, as it stands.
public struct Ending: Error, Sendable, Equatable {
    public var status: WorkflowStatus
    public var reason: String
    public var task: TaskModel?

    public init(status: WorkflowStatus, reason: String, task: TaskModel? = nil) {
        self.status = status
        self.reason = reason
        self.task = task
    }

    public static func failed(_ reason: String, task: TaskModel? = nil) -> Ending { Ending(status: .failed, reason: reason, task: task) }
}

public struct FailureWorkflowStart: Sendable, Equatable {
    public var name: String
    public var version: Int?
    public var failedTaskId: String?
}
