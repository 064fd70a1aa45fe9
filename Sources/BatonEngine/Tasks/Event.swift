import BatonSupport

/// EVENT: publishes its input (with the workflow's identity) to a queue of the `conductor` sink, where
/// the event handlers listening on it run in the same change. It completes when published, or stays
/// IN_PROGRESS with `asyncComplete` until an update (often a handler's) completes it.
struct Event: TaskBehavior {
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        node.sink == nil ? [Validation.required("sink", node)] : []
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .event, status: .scheduled, request, ctx)])
    }

    func launch(_ task: TaskModel) -> Effect? { .publish(taskId: task.taskId) }
    func isAsyncComplete(_ task: TaskModel) -> Bool { task.workflowTask.asyncComplete }

    // MARK: In the engine

    static func publish(taskId: String, of workflowId: String, in changes: ChangeSet) throws(EngineError) {
        guard let wf = changes.active(workflowId), let i = wf.index(ofTask: taskId), wf.tasks[i].status == .scheduled else { return }
        let task = wf.tasks[i]
        let sink = InputResolution(workflow: wf, taskId: taskId).resolve(["sink": .string(task.workflowTask.sink ?? "")])["sink"]?.stringValue ?? ""
        let queue: String
        if sink == "conductor" {
            queue = "conductor:\(wf.workflowName):\(task.referenceTaskName)"
        } else if sink.hasPrefix("conductor:"), sink.split(separator: ":").count == 2 {
            queue = "conductor:\(wf.workflowName):\(sink.dropFirst("conductor:".count))"
        } else {
            let reason = sink.hasPrefix("conductor") ? "Invalid / Unsupported sink specified: \(sink)"
                : "Invalid / Unsupported sink specified: \(sink) (Baton publishes only to the conductor sink)"
            return try changes.update(workflowId) { wf throws(EngineError) in
                wf.tasks[i].status = .failed
                wf.tasks[i].reasonForIncompletion = reason
            }
        }
        var output = task.inputData
        output["workflowInstanceId"] = .string(wf.workflowId)
        output["workflowType"] = .string(wf.workflowName)
        output["workflowVersion"] = .int(Int64(wf.workflowVersion))
        output["correlationId"] = wf.correlationId.map(JSONValue.string) ?? .null
        output["taskToDomain"] = .object(wf.taskToDomain)
        output["event_produced"] = .string(queue)
        try changes.update(workflowId) { wf throws(EngineError) in
            wf.tasks[i].outputData = output
            wf.tasks[i].startTime = changes.now
            wf.tasks[i].status = task.workflowTask.asyncComplete ? .inProgress : .completed
        }
        try EventHandlers.deliver(output, to: queue, in: changes)
    }
}
