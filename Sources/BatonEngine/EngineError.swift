import BatonSupport

/// One field-level problem in a rejected definition or request, as Conductor reports it.
public struct ValidationError: Equatable, Sendable {
    public var path: String
    public var message: String
    public var invalidValue: String?
    public init(path: String, message: String, invalidValue: String? = nil) {
        self.path = path
        self.message = message
        self.invalidValue = invalidValue
    }
}

/// Errors the engine and its services raise. Each case says what went wrong in terms of the thing
/// concerned; `message` words it as Conductor does, here and nowhere else, and BatonAPI maps each case
/// to one HTTP status.
public enum EngineError: Error, Equatable, Sendable {
    case workflowNotFound(workflowId: String)
    case taskNotFound(taskId: String)
    /// A start (or a child start, an event action) names a definition that does not exist.
    case workflowDefNotFound(name: String, version: Int?)
    /// A definition read by name (metadata API, `POST /workflow/{name}`) does not exist.
    case workflowDefNotFoundByName(name: String, version: Int?)
    /// A SUB_WORKFLOW node without a version names a workflow with no definition.
    case subWorkflowDefMissing(name: String)
    case taskDefNotFound(name: String)
    case taskDefToUpdateNotFound(name: String)
    case taskDefToDeleteNotFound(name: String)
    case workflowDefToDeleteNotFound(name: String, version: Int)
    case workflowDefExists(name: String, version: Int)
    case eventHandlerExists(name: String)
    case eventHandlerNotFound(name: String)
    /// A management operation refused for the state the workflow is in.
    case notAllowed(Refusal)
    /// Bad input, with Conductor's message.
    case invalid(String)
    /// A definition or request failed field validation.
    case validation([ValidationError])
    /// Something else the caller asked for does not exist (message given).
    case notFound(String)
    /// Storage failed underneath a command; `retryable` when trying again may succeed (busy, I/O).
    case storage(message: String, retryable: Bool)
    /// The commit of the batch holding this command failed; nothing of it was kept.
    case commitFailed(String)

    public var message: String {
        switch self {
        case .workflowNotFound(let id): "No such workflow found by id: \(id)"
        case .taskNotFound(let id): "No such task found by id: \(id)"
        case .workflowDefNotFound(let name, let version): "No such workflow defined. name=\(name), version=\(version.map(String.init) ?? "null")"
        case .workflowDefNotFoundByName(let name, let version): "No such workflow found by name: \(name), version: \(version.map(String.init) ?? "null")"
        case .subWorkflowDefMissing(let name): "The Task \(name) defined as a sub-workflow has no workflow definition available "
        case .taskDefNotFound(let name): "No such taskType found by name: \(name)"
        case .taskDefToUpdateNotFound(let name): "No such task by name \(name)"
        case .taskDefToDeleteNotFound(let name): "No such task definition: \(name)"
        case .workflowDefToDeleteNotFound(let name, let version): "No such workflow definition: \(name) version: \(version)"
        case .workflowDefExists(let name, let version): "Workflow with \(name).\(version) already exists!"
        case .eventHandlerExists(let name): "EventHandler with name \(name) already exists!"
        case .eventHandlerNotFound(let name): "EventHandler with name \(name) not found!"
        case .notAllowed(let refusal): refusal.message
        case .invalid(let m), .notFound(let m), .commitFailed(let m): m
        case .storage(let m, _): m
        case .validation(let errors): errors.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
        }
    }

    /// A storage failure as a command sees it.
    public static func storage(_ error: any Error) -> EngineError {
        if let e = error as? EngineError { return e }
        return .storage(message: String(describing: error), retryable: (error as? any RetryableError)?.isRetryable ?? false)
    }
}

/// A workflow as refusals name it: `name.version/id`, and with `.STATUS` in the long form.
public struct WorkflowRef: Equatable, Sendable {
    public var name: String
    public var version: Int
    public var workflowId: String
    public var status: WorkflowStatus

    public init(_ wf: WorkflowModel) {
        name = wf.workflowName
        version = wf.workflowVersion
        workflowId = wf.workflowId
        status = wf.status
    }

    var short: String { "\(name).\(version)/\(workflowId)" }
    var long: String { "\(short).\(status.rawValue)" }
}

/// Why a management operation refused, with OSS's words for each (some of OSS's statuses for these are
/// accidents, kept because clients see exactly them: see BatonAPI's status table).
public enum Refusal: Equatable, Sendable {
    case pauseEnded(WorkflowRef)
    case resumeNotPaused(workflowId: String, status: WorkflowStatus)
    case terminateCompleted
    case restartNotEnded(WorkflowRef)
    case restartLatestDefinitionMissing(workflowId: String)
    case restartNotRestartable(WorkflowRef)
    case retryStillRunning(WorkflowStatus)
    case retryNotStarted
    case retryNothingToRetry
    case skipNotRunning(workflowId: String, ref: String)
    case skipUnknownReference(ref: String, workflowName: String)
    case skipAlreadyProcessed(ref: String)
    case rerunNotEnded(WorkflowRef)
    case rerunTaskNotFound(taskId: String)
    case archiveNotEnded(workflowId: String, status: WorkflowStatus)
    case resetCallbacksEnded(WorkflowStatus)
    case messageNotRunning(workflowId: String, status: WorkflowStatus)
    case messageQueueFull(workflowId: String, limit: Int)
    /// Baton's own: the testing controls the server was not started with.
    case clockNotManual
    case resetNotAllowed

    public var message: String {
        switch self {
        case .pauseEnded(let wf): "Workflow \(wf.short) has ended, status cannot be updated."
        case .resumeNotPaused(let id, let status): "The workflow \(id) is not PAUSED so cannot resume. Current status is \(status.rawValue)"
        case .terminateCompleted: "Cannot terminate a COMPLETED workflow."
        case .restartNotEnded(let wf): "Workflow: \(wf.long) is not in terminal state, unable to restart."
        case .restartLatestDefinitionMissing(let id): "Unable to find latest definition for \(id)"
        case .restartNotRestartable(let wf): "Workflow: \(wf.long) is non-restartable"
        case .retryStillRunning(let status): "Workflow is still running.  status=\(status.rawValue)"
        case .retryNotStarted: "Workflow has not started yet"
        case .retryNothingToRetry: "There are no retryable tasks! Use restart if you want to attempt entire workflow execution again."
        case .skipNotRunning(let id, let ref): "The workflow \(id) is not running so the task referenced by \(ref) cannot be skipped"
        case .skipUnknownReference(let ref, let name): "The task referenced by \(ref) does not exist in the WorkflowDefinition \(name)"
        case .skipAlreadyProcessed(let ref): "The task referenced \(ref) has already been processed, cannot be skipped"
        case .rerunNotEnded(let wf): "Workflow: \(wf.long) is not in terminal state, unable to rerun."
        case .rerunTaskNotFound(let id): "Task \(id) not found"
        case .archiveNotEnded(let id, let status): "Cannot archive workflow: \(id) with status: \(status.rawValue)"
        case .resetCallbacksEnded(let status): "Workflow is in terminal state. Status = \(status.rawValue)"
        case .messageNotRunning(let id, let status): "Workflow \(id) is not in RUNNING state (current: \(status.rawValue))"
        case .messageQueueFull(let id, let limit): "Workflow message queue for workflowId=\(id) has reached the maximum size of \(limit)"
        case .clockNotManual: "The clock is not manual: start the server with --clock manual to move it"
        case .resetNotAllowed: "Reset is off: start the server with --allow-reset true (or --clock manual) to remove every execution"
        }
    }
}
