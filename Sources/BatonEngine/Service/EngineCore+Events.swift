import BatonSupport

/// EVENT tasks and event handlers: a message published to a `conductor:` queue runs the actions of
/// every active handler listening on that queue (in the same batch, right after the publishing save).
extension EngineCore {
    /// Publishes an EVENT task's output and completes it (IN_PROGRESS with `asyncComplete`).
    func publishEvent(_ task: TaskModel, of workflowId: String) {
        guard let wf = workflows[workflowId], let i = wf.index(ofTask: task.taskId) else { return }
        let sink = InputResolution(workflow: wf, taskId: task.taskId).resolve(["sink": .string(task.workflowTask.sink ?? "")])["sink"]?.stringValue ?? ""
        let queue: String
        if sink == "conductor" {
            queue = "conductor:\(wf.workflowName):\(task.referenceTaskName)"
        } else if sink.hasPrefix("conductor:"), sink.split(separator: ":").count == 2 {
            queue = "conductor:\(wf.workflowName):\(sink.dropFirst("conductor:".count))"
        } else {
            let reason = sink.hasPrefix("conductor") ? "Invalid / Unsupported sink specified: \(sink)"
                : "Invalid / Unsupported sink specified: \(sink) (Baton publishes only to the conductor sink)"
            update(workflowId) { wf in
                wf.tasks[i].status = .failed
                wf.tasks[i].reasonForIncompletion = reason
            }
            return
        }
        var output = task.inputData
        output["workflowInstanceId"] = .string(wf.workflowId)
        output["workflowType"] = .string(wf.workflowName)
        output["workflowVersion"] = .int(Int64(wf.workflowVersion))
        output["correlationId"] = wf.correlationId.map(JSONValue.string) ?? .null
        output["taskToDomain"] = .object(wf.taskToDomain)
        output["event_produced"] = .string(queue)
        update(workflowId) { wf in
            wf.tasks[i].outputData = output
            wf.tasks[i].startTime = now
            wf.tasks[i].status = task.workflowTask.asyncComplete ? .inProgress : .completed
        }
        followUps.append(.publish(queue, output))
    }

    /// Runs the handlers of `queue` on a message. Failures are logged: the publisher never fails.
    func deliver(_ message: JSONObject, to queue: String) {
        guard let events else { return }
        let handlers: [EventHandler]
        do { handlers = try events.eventHandlers(forEvent: queue).filter(\.active) } catch {
            log.error("cannot read event handlers", ["event": queue, "error": "\(error)"])
            return
        }
        for handler in handlers {
            do {
                guard try conditionHolds(handler, message) else { continue }
                for action in handler.actions { try run(action, of: handler, message) }
            } catch {
                log.warning("event handler failed", ["handler": handler.name, "event": queue, "error": (error as? EngineError)?.message ?? "\(error)"])
            }
        }
    }

    private func conditionHolds(_ handler: EventHandler, _ message: JSONObject) throws -> Bool {
        guard let condition = handler.condition, !condition.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        if handler.evaluatorType == "value-param" { return Decider.isTruthy(message[condition] ?? .null) || message[condition] == .string("true") }
        return Decider.isTruthy(try JavaScript.evaluate(condition, input: .object(message)))
    }

    private func run(_ action: JSONObject, of handler: EventHandler, _ message: JSONObject) throws {
        let kind = action["action"]?.stringValue ?? ""
        let params = ParameterResolver(root: { message[$0] }).resolve(action[kind]?.objectValue ?? JSONObject())
        switch kind {
        case "complete_task", "fail_task":
            let status: TaskResultStatus = kind == "complete_task" ? .completed : .failed
            let output = params["output"]?.objectValue ?? JSONObject()
            if let taskId = params["taskId"]?.stringValue, !taskId.isEmpty, let wfId = activeWorkflowId(ofTask: taskId) {
                var result = TaskResult(workflowInstanceId: wfId, taskId: taskId, status: status, outputData: output)
                if let wf = workflows[wfId], let t = wf.tasks.first(where: { $0.taskId == taskId }) {
                    var merged = t.outputData
                    for (k, v) in output { merged[k] = v }
                    result.outputData = merged
                }
                _ = try updateTask(result)
            } else if let wfId = params["workflowId"]?.stringValue, let ref = params["taskRefName"]?.stringValue {
                _ = try updateTask(workflowId: wfId, ref: ref, status: status, output: output, workerId: nil)
            }
        case "start_workflow":
            let name = params["name"]?.stringValue ?? ""
            let version = params["version"]?.int64Value.map { Int($0) }
            guard let def = try metadata.workflowDef(name: name, version: version) else {
                throw EngineError.notFound("No such workflow defined. name=\(name), version=\(version.map(String.init) ?? "null")")
            }
            var wf = try WorkflowFactory(metadata: metadata).make(definition: def, input: params["input"]?.objectValue ?? JSONObject(), now: now)
            wf.correlationId = params["correlationId"]?.stringValue
            wf.taskToDomain = params["taskToDomain"]?.objectValue ?? JSONObject()
            wf.event = handler.event
            _ = start(wf)
        case "terminate_workflow":
            if let id = params["workflowId"]?.stringValue {
                try terminate(id, reason: params["terminationReason"]?.stringValue, triggerFailureWorkflow: false)
            }
        case "update_workflow_variables":
            guard let id = params["workflowId"]?.stringValue, let old = workflows[id] else { return }
            let append = params["appendArray"]?.boolValue ?? false
            var wf = old
            for (k, v) in params["variables"]?.objectValue ?? JSONObject() {
                if append, case .array(let existing)? = wf.variables[k], case .array(let more) = v {
                    wf.variables[k] = .array(existing + more)
                } else {
                    wf.variables[k] = v
                }
            }
            save(wf, old: old)
        default:
            break
        }
    }
}
