import BatonSupport

/// FORK_JOIN_DYNAMIC (OSS `ForkJoinDynamicTaskMapper`): a fork whose branches are computed from the
/// input, in one of three forms: `forkTaskInputs` (simple), `dynamicForkTasksParam` +
/// `dynamicForkTasksInputParamName` (task list), or legacy `dynamicForkJoinTasksParam`.
extension TaskMapper {
    func mapDynamicFork(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int) throws -> [TaskModel] {
        let input = InputResolution(workflow: wf, taskId: nil).resolve(node.inputParameters)
        let anotherRan = wf.tasks.contains { $0.workflowTask.type == TaskType.forkJoinDynamic.rawValue }
        let (forked, forkInputs) = try simpleForm(node, input: input, anotherRan: anotherRan)
            ?? (node.dynamicForkTasksParam != nil ? taskListForm(node, input: input) : legacyForm(node, input: input))

        var fork = systemTask(node, type: "FORK", defName: "FORK", status: .completed, in: wf, retryCount: retryCount)
        fork.endTime = decider.now
        fork.executed = true
        fork.inputData["forkedTasks"] = .array(forked.map { .string($0.taskReferenceName) })
        fork.inputData["forkedTaskDefs"] = .array(forked.map { .object($0.json) })
        var out = [fork]
        var joinOn: [String] = []
        if wf.task(ref: node.taskReferenceName) == nil {
            for var branch in forked {
                var params = branch.inputParameters
                for (k, v) in forkInputs[branch.taskReferenceName] ?? JSONObject() { params[k] = v }
                var json = branch.json
                json["inputParameters"] = .object(params)
                branch = try WorkflowTask(json: .object(json), path: "forkedTask")
                let tasks = try decider.tasksToSchedule(branch, in: wf, retryCount: retryCount)
                guard let last = tasks.last else {
                    var message = "No dynamic tasks could be created for the Workflow: \(wf.workflowName).\(wf.workflowVersion)/\(wf.workflowId), Dynamic Fork Task: \(branch.taskReferenceName)"
                    if wf.tasks.contains(where: { $0.referenceTaskName == branch.taskReferenceName && ($0.status == .inProgress || $0.status.isTerminal) }) {
                        message += " attempted to create a duplicate task reference name: \(branch.taskReferenceName)"
                    }
                    throw Termination(status: .failed, reason: message, task: nil)
                }
                out += tasks
                joinOn.append(last.referenceTaskName)
            }
        }
        guard let joinNode = wf.definition.nextTask(after: node.taskReferenceName), joinNode.taskType == .join else {
            throw Termination(status: .failed, reason: "Dynamic join definition is not followed by a join task.  Check the workflow definition.", task: nil)
        }
        var join = systemTask(joinNode, type: "JOIN", defName: "JOIN", status: .inProgress, in: wf, retryCount: retryCount)
        var joinInput = join.inputData
        joinInput["joinOn"] = .array(joinOn.map(JSONValue.string))
        join.inputData = joinInput
        out.append(join)
        return out
    }

    /// `forkTaskInputs` as a list: one task per element, named `_<name>_<i>`.
    private func simpleForm(_ node: WorkflowTask, input: JSONObject, anotherRan: Bool) throws -> ([WorkflowTask], [String: JSONObject])? {
        guard case .array(let inputs)? = input["forkTaskInputs"] else { return nil }
        let subWorkflow = input["forkTaskWorkflow"]?.stringValue
        let subVersion = input["forkTaskWorkflowVersion"].flatMap { $0.stringValue.flatMap { Int($0) } ?? $0.int64Value.map { Int($0) } }
        let type = input["forkTaskType"]?.stringValue
        var name = input["forkTaskName"]?.stringValue
        if let type, name == nil, SystemTaskTypes.all.contains(type) { name = type }
        let taskName = name ?? node.taskReferenceName
        var tasks: [WorkflowTask] = []
        var inputsByRef: [String: JSONObject] = [:]
        for (i, element) in inputs.enumerated() {
            var params: JSONObject
            if case .object(let o) = element { params = o } else { params = ["input": element] }
            params["__index"] = .int(Int64(i))
            let ref = anotherRan ? "_\(node.taskReferenceName)_\(taskName)_\(i)" : "_\(taskName)_\(i)"
            var json: JSONObject = ["taskReferenceName": .string(ref), "inputParameters": .object(params)]
            if let subWorkflow {
                json["name"] = .string(subWorkflow)
                json["type"] = "SUB_WORKFLOW"
                var sub: JSONObject = ["name": .string(subWorkflow)]
                if let subVersion { sub["version"] = .int(Int64(subVersion)) }
                if case .object(let o) = element, let domains = o["taskToDomain"] { sub["taskToDomain"] = domains }
                json["subWorkflowParam"] = .object(sub)
            } else {
                json["name"] = .string(taskName)
                json["type"] = .string(type ?? "SIMPLE")
            }
            if node.optional { json["optional"] = true }
            let task = try attachDefinition(try WorkflowTask(json: .object(json), path: "forkTaskInputs[\(i)]"))
            tasks.append(task)
            inputsByRef[ref] = params
        }
        return (tasks, inputsByRef)
    }

