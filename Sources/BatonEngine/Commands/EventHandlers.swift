import BatonSupport

/// Event handlers: a message published to a `conductor:` queue runs the actions of every active handler
/// listening on that queue, inside the change that published it. Each handler runs from a savepoint: a
/// handler whose condition or action fails is rolled back alone and logged; the publisher never fails.
enum EventHandlers {
    private static let log = Logger(label: "baton.events")

    static func deliver(_ message: JSONObject, to queue: String, in changes: ChangeSet) throws(EngineError) {
        guard let events = changes.env.events else { return }
        let handlers: [EventHandler]
        do { handlers = try events.eventHandlers(forEvent: queue).filter(\.active) } catch {
            log.error("cannot read event handlers", ["event": queue, "error": "\(error)"])
            return
        }
        for handler in handlers {
            let point = changes.savepoint()
            do {
                guard try conditionHolds(handler, message, changes) else { continue }
                for action in handler.actions { try run(action, of: handler, message, in: changes) }
            } catch {
                // A failing step underneath (injected or real storage) fails the whole command.
                if case .storage = error { throw error }
                changes.rollback(to: point)
                log.warning("event handler failed", ["handler": handler.name, "event": queue, "error": error.message])
            }
        }
    }

    private static func conditionHolds(_ handler: EventHandler, _ message: JSONObject, _ changes: ChangeSet) throws(EngineError) -> Bool {
        guard let condition = handler.condition, !condition.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        if handler.evaluatorType == "value-param" { return (message[condition] ?? .null).isTruthy || message[condition] == .string("true") }
        do {
            return try changes.env.scripts.javascript(condition, input: .object(message)).isTruthy
        } catch {
            throw .invalid(error.message)
        }
    }

    private static func run(_ action: JSONObject, of handler: EventHandler, _ message: JSONObject, in changes: ChangeSet) throws(EngineError) {
        let kind = action["action"]?.stringValue ?? ""
        let params = ParameterResolver(root: { message[$0] }).resolve(action[kind]?.objectValue ?? JSONObject())
        switch kind {
        case "complete_task", "fail_task":
            let status: TaskResultStatus = kind == "complete_task" ? .completed : .failed
            let output = params["output"]?.objectValue ?? JSONObject()
            if let taskId = params["taskId"]?.stringValue, !taskId.isEmpty, let wfId = changes.owner(ofTask: taskId) {
                var result = TaskResult(workflowInstanceId: wfId, taskId: taskId, status: status, outputData: output)
                if let t = changes.active(wfId)?.tasks.first(where: { $0.taskId == taskId }) {
                    var merged = t.outputData
                    for (k, v) in output { merged[k] = v }
                    result.outputData = merged
                }
                _ = try Commands.updateTask(result, in: changes)
            } else if let wfId = params["workflowId"]?.stringValue, let ref = params["taskRefName"]?.stringValue {
                _ = try Commands.updateTask(workflowId: wfId, ref: ref, status: status, output: output, workerId: nil, in: changes)
            }
        case "start_workflow":
            let name = params["name"]?.stringValue ?? ""
            let version = params["version"]?.int64Value.map { Int($0) }
            guard let def = try changes.workflowDef(name: name, version: version) else {
                throw .workflowDefNotFound(name: name, version: version)
            }
            var wf = try WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids)
                .make(definition: def, input: params["input"]?.objectValue ?? JSONObject(), now: changes.now)
            wf.correlationId = params["correlationId"]?.stringValue
            wf.taskToDomain = params["taskToDomain"]?.objectValue ?? JSONObject()
            wf.event = handler.event
            Commands.start(wf, in: changes)
        case "terminate_workflow":
            if let id = params["workflowId"]?.stringValue {
                try Commands.terminate(id, reason: params["terminationReason"]?.stringValue, triggerFailureWorkflow: false, in: changes)
            }
        case "update_workflow_variables":
            guard let id = params["workflowId"]?.stringValue, var wf = changes.active(id) else { return }
            let append = params["appendArray"]?.boolValue ?? false
            for (k, v) in params["variables"]?.objectValue ?? JSONObject() {
                if append, case .array(let existing)? = wf.variables[k], case .array(let more) = v {
                    wf.variables[k] = .array(existing + more)
                } else {
                    wf.variables[k] = v
                }
            }
            changes.save(wf)
        default:
            break
        }
    }
}
