import BatonSupport

/// SUB_WORKFLOW: runs a child workflow (by name and version, the latest, or an inline definition) and
/// ends with the child's status and output. The child starts in the same change that schedules the
/// task; the task goes IN_PROGRESS with the child's id before the child runs, so a child that ends at
/// once still finds its parent waiting. Cancelling the task terminates the child.
struct SubWorkflow: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        var errors: [String] = []
        // OSS `WorkflowTaskTypeConstraint.isSubWorkflowTaskValid`.
        if node.subWorkflowParam == nil { errors.append(Validation.required("subWorkflowParam", node)) }
        // OSS `SubWorkflowParams.setWorkflowDefinition`: a string must be a `${...}` expression.
        if case .string(let s)? = node.subWorkflowParam?["workflowDefinition"], !s.hasPrefix("${") || !s.hasSuffix("}") {
            errors.append("workflowDefinition is a string, but not a valid DSL string")
        }
        return errors
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        var t = Attempts.system(node, type: .subWorkflow, status: .scheduled, request, ctx)
        let resolution = InputResolution(workflow: request.workflow, taskId: t.taskId)
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
        return Mapping(tasks: [t])
    }

    func launch(_ task: TaskModel) -> Effect? { .startChild(taskId: task.taskId) }
    func isAsyncComplete(_ task: TaskModel) -> Bool { true }
    func childWorkflowId(_ task: TaskModel) -> String? { task.subWorkflowId }

    func cancel(_ task: TaskModel, reason: String) -> [Effect] {
        guard let child = task.subWorkflowId else { return [] }
        return [.terminateChild(workflowId: child, reason: reason)]
    }

    // MARK: In the engine

    /// Starts the child of a SCHEDULED task of `parentId`. A child that cannot be started fails the task.
    static func startChild(taskId: String, of parentId: String, in changes: ChangeSet) throws(EngineError) {
        guard var parent = changes.active(parentId), let i = parent.index(ofTask: taskId), parent.tasks[i].status == .scheduled else { return }
        let input = parent.tasks[i].inputData
        let child: WorkflowModel
        do throws(EngineError) {
            let def: WorkflowDef
            var isInline = false
            if case .object(let inline)? = input["subWorkflowDefinition"] {
                def = try WorkflowDef(json: .object(inline), path: "subWorkflowDefinition")
                let errors = WorkflowDefValidator().validate(def, path: "subWorkflowDefinition")
                if !errors.isEmpty { throw EngineError.validation(errors) }
                isInline = true
            } else {
                let name = input["subWorkflowName"]?.stringValue ?? ""
                let version = input["subWorkflowVersion"]?.int64Value.map { Int($0) }
                guard let found = try changes.workflowDef(name: name, version: version) else {
                    throw EngineError.workflowDefNotFound(name: name, version: version)
                }
                def = found
            }
            var childInput = input["workflowInput"]?.objectValue ?? JSONObject()
            if childInput.isEmpty { childInput = input }
            if isInline { childInput["_systemMetadata"] = ["dynamic": true] }
            var made = try WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids).make(definition: def, input: childInput, now: changes.now)
            made.correlationId = parent.correlationId
            made.parentWorkflowId = parentId
            made.parentWorkflowTaskId = taskId
            made.taskToDomain = input["subWorkflowTaskToDomain"]?.objectValue ?? parent.taskToDomain
            made.priority = input["priority"]?.int64Value.map { Int($0) } ?? 0
            child = made
        } catch {
            if case .storage = error { throw error }
            return try Launches.fail(taskId, of: parentId, reason: error.message, in: changes)
        }
        parent.tasks[i].status = .inProgress
        parent.tasks[i].subWorkflowId = child.workflowId
        parent.tasks[i].outputData["subWorkflowId"] = .string(child.workflowId)
        parent.tasks[i].startTime = changes.now
        changes.save(parent)
        Commands.start(child, in: changes)
    }

    /// A child ended: its SUB_WORKFLOW task takes the child's status and output, and the parent moves.
    static func childEnded(_ childId: String, in changes: ChangeSet) throws(EngineError) {
        guard let child = try changes.workflow(childId), let parentId = child.parentWorkflowId,
              let taskId = child.parentWorkflowTaskId, let parent = changes.active(parentId),
              let i = parent.index(ofTask: taskId), !parent.tasks[i].status.isTerminal,
              parent.tasks[i].subWorkflowId == childId else { return }
        try changes.update(parentId) { wf throws(EngineError) in
            var t = wf.tasks[i]
            switch child.status {
            case .completed: t.status = .completed
            case .failed: t.status = .failed
            case .timedOut: t.status = .timedOut
            default: t.status = .canceled
            }
            var output = child.output
            output["subWorkflowId"] = .string(childId)
            t.outputData = output
            if !t.status.isSuccessful {
                t.reasonForIncompletion = "Sub workflow \(child.workflowName).\(child.workflowVersion)/\(childId) failure reason: \(child.reasonForIncompletion ?? "null")"
            }
            wf.tasks[i] = t
        }
    }
}
