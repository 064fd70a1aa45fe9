import BatonSupport

/// FORK_JOIN_DYNAMIC (OSS `ForkJoinDynamicTaskMapper`): a fork whose branches are computed from the
/// input, in one of three forms: `forkTaskInputs` (simple), `dynamicForkTasksParam` +
/// `dynamicForkTasksInputParamName` (task list), or legacy `dynamicForkJoinTasksParam`. It creates a
/// FORK attempt, one attempt per forked node, and the JOIN that follows it, joining on every branch.
struct ForkJoinDynamic: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        if node.inputParameters["forkTaskInputs"] != nil { return [] }
        if node.dynamicForkJoinTasksParam != nil {
            if node.dynamicForkTasksParam != nil || node.dynamicForkTasksInputParamName != nil {
                return ["dynamicForkJoinTasksParam or combination of dynamicForkTasksInputParamName and dynamicForkTasksParam cam be used for taskType: FORK_JOIN_DYNAMIC taskName: \(node.name)"]
            }
            return []
        }
        var errors: [String] = []
        if node.dynamicForkTasksParam == nil { errors.append(Validation.required("dynamicForkTasksParam", node)) }
        if node.dynamicForkTasksInputParamName == nil { errors.append(Validation.required("dynamicForkTasksInputParamName", node)) }
        return errors
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        let wf = request.workflow
        let input = InputResolution(workflow: wf, taskId: nil).resolve(node.inputParameters)
        let anotherRan = wf.tasks.contains { $0.workflowTask.taskType == .forkJoinDynamic }
        let forms: Result<([WorkflowTask], [String: JSONObject]), Refusal>
        if let simple = Self.simpleForm(node, input: input, anotherRan: anotherRan, ctx) {
            forms = simple
        } else if node.dynamicForkTasksParam != nil {
            forms = Self.taskListForm(node, input: input, ctx)
        } else {
            forms = Self.legacyForm(node, input: input, ctx)
        }
        let forked: [WorkflowTask], forkInputs: [String: JSONObject]
        switch forms {
        case .success(let f): (forked, forkInputs) = f
        case .failure(let refusal): return .end(.failed(refusal.reason))
        }

        var fork = Attempts.system(node, type: .fork, defName: TaskType.fork.rawValue, status: .completed, request, ctx)
        fork.endTime = ctx.now
        fork.executed = true
        fork.inputData["forkedTasks"] = .array(forked.map { .string($0.taskReferenceName) })
        fork.inputData["forkedTaskDefs"] = .array(forked.map { .object($0.json) })
        var branches: [WorkflowTask] = []
        if wf.task(ref: node.taskReferenceName) == nil {
            for node in forked {
                var params = node.inputParameters
                for (k, v) in forkInputs[node.taskReferenceName] ?? JSONObject() { params[k] = v }
                var json = node.json
                json["inputParameters"] = .object(params)
                guard let branch = try? WorkflowTask(json: .object(json), path: "forkedTask") else { continue }
                let taken = wf.tasks.contains { $0.referenceTaskName == branch.taskReferenceName && ($0.status == .inProgress || $0.status.isTerminal) }
                if taken {
                    return .end(.failed("No dynamic tasks could be created for the Workflow: \(wf.workflowName).\(wf.workflowVersion)/\(wf.workflowId), Dynamic Fork Task: \(branch.taskReferenceName) attempted to create a duplicate task reference name: \(branch.taskReferenceName)"))
                }
                branches.append(branch)
            }
        }
        guard let joinNode = wf.definition.nextTask(after: node.taskReferenceName), joinNode.taskType == .join else {
            return .end(.failed("Dynamic join definition is not followed by a join task.  Check the workflow definition."))
        }
        var join = Attempts.system(joinNode, type: .join, defName: TaskType.join.rawValue, status: .inProgress, request, ctx)
        join.inputData["joinOn"] = .array(branches.map { .string($0.taskReferenceName) })
        return Mapping(tasks: [fork], next: branches, tail: [join])
    }

    var isRetriedOnFailure: Bool { false }

    /// Why the input cannot be forked, in OSS's words.
    struct Refusal: Error { var reason: String }

    /// `forkTaskInputs` as a list: one task per element, named `_<name>_<i>`.
    private static func simpleForm(_ node: WorkflowTask, input: JSONObject, anotherRan: Bool, _ ctx: DecideContext)
        -> Result<([WorkflowTask], [String: JSONObject]), Refusal>? {
        guard case .array(let inputs)? = input["forkTaskInputs"] else { return nil }
        let subWorkflow = input["forkTaskWorkflow"]?.stringValue
        let subVersion = input["forkTaskWorkflowVersion"].flatMap { $0.stringValue.flatMap { Int($0) } ?? $0.int64Value.map { Int($0) } }
        let type = input["forkTaskType"]?.stringValue
        var name = input["forkTaskName"]?.stringValue
        if let type, name == nil, let builtIn = TaskType(nodeType: type), !builtIn.behavior.isWorkerTask { name = type }
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
                json["type"] = .string(TaskType.subWorkflow.rawValue)
                var sub: JSONObject = ["name": .string(subWorkflow)]
                if let subVersion { sub["version"] = .int(Int64(subVersion)) }
                if case .object(let o) = element, let domains = o["taskToDomain"] { sub["taskToDomain"] = domains }
                json["subWorkflowParam"] = .object(sub)
            } else {
                json["name"] = .string(taskName)
                json["type"] = .string(type ?? TaskType.simple.rawValue)
            }
            if node.optional { json["optional"] = true }
            do {
                tasks.append(try Attempts.withDefinition(try WorkflowTask(json: .object(json), path: "forkTaskInputs[\(i)]"), ctx))
            } catch {
                return .failure(Refusal(reason: error.message))
            }
            inputsByRef[ref] = params
        }
        return .success((tasks, inputsByRef))
    }

    /// `dynamicForkTasksParam`: a list of WorkflowTask objects, with inputs by reference name.
    private static func taskListForm(_ node: WorkflowTask, input: JSONObject, _ ctx: DecideContext)
        -> Result<([WorkflowTask], [String: JSONObject]), Refusal> {
        let param = node.dynamicForkTasksParam ?? ""
        let raw = input[param] ?? .null
        let invalid = Refusal(reason: "Input '\(param)' is invalid. Cannot deserialize a list of Workflow Tasks from '\(JSONWriter.string(raw))'")
        guard case .array(let items) = raw else {
            if raw.isNull { return inputsMap(node, input: input).map { ([], $0) } }
            return .failure(invalid)
        }
        var tasks: [WorkflowTask] = []
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item, o["taskReferenceName"]?.stringValue != nil,
                  let parsed = try? WorkflowTask(json: item, path: "\(param)[\(i)]"),
                  let task = try? Attempts.withDefinition(parsed, ctx) else { return .failure(invalid) }
            tasks.append(task)
        }
        if let refusal = invalidEntry(for: tasks, node, input: input) { return .failure(refusal) }
        return inputsMap(node, input: input).map { (tasks, $0) }
    }

    /// The inputs by reference name. A present entry that is not an object cannot be forked (OSS);
    /// a missing or null one is an empty input.
    private static func inputsMap(_ node: WorkflowTask, input: JSONObject) -> Result<[String: JSONObject], Refusal> {
        let value = input[node.dynamicForkTasksInputParamName ?? ""] ?? .null
        guard case .object(let map) = value else {
            return .failure(Refusal(reason: "Input to the dynamically forked tasks is not a map -> expecting a map of K,V  but found \(value.isNull ? "null" : JSONWriter.string(value))"))
        }
        var out: [String: JSONObject] = [:]
        for (ref, v) in map { out[ref] = v.objectValue ?? JSONObject() }
        return .success(out)
    }

    /// A forked task whose entry in the inputs map is present and not an object: OSS's cast of it to a
    /// map throws, and the mapper ends the workflow with the JVM's words. A missing or null entry is an
    /// empty input.
    private static func invalidEntry(for tasks: [WorkflowTask], _ node: WorkflowTask, input: JSONObject) -> Refusal? {
        guard case .object(let map)? = input[node.dynamicForkTasksInputParamName ?? ""] else { return nil }
        for task in tasks {
            guard let entry = map[task.taskReferenceName], !entry.isNull, entry.objectValue == nil else { continue }
            let javaType: String
            switch entry {
            case .string: javaType = "java.lang.String"
            case .int: javaType = "java.lang.Integer"
            case .double: javaType = "java.lang.Double"
            case .bool: javaType = "java.lang.Boolean"
            default: javaType = "java.util.ArrayList"
            }
            return Refusal(reason: "Tasks could not be dynamically forked due to invalid input: class \(javaType) cannot be cast to class java.util.Map (\(javaType) and java.util.Map are in module java.base of loader 'bootstrap')")
        }
        return nil
    }

    /// Legacy `dynamicForkJoinTasksParam`: `{"dynamicTasks": [{taskName, referenceName, type, input}]}`.
    private static func legacyForm(_ node: WorkflowTask, input: JSONObject, _ ctx: DecideContext)
        -> Result<([WorkflowTask], [String: JSONObject]), Refusal> {
        let param = node.dynamicForkJoinTasksParam ?? ""
        guard case .array(let list)? = input[param]?["dynamicTasks"] else {
            return .failure(Refusal(reason: "Dynamic tasks could not be created. The value of \(param) from task's input \(JSONWriter.string(.object(input))) has no dynamic tasks to be scheduled"))
        }
        var tasks: [WorkflowTask] = []
        var inputs: [String: JSONObject] = [:]
        for (i, item) in list.enumerated() {
            let ref = item["referenceName"]?.stringValue ?? ""
            var json: JSONObject = ["name": item["taskName"] ?? "", "taskReferenceName": .string(ref), "type": item["type"] ?? .string(TaskType.simple.rawValue)]
            if let wfName = item["workflowName"], !wfName.isNull { json["subWorkflowParam"] = ["name": wfName] }
            do {
                tasks.append(try Attempts.withDefinition(try WorkflowTask(json: .object(json), path: "\(param).dynamicTasks[\(i)]"), ctx))
            } catch {
                return .failure(Refusal(reason: error.message))
            }
            inputs[ref] = item["input"]?.objectValue ?? JSONObject()
        }
        return .success((tasks, inputs))
    }
}
