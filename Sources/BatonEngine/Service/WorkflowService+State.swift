import BatonSupport

/// Changes to a workflow from outside it that name no task id: variables, state updates (Orkes) and
/// signals to the blocked task (OSS).
extension WorkflowService {
    /// Orkes `POST /workflow/{id}/variables`: merges and returns the workflow.
    public func updateVariables(_ id: String, _ variables: JSONObject) throws(EngineError) -> [UInt8] {
        try loop.perform { changes throws(EngineError) in try Commands.updateVariables(id, variables, in: changes) }
        return try workflowJSON(id: id, includeTasks: true)
    }

    /// Orkes `POST /workflow/{id}/state`: applies the update, then waits as a synchronous execute.
    public func updateState(_ id: String, _ update: WorkflowStateUpdate, options: ExecuteOptions,
                            done: @escaping @Sendable (Result<Execution, EngineError>) -> Void) {
        performAndAwait(id, refs: options.waitUntilTaskRefs, millis: Int64(options.waitForSeconds) * 1000, { changes throws(EngineError) in
            try Commands.updateState(id, update, in: changes)
        }, done: { done($0.map(\.execution)) })
    }

    /// `POST /tasks/{workflowId}/{status}/signal`: true when a blocked task was signalled.
    @discardableResult
    public func signal(_ id: String, status: TaskResultStatus, output: JSONObject) throws(EngineError) -> Bool {
        try loop.perform { changes throws(EngineError) in try Commands.signal(id, status: status, output: output, in: changes) } != nil
    }

    /// `.../signal/sync`: signals, then waits for the workflow to end or block again; nil when nothing
    /// was blocked (and nothing changed).
    public func signalAndAwait(_ id: String, status: TaskResultStatus, output: JSONObject, timeoutMillis: Int64,
                               done: @escaping @Sendable (Result<Execution?, EngineError>) -> Void) {
        performAndAwait(id, refs: [], millis: timeoutMillis, wait: { $0 != nil }, { changes throws(EngineError) in
            try Commands.signal(id, status: status, output: output, in: changes)
        }, done: { done($0.map { $0.value == nil ? nil : $0.execution }) })
    }

    /// `POST /workflow/{id}/messages`: the new message's id.
    public func sendMessage(_ id: String, payload: JSONObject) throws(EngineError) -> String {
        try loop.perform { changes throws(EngineError) in try Commands.sendMessage(id, payload: payload, in: changes) }
    }
}
