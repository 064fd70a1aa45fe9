import BatonSupport

extension EngineCore {
    var decider: Decider {
        Decider(now: now, lastPollTime: { [pollData] queue in
            // Poll data is keyed by type and domain; `queue` is `domain:type`.
            let parts = queue.split(separator: ":", maxSplits: 1).map(String.init)
            let key = parts.count == 2 ? Self.pollKey(parts[1], parts[0]) : Self.pollKey(queue, nil)
            return pollData[key]?.lastPollTime
        }, taskDefNamed: { [metadata] in try? metadata.taskDef(named: $0) })
    }

    /// Stores a new workflow after its first decide pass (so its first tasks are already scheduled).
    func start(_ workflow: WorkflowModel) -> String {
        var wf = workflow
        wf.createTime = wf.createTime == 0 ? now : wf.createTime
        let effects = decider.decide(&wf)
        save(wf, old: nil)
        handle(effects, of: wf.workflowId)
        return wf.workflowId
    }

    /// Runs a decide pass on an active workflow; a no-op for ended or unknown ones.
    func decide(_ workflowId: String) {
        guard let old = workflows[workflowId] else { return }
        var wf = old
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: workflowId)
    }

    /// Changes an active workflow with `change`, then decides it and saves.
    func update(_ workflowId: String, _ change: (inout WorkflowModel) throws -> Void) rethrows {
        guard let old = workflows[workflowId] else { return }
        var wf = old
        try change(&wf)
        let effects = decider.decide(&wf)
        save(wf, old: old)
        handle(effects, of: workflowId)
    }

    /// Acts on what a decide pass asked for once the workflow itself is saved.
    func handle(_ effects: DecideEffects, of workflowId: String) {
        if let failure = effects.failureWorkflow { startFailureWorkflow(failure, for: workflowId) }
    }

    /// Starts the failed workflow's `failureWorkflow` and records its id (or why it could not start) in
    /// the failed workflow's output as `conductor.failure_workflow`.
    private func startFailureWorkflow(_ failure: FailureWorkflowStart, for workflowId: String) {
        guard let failed = pendingWorkflowState(workflowId) else { return }
        var input = failed.input
        input["workflowId"] = .string(failed.workflowId)
        input["reason"] = failed.reasonForIncompletion.map(JSONValue.string) ?? .null
        input["failureStatus"] = .string(failed.status.rawValue)
        if let id = failure.failedTaskId { input["failureTaskId"] = .string(id) }
        input["failedWorkflow"] = .object(failed.json(includeTasks: true))
        var note: JSONValue
        do {
            guard let def = try metadata.workflowDef(name: failure.name, version: failure.version) else {
                throw EngineError.notFound("No such workflow defined. name=\(failure.name), version=\(failure.version.map(String.init) ?? "null")")
            }
            var child = try WorkflowFactory(metadata: metadata).make(definition: def, input: input, now: now)
            child.correlationId = failed.correlationId
            child.taskToDomain = failed.taskToDomain
            note = .string(start(child))
        } catch {
            let message = (error as? EngineError)?.message ?? "\(error)"
            note = .string("Error workflow \(failure.name) failed to start.  reason: \(message)")
        }
        var updated = failed
        updated.output["conductor.failure_workflow"] = note
        rewriteEnded(updated)
    }

    /// The latest state of a workflow written in this batch or still active.
    func pendingWorkflowState(_ id: String) -> WorkflowModel? {
        workflows[id] ?? pendingWorkflowsSnapshot(id)
    }
}