    /// `dynamicForkTasksParam`: a list of WorkflowTask objects, with inputs by reference name.
    private func taskListForm(_ node: WorkflowTask, input: JSONObject) throws -> ([WorkflowTask], [String: JSONObject]) {
        let param = node.dynamicForkTasksParam ?? ""
        let raw = input[param] ?? .null
        var tasks: [WorkflowTask] = []
        guard case .array(let items) = raw else {
            if raw.isNull { return try ([], inputsMap(node, input: input)) }
            throw Termination(status: .failed, reason: "Input '\(param)' is invalid. Cannot deserialize a list of Workflow Tasks from '\(JSONWriter.string(raw))'", task: nil)
        }
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item, o["taskReferenceName"]?.stringValue != nil,
                  let task = try? WorkflowTask(json: item, path: "\(param)[\(i)]") else {
                throw Termination(status: .failed, reason: "Input '\(param)' is invalid. Cannot deserialize a list of Workflow Tasks from '\(JSONWriter.string(raw))'", task: nil)
            }
            tasks.append(try attachDefinition(task))
        }
        return (tasks, try inputsMap(node, input: input))
    }

    private func inputsMap(_ node: WorkflowTask, input: JSONObject) throws -> [String: JSONObject] {
        let value = input[node.dynamicForkTasksInputParamName ?? ""] ?? .null
        guard case .object(let map) = value else {
            throw Termination(status: .failed, reason:
                "Input to the dynamically forked tasks is not a map -> expecting a map of K,V  but found \(value.isNull ? "null" : JSONWriter.string(value))", task: nil)
        }
        var out: [String: JSONObject] = [:]
        for (ref, v) in map { out[ref] = v.objectValue ?? JSONObject() }
        return out
    }

    /// Legacy `dynamicForkJoinTasksParam`: `{"dynamicTasks": [{taskName, referenceName, type, input}]}`.
    private func legacyForm(_ node: WorkflowTask, input: JSONObject) throws -> ([WorkflowTask], [String: JSONObject]) {
        let param = node.dynamicForkJoinTasksParam ?? ""
        guard case .array(let list)? = input[param]?["dynamicTasks"] else {
            throw Termination(status: .failed, reason:
                "Dynamic tasks could not be created. The value of \(param) from task's input \(JSONWriter.string(.object(input))) has no dynamic tasks to be scheduled", task: nil)
        }
        var tasks: [WorkflowTask] = []
        var inputs: [String: JSONObject] = [:]
        for (i, item) in list.enumerated() {
            let ref = item["referenceName"]?.stringValue ?? ""
            var json: JSONObject = ["name": item["taskName"] ?? "", "taskReferenceName": .string(ref), "type": item["type"] ?? "SIMPLE"]
            if let wfName = item["workflowName"], !wfName.isNull { json["subWorkflowParam"] = ["name": wfName] }
            tasks.append(try attachDefinition(try WorkflowTask(json: .object(json), path: "\(param).dynamicTasks[\(i)]")))
            inputs[ref] = item["input"]?.objectValue ?? JSONObject()
        }
        return (tasks, inputs)
    }

    /// Forked nodes are not in the definition snapshot: give them their task definition now.
    private func attachDefinition(_ task: WorkflowTask) throws -> WorkflowTask {
        guard task.taskDefinition == nil, !task.name.isEmpty else { return task }
        let def = decider.taskDefNamed(task.name) ?? TaskDef.adHoc(name: task.name, isSystemTask: task.type != TaskType.simple.rawValue)
        var json = task.json
        json["taskDefinition"] = .object(def.json)
        return try WorkflowTask(json: .object(json), path: "forkedTask")
    }
}
