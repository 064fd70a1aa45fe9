import BatonSupport

/// The built-in tasks that reach outside one workflow: starting child and independent workflows, and
/// carrying a child's end back to its parent (and a parent's end down to its children).
extension EngineCore {
    /// Work a save discovered; done after the command that caused it, in the same batch.
    enum FollowUp {
        case launch(String)                        // start SUB_WORKFLOW / START_WORKFLOW tasks of this workflow
        case childEnded(String)                    // tell the parent
        case terminateChildren(String, [String])   // the workflow ended unsuccessfully: end these children
        case publish(String, JSONObject)           // an EVENT task's message for the handlers of a queue
    }

    /// Records what a new workflow state implies for other workflows.
    func noteFollowUps(_ wf: WorkflowModel, old: WorkflowModel?) {
        if !wf.status.isTerminal && wf.tasks.contains(where: { $0.status == .scheduled && Self.launchedTypes.contains($0.taskType) }) {
            followUps.append(.launch(wf.workflowId))
        }
        let ended = wf.status.isTerminal && (old.map { !$0.status.isTerminal } ?? true)
        guard ended else { return }
        if wf.parentWorkflowId != nil { followUps.append(.childEnded(wf.workflowId)) }
        if !wf.status.isSuccessful {
            let openBefore = Set((old?.tasks ?? []).filter { !$0.status.isTerminal }.map(\.taskId))
            let children = wf.tasks.filter { $0.taskType == "SUB_WORKFLOW" && openBefore.contains($0.taskId) }.compactMap(\.subWorkflowId)
            if !children.isEmpty { followUps.append(.terminateChildren(wf.workflowId, children)) }
        }
    }

    static let launchedTypes: Set<String> = ["SUB_WORKFLOW", "START_WORKFLOW", "HTTP", "EVENT"]

    /// Runs follow-ups until none are left (bounded: a cycle cannot spin forever).
    func drainFollowUps() {
        var budget = 10_000
        while !followUps.isEmpty && budget > 0 {
            budget -= 1
            let next = followUps.removeFirst()
            switch next {
            case .launch(let id): launchTasks(of: id)
            case .childEnded(let id): notifyParent(ofChild: id)
            case .terminateChildren(let parentId, let children): terminateChildren(children, parentId: parentId)
            case .publish(let queue, let message): deliver(message, to: queue)
            }
        }
    }

    private func launchTasks(of workflowId: String) {
        guard let wf = workflows[workflowId] else { return }
        for t in wf.tasks {
            switch (t.taskType, t.status) {
            case ("SUB_WORKFLOW", .scheduled): startSubWorkflow(t, of: workflowId)
            case ("START_WORKFLOW", .scheduled): startIndependentWorkflow(t, of: workflowId)
            case ("HTTP", .scheduled): launchHTTP(t, of: workflowId)
            case ("EVENT", .scheduled): publishEvent(t, of: workflowId)
            case ("HTTP", .inProgress) where t.outputData["response"] == nil && !inFlightHTTP.contains(t.taskId):
                // Resent after a restart.
                inFlightHTTP.insert(t.taskId)
                if case .success(let call) = HTTPTaskMapping.call(from: t.inputData) { dispatchHTTP?(call, workflowId, t.taskId) }
            default: continue
            }
        }
    }

