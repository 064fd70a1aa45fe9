import BatonSupport

/// Builds the values `${...}` expressions see: `workflow` and every task reference of an execution.
struct InputResolution {
    let workflow: WorkflowModel
    let taskId: String?

    /// The object `${workflow.…}` paths start from.
    var workflowObject: JSONValue {
        var o = JSONObject()
        o["input"] = .object(workflow.input)
        o["output"] = .object(workflow.output)
        o["variables"] = .object(workflow.variables)
        o["workflowId"] = .string(workflow.workflowId)
        o["correlationId"] = workflow.correlationId.map(JSONValue.string) ?? .null
        o["status"] = .string(workflow.status.rawValue)
        o["reasonForIncompletion"] = workflow.reasonForIncompletion.map(JSONValue.string) ?? .null
        o["workflowType"] = .string(workflow.workflowName)
        o["version"] = .int(Int64(workflow.workflowVersion))
        o["schemaVersion"] = 2
        o["parentWorkflowId"] = workflow.parentWorkflowId.map(JSONValue.string) ?? .null
        o["parentWorkflowTaskId"] = workflow.parentWorkflowTaskId.map(JSONValue.string) ?? .null
        o["createTime"] = .int(workflow.createTime)
        o["priority"] = .int(Int64(workflow.priority))
        o["taskToDomain"] = .object(workflow.taskToDomain)
        return .object(o)
    }

    static func taskObject(_ t: TaskModel) -> JSONValue {
        var o = JSONObject()
        o["input"] = .object(t.inputData)
        o["output"] = .object(t.outputData)
        o["status"] = .string(t.status.rawValue)
        o["taskId"] = .string(t.taskId)
        o["taskType"] = .string(t.taskType)
        o["taskDefName"] = .string(t.taskDefName)
        o["referenceTaskName"] = .string(t.referenceTaskName)
        o["retryCount"] = .int(Int64(t.retryCount))
        o["pollCount"] = .int(Int64(t.pollCount))
        o["correlationId"] = t.correlationId.map(JSONValue.string) ?? .null
        o["workflowInstanceId"] = .string(t.workflowInstanceId)
        o["scheduledTime"] = .int(t.scheduledTime)
        o["startTime"] = .int(t.startTime)
        o["endTime"] = .int(t.endTime)
        o["reasonForIncompletion"] = t.reasonForIncompletion.map(JSONValue.string) ?? .null
        o["callbackAfterSeconds"] = .int(t.callbackAfterSeconds)
        o["workerId"] = t.workerId.map(JSONValue.string) ?? .null
        o["iteration"] = .int(Int64(t.iteration))
        o["subWorkflowId"] = t.subWorkflowId.map(JSONValue.string) ?? .null
        return .object(o)
    }

    /// Resolves a root name: `workflow`, `CPEWF_TASK_ID`, or a task reference (latest attempt; tasks in a
    /// loop answer to their base name, giving the latest iteration).
    func root(_ name: String) -> JSONValue? {
        if name == "workflow" { return workflowObject }
        if name == "CPEWF_TASK_ID" { return taskId.map(JSONValue.string) }
        if let t = workflow.tasks.last(where: { $0.referenceTaskName == name && $0.iteration == 0 }) {
            return Self.taskObject(t)
        }
        if let t = workflow.tasks.last(where: { $0.iteration > 0 && baseReferenceName($0.referenceTaskName) == name }) {
            return Self.taskObject(t)
        }
        return nil
    }

    /// Each root is built once per resolution, however many expressions name it.
    func resolve(_ parameters: JSONObject) -> JSONObject {
        var built: [String: JSONValue?] = [:]
        return ParameterResolver(root: { name in
            if let hit = built[name] { return hit }
            let value = root(name)
            built[name] = value
            return value
        }).resolve(parameters)
    }

    /// A task's input: definition `inputTemplate` keys fill what the parameters lack before resolution
    /// and replace values that resolved to null after it.
    func taskInput(_ parameters: JSONObject, taskDef: TaskDef?) -> JSONObject {
        var params = parameters
        let template = taskDef?.inputTemplate ?? JSONObject()
        for (k, v) in template where params[k] == nil { params[k] = v }
        var resolved = resolve(params)
        for (k, v) in template where resolved[k] == nil || resolved[k] == .null { resolved[k] = v }
        return resolved
    }
}
