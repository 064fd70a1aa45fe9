/// The decide pass ends the workflow: OSS's `TerminateWorkflowException`.
struct Termination: Error {
    var status: WorkflowStatus
    var reason: String
    var task: TaskModel?
}

/// What a decide pass asks the engine to do beyond changing the workflow itself.
public struct DecideEffects: Sendable, Equatable {
    /// Start the definition's failure workflow with this input (engine-driven failures only).
    public var failureWorkflow: FailureWorkflowStart?
    /// The workflow ended: its parent (if any) must learn of it.
    public var ended = false

    public init() {}
}

public struct FailureWorkflowStart: Sendable, Equatable {
    public var name: String
    public var version: Int?
    public var failedTaskId: String?
}
