import BatonSupport

/// Creating the executions of built-in task types (OSS's task mappers).
extension TaskMapper {
    /// A system task execution: resolved input, no queue, no domain.
    func systemTask(_ node: WorkflowTask, type: String, defName: String?, status: TaskStatus, in wf: WorkflowModel,
                    retryCount: Int = 0, retriedTaskId: String? = nil) -> TaskModel {
        let taskId = decider.newId()
        var t = TaskModel(taskId: taskId, status: status, taskType: type, taskDefName: defName ?? node.name,
                          referenceTaskName: node.taskReferenceName, workflowInstanceId: wf.workflowId,
                          workflowType: wf.workflowName, workflowTask: node)
        t.inputData = InputResolution(workflow: wf, taskId: taskId).taskInput(node.inputParameters, taskDef: node.taskDefinition)
        t.correlationId = wf.correlationId
        t.workflowPriority = wf.priority
        t.retryCount = retryCount
        t.retriedTaskId = retriedTaskId
        if status == .inProgress || status.isTerminal { t.startTime = decider.now }
        return t
    }

    /// The text a case key is matched by: null → "null", booleans and numbers as Java prints them.
    static func caseKey(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? "\(Int64(d)).0" : "\(d)"
        default: return JSONWriter.string(v)
        }
    }

    /// SWITCH and DECISION: evaluate, create the (IN_PROGRESS) decision task and the chosen branch's head.
    func mapSwitch(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int, retriedTaskId: String?) throws -> [TaskModel] {
        let isSwitch = node.taskType == .switchTask
        let type = isSwitch ? "SWITCH" : "DECISION"
        var t = systemTask(node, type: type, defName: type, status: .inProgress, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
        let caseValue: String
        do {
            caseValue = Self.caseKey(try evaluateCase(node, input: t.inputData, isSwitch: isSwitch))
        } catch let e as Termination {
            throw e
        } catch {
            // A failing expression fails the decision task (never retried), which fails the workflow.
            t.status = .failed
            t.reasonForIncompletion = isSwitch ? ((error as? ScriptError)?.message ?? "\(error)")
                : "Error while evaluating script: \(node.caseExpression ?? "")"
            return [t]
        }
        t.inputData["case"] = .string(caseValue)
        if isSwitch {
            t.outputData = ["evaluationResult": [.string(caseValue)], "selectedCase": .string(caseValue)]
        } else {
            t.outputData = ["caseOutput": [.string(caseValue)]]
        }
        var branch = node.decisionCases.first { $0.caseValue == caseValue }?.tasks
        // DECISION falls back to the default for an empty matching case; SWITCH runs nothing.
        if branch == nil || (!isSwitch && branch?.isEmpty == true) { branch = node.defaultCase }
        var out = [t]
        if let head = branch?.first {
            out[0].inputData["hasChildren"] = "true"
            out += try decider.tasksToSchedule(head, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
        }
        return out
    }

    private func evaluateCase(_ node: WorkflowTask, input: JSONObject, isSwitch: Bool) throws -> JSONValue {
        if isSwitch {
            switch node.evaluatorType ?? "" {
            case "value-param": return input[node.expression ?? ""] ?? .null
            case "javascript", "graaljs": return try JavaScript.evaluate(node.expression ?? "", input: .object(input))
            default: throw Termination(status: .failed, reason: "No evaluator registered for type: \(node.evaluatorType ?? "null")", task: nil)
            }
        }
        if let param = node.caseValueParam { return input[param] ?? .null }
        return try JavaScript.evaluate(node.caseExpression ?? "", input: .object(input))
    }

    /// FORK_JOIN: the FORK (COMPLETED at once), the head of every branch, and the JOIN that follows.
    func mapFork(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int) throws -> [TaskModel] {
        var fork = systemTask(node, type: "FORK", defName: "FORK", status: .completed, in: wf, retryCount: retryCount)
        fork.endTime = decider.now
        var out = [fork]
        for branch in node.forkTasks {
            guard let head = branch.first else { continue }
            out += try decider.tasksToSchedule(head, in: wf, retryCount: retryCount)
        }
        guard let join = wf.definition.nextTask(after: node.taskReferenceName), join.taskType == .join else {
            throw Termination(status: .failed, reason: "Fork task definition is not followed by a join task.  Check the blueprint", task: nil)
        }
        out += try decider.tasksToSchedule(join, in: wf, retryCount: retryCount)
        return out
    }

    /// SUB_WORKFLOW: SCHEDULED with the child's parameters; the engine starts the child right after.
    func subWorkflowTask(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int, retriedTaskId: String?) throws -> TaskModel {
        var t = systemTask(node, type: "SUB_WORKFLOW", defName: nil, status: .scheduled, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
        let resolution = InputResolution(workflow: wf, taskId: t.taskId)
        // An inline definition is the child's: its `${...}` belong to the child, not to this workflow.
        var raw = node.subWorkflowParam ?? JSONObject()
        let inline = raw["workflowDefinition"].flatMap { $0.objectValue != nil ? $0 : nil }
        raw["workflowDefinition"] = inline == nil ? raw["workflowDefinition"] : nil
        var params = resolution.resolve(raw)
        if let inline { params["workflowDefinition"] = inline }
        var input = JSONObject()
        var definition = params["workflowDefinition"] ?? .null
        if case .string = definition { definition = .null }
        input["subWorkflowName"] = definition["name"] ?? params["name"] ?? .null
        input["subWorkflowVersion"] = definition["version"] ?? params["version"] ?? .null
        input["subWorkflowTaskToDomain"] = params["taskToDomain"] ?? .null
        input["subWorkflowDefinition"] = definition
        input["priority"] = params["priority"] ?? .null
        input["idempotencyKey"] = params["idempotencyKey"] ?? .null
        input["idempotencyStrategy"] = params["idempotencyStrategy"] ?? .null
        input["workflowInput"] = .object(t.inputData)
        t.inputData = input
        return t
    }

    /// DYNAMIC: a worker task whose name comes from an input parameter.
    func dynamicTask(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int, retriedTaskId: String?) throws -> TaskModel {
        let param = node.dynamicTaskNameParam ?? ""
        let input = InputResolution(workflow: wf, taskId: nil).resolve(node.inputParameters)
        guard let name = input[param]?.stringValue, !name.isEmpty else {
            throw Termination(status: .failed, reason:
                "Cannot map a dynamic task based on the parameter and input. Parameter= \(param), input= \(JSONWriter.string(.object(input)))", task: nil)
        }
        var t = workerTask(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
        t.taskType = name
        t.taskDefName = name
        t.domain = domain(for: node, queueType: name, in: wf)
        return t
    }
}
