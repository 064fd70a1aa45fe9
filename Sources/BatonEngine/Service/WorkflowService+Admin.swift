import BatonSupport

/// The admin and queue-admin operations (OSS `AdminService`, `DefaultEventQueueProcessor`).
extension WorkflowService {
    /// OSS pushes the id onto the decider queue and answers whether it was not there yet; Baton decides
    /// an active workflow now (true) and has nothing to do for an ended or unknown one (false).
    public func requeueSweep(_ id: String) throws(EngineError) -> Bool {
        try loop.perform { changes throws(EngineError) -> Bool in
            guard changes.active(id) != nil else { return false }
            Commands.decide(id, in: changes)
            return true
        }
    }

    /// OSS compares a workflow's queue entries with its tasks and repairs them; Baton's queues are
    /// derived from the same state the tasks are, in the same command, so there is never anything to
    /// repair: false (nothing repaired) for a workflow that exists.
    public func verifyAndRepair(_ id: String) throws(EngineError) -> Bool {
        guard try workflow(id: id) != nil else { throw .workflowNotFound(workflowId: id) }
        return false
    }

    public enum QueueTaskMatch: Sendable {
        case reference(String)
        case taskId(String)
    }

    /// `/api/queue/update/...`: what a message on OSS's status queues does — the open task (by id, or
    /// by reference name without the loop suffix) takes the status, with the message in its output.
    /// As on OSS, where the queue consumer drops them, an unknown workflow or no open task changes nothing.
    public func updateFromQueue(workflowId: String, match: QueueTaskMatch, status: TaskResultStatus, output: JSONObject) throws(EngineError) {
        var externalId: JSONObject = ["workflowId": .string(workflowId)]
        switch match {
        case .reference(let ref): externalId["taskRefName"] = .string(ref)
        case .taskId(let id): externalId["taskId"] = .string(id)
        }
        var message = output
        message["externalId"] = .string(JSONWriter.string(.object(externalId)))
        try loop.perform { changes throws(EngineError) in
            guard let wf = changes.active(workflowId) else { return }
            let open = wf.tasks.first { t in
                guard !t.status.isTerminal else { return false }
                switch match {
                case .reference(let ref): return baseReferenceName(t.referenceTaskName) == ref
                case .taskId(let id): return t.taskId == id
                }
            }
            guard let t = open else { return }
            var merged = t.outputData
            for (k, v) in message { merged[k] = v }
            _ = try Commands.updateTask(TaskResult(workflowInstanceId: t.workflowInstanceId, taskId: t.taskId, status: status, outputData: merged),
                                        in: changes)
        }
    }
}
