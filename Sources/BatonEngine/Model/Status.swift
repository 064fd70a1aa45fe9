/// Workflow execution status.
public enum WorkflowStatus: String, Sendable, CaseIterable, Codable {
    case running = "RUNNING", completed = "COMPLETED", failed = "FAILED", timedOut = "TIMED_OUT"
    case terminated = "TERMINATED", paused = "PAUSED"

    public var isTerminal: Bool { self != .running && self != .paused }
    public var isSuccessful: Bool { self == .completed || self == .paused }
}

/// Task execution status, with the flags that drive the engine (model.md).
public enum TaskStatus: String, Sendable, CaseIterable, Codable {
    case scheduled = "SCHEDULED", inProgress = "IN_PROGRESS", completed = "COMPLETED", canceled = "CANCELED"  // one L
    case failed = "FAILED", failedWithTerminalError = "FAILED_WITH_TERMINAL_ERROR", timedOut = "TIMED_OUT"
    case completedWithErrors = "COMPLETED_WITH_ERRORS", skipped = "SKIPPED"

    public var isTerminal: Bool { self != .scheduled && self != .inProgress }
    public var isSuccessful: Bool {
        switch self {
        case .scheduled, .inProgress, .completed, .completedWithErrors, .skipped: true
        default: false
        }
    }
    public var isRetriable: Bool {
        switch self {
        case .skipped, .failedWithTerminalError, .canceled: false
        default: true
        }
    }
}

/// The statuses a worker may report.
public enum TaskResultStatus: String, Sendable, CaseIterable {
    case inProgress = "IN_PROGRESS", failed = "FAILED", failedWithTerminalError = "FAILED_WITH_TERMINAL_ERROR"
    case completed = "COMPLETED", canceled = "CANCELED"

    public var taskStatus: TaskStatus { TaskStatus(rawValue: rawValue)! }
}
