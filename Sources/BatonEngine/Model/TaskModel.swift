import BatonSupport

/// One attempt of one task in a workflow execution (Conductor's `Task`).
public struct TaskModel: Sendable, Equatable {
    public var taskId: String
    public var status: TaskStatus
    public var updateTime: Int64 = 0
    public var taskType: String
    public var taskDefName: String
    public var referenceTaskName: String
    public var inputData = JSONObject()
    public var outputData = JSONObject()
    public var workflowInstanceId: String
    public var workflowType: String
    public var correlationId: String?
    public var workflowPriority = 0
    public var seq = 0
    public var retryCount = 0
    public var retriedTaskId: String?
    public var retried = false
    public var executed = false
    public var pollCount = 0
    public var scheduledTime: Int64 = 0
    public var startTime: Int64 = 0
    public var endTime: Int64 = 0
    /// First schedule time of the first attempt: the base of `totalTimeoutSeconds`.
    public var firstScheduledTime: Int64 = 0
    public var callbackAfterSeconds: Int64 = 0
    public var startDelayInSeconds = 0
    public var responseTimeoutSeconds: Int64 = 0
    public var rateLimitPerFrequency = 0
    public var rateLimitFrequencyInSeconds = 1
    public var workerId: String?
    public var reasonForIncompletion: String?
    public var domain: String?
    public var iteration = 0
    public var subWorkflowId: String?
    public var subworkflowChanged = false
    public var isolationGroupId: String?
    public var executionNameSpace: String?
    public var executionMetadata: JSONValue?
    /// The definition node this attempt runs, with its task definition attached.
    public var workflowTask: WorkflowTask
    /// WAIT: when the wait ends (epoch ms); 0 for an indefinite wait or any other type.
    public var waitTimeout: Int64 = 0
    /// When a queued worker task becomes pollable (epoch ms). Engine bookkeeping, not part of the API.
    public var visibleAt: Int64 = 0

    public init(taskId: String, status: TaskStatus, taskType: String, taskDefName: String, referenceTaskName: String,
                workflowInstanceId: String, workflowType: String, workflowTask: WorkflowTask) {
        self.taskId = taskId
        self.status = status
        self.taskType = taskType
        self.taskDefName = taskDefName
        self.referenceTaskName = referenceTaskName
        self.workflowInstanceId = workflowInstanceId
        self.workflowType = workflowType
        self.workflowTask = workflowTask
    }

    public var taskDefinition: TaskDef? { workflowTask.taskDefinition }
    public var isLoopOverTask: Bool { iteration > 0 }
    public var queueWaitTime: Int64 { startTime > 0 && scheduledTime > 0 ? startTime - scheduledTime : 0 }
}