    /// SUB_WORKFLOW: the child starts now; the task goes IN_PROGRESS with its id before the child runs,
    /// so a child that ends at once still finds its parent task waiting.
    private func startSubWorkflow(_ task: TaskModel, of parentId: String) {
        guard let parent = workflows[parentId] else { return }
        let input = task.inputData
        do {
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
                guard let found = try metadata.workflowDef(name: name, version: version) else {
                    throw EngineError.notFound("No such workflow defined. name=\(name), version=\(version.map(String.init) ?? "null")")
                }
                def = found
            }
            var childInput = input["workflowInput"]?.objectValue ?? JSONObject()
            if childInput.isEmpty { childInput = input }
            if isInline { childInput["_systemMetadata"] = ["dynamic": true] }
            var child = try WorkflowFactory(metadata: metadata).make(definition: def, input: childInput, now: now)
            child.correlationId = parent.correlationId
            child.parentWorkflowId = parentId
            child.parentWorkflowTaskId = task.taskId
            child.taskToDomain = input["subWorkflowTaskToDomain"]?.objectValue ?? parent.taskToDomain
            child.priority = input["priority"]?.int64Value.map { Int($0) } ?? 0
            var updated = parent
            if let i = updated.index(ofTask: task.taskId) {
                updated.tasks[i].status = .inProgress
                updated.tasks[i].subWorkflowId = child.workflowId
                updated.tasks[i].outputData["subWorkflowId"] = .string(child.workflowId)
                updated.tasks[i].startTime = now
            }
            save(updated, old: parent)
            _ = start(child)
        } catch {
            failLaunched(task, of: parentId, reason: (error as? EngineError)?.message ?? "\(error)")
        }
    }

    /// START_WORKFLOW: starts an independent workflow and completes at once with its id.
    private func startIndependentWorkflow(_ task: TaskModel, of parentId: String) {
        guard let parent = workflows[parentId] else { return }
        guard let body = task.inputData["startWorkflow"], !body.isNull else {
            failLaunched(task, of: parentId, reason: "Missing 'startWorkflow' in input data.")
            return
        }
        do {
            let request = try Self.startWorkflowRequest(body)
            let def: WorkflowDef
            if let embedded = request.workflowDef {
                def = embedded
            } else {
                guard let found = try metadata.workflowDef(name: request.name, version: request.version) else {
                    throw EngineError.notFound("No such workflow defined. name=\(request.name), version=\(request.version.map(String.init) ?? "null")")
                }
                def = found
            }
            var other = try WorkflowFactory(metadata: metadata).make(definition: def, input: request.input, now: now)
            other.correlationId = request.correlationId ?? parent.correlationId
            other.taskToDomain = request.taskToDomain.isEmpty ? parent.taskToDomain : request.taskToDomain
            other.priority = request.priority
            let id = start(other)
            guard let current = workflows[parentId] else { return }
            var updated = current
            if let i = updated.index(ofTask: task.taskId) {
                updated.tasks[i].status = .completed
                updated.tasks[i].outputData = ["workflowId": .string(id)]
                updated.tasks[i].startTime = now
            }
            let effects = decider.decide(&updated)
            save(updated, old: current)
            handle(effects, of: parentId)
        } catch {
            failLaunched(task, of: parentId, reason: (error as? EngineError)?.message ?? "\(error)")
        }
    }

    /// START_WORKFLOW's request, with its validation failures folded into one message as OSS words it.
    private static func startWorkflowRequest(_ body: JSONValue) throws -> StartRequest {
        let parsed = Result { () throws(EngineError) -> StartRequest in try StartRequest(json: body, path: "startWorkflow") }
        switch parsed {
        case .success(let request): return request
        case .failure(.validation(let errors)):
            throw EngineError.invalid("startWorkflow validation failed. " + errors.map { "'\($0.path)' -> \($0.message). " }.joined())
        case .failure(let other): throw other
        }
    }

    private func failLaunched(_ task: TaskModel, of workflowId: String, reason: String) {
        update(workflowId) { wf in
            guard let i = wf.index(ofTask: task.taskId) else { return }
            wf.tasks[i].status = .failed
            wf.tasks[i].reasonForIncompletion = reason
            wf.tasks[i].startTime = now
        }
    }

    /// A child ended: its SUB_WORKFLOW task takes the child's status and output, and the parent moves.
    private func notifyParent(ofChild childId: String) {
        guard let child = pendingWorkflowState(childId), let parentId = child.parentWorkflowId,
              let taskId = child.parentWorkflowTaskId, let parent = workflows[parentId],
              let i = parent.index(ofTask: taskId), !parent.tasks[i].status.isTerminal,
              parent.tasks[i].subWorkflowId == childId else { return }
        update(parentId) { wf in
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

    private func terminateChildren(_ children: [String], parentId: String) {
        guard let parent = pendingWorkflowState(parentId) else { return }
        let reason = parent.reasonForIncompletion.map { "Parent workflow has been terminated with reason: \($0)" }
            ?? "Parent workflow has been terminated with status \(parent.status.rawValue)"
        for child in children where workflows[child] != nil {
            try? terminate(child, reason: reason, triggerFailureWorkflow: false)
        }
    }
}
