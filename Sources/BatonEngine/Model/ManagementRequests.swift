import BatonSupport

/// Input and output for a task skipped by hand (`SkipTaskRequest`).
public struct SkipTaskRequest: Sendable, Equatable {
    public var taskInput: JSONObject
    public var taskOutput: JSONObject

    public init(taskInput: JSONObject = JSONObject(), taskOutput: JSONObject = JSONObject()) {
        self.taskInput = taskInput
        self.taskOutput = taskOutput
    }

    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "skipTaskRequest")
        self.init(taskInput: try f.object("taskInput") ?? JSONObject(), taskOutput: try f.object("taskOutput") ?? JSONObject())
    }

    public var isEmpty: Bool { taskInput.isEmpty && taskOutput.isEmpty }
}

/// What to run again (`RerunWorkflowRequest`).
public struct RerunRequest: Sendable {
    public var reRunFromTaskId: String?
    public var workflowInput: JSONObject?
    public var taskInput: JSONObject?
    public var correlationId: String?

    public init(reRunFromTaskId: String? = nil, workflowInput: JSONObject? = nil, taskInput: JSONObject? = nil, correlationId: String? = nil) {
        self.reRunFromTaskId = reRunFromTaskId
        self.workflowInput = workflowInput
        self.taskInput = taskInput
        self.correlationId = correlationId
    }

    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "")
        self.init(reRunFromTaskId: try f.string("reRunFromTaskId"), workflowInput: try f.object("workflowInput"),
                  taskInput: try f.object("taskInput"), correlationId: try f.string("correlationId"))
    }
}
