import BatonSupport

/// The worker protocol and the queues: polls, updates, logs, queue sizes and poll data.
extension WorkflowService {
    /// Batch poll with long-polling: answers `done` as soon as a task is queued (woken by the commit
    /// that queued it), or empty after `timeoutMillis` of the engine's clock — under a manual clock,
    /// once it is advanced past the deadline, however long that takes. A stopping server answers
    /// parked polls. No thread is held while the poll is parked.
    public func poll(taskType: String, workerId: String?, domain: String?, count: Int, timeoutMillis: Int,
                     done: @escaping @Sendable (Result<[TaskModel], EngineError>) -> Void) {
        let query = LongPoll.Query(taskType: taskType, workerId: workerId, domain: domain, count: count)
        LongPoll(self, query, deadline: env.clock.now + Int64(timeoutMillis)) { [self] result in
            if case .success(let tasks) = result {
                workerCalls.add(tasks.isEmpty ? WorkerCall.pollEmpty.rawValue : WorkerCall.pollWithTask.rawValue)
            }
            done(result)
        }.look()
    }

    func pollOnce(taskType: String, workerId: String?, domain: String?, count: Int) throws(EngineError) -> [TaskModel] {
        try loop.perform(durable: false) { changes in
            Commands.poll(taskType: taskType, domain: domain, workerId: workerId, count: count, in: changes)
        }
    }

    @discardableResult
    public func update(_ result: TaskResult) throws(EngineError) -> TaskModel {
        workerCalls.add(WorkerCall.update.rawValue)
        return try loop.perform { changes throws(EngineError) in try Commands.updateTask(result, in: changes) }
    }

    /// `update-v2`: the update, then (if the task is now terminal) the next task of the same type and
    /// domain for the same worker, in the same command.
    public func updateAndPollNext(_ result: TaskResult) throws(EngineError) -> TaskModel? {
        workerCalls.add(WorkerCall.update.rawValue)
        return try loop.perform { changes throws(EngineError) -> TaskModel? in
            let task = try Commands.updateTask(result, in: changes)
            guard task.status.isTerminal, !task.isSystemTask else { return nil }
            return Commands.poll(taskType: task.taskType, domain: task.domain, workerId: result.workerId ?? task.workerId, count: 1, in: changes).first
        }
    }

    public func update(workflowId: String, ref: String, status: TaskResultStatus, output: JSONObject, workerId: String?) throws(EngineError) -> TaskModel? {
        workerCalls.add(WorkerCall.update.rawValue)
        return try loop.perform { changes throws(EngineError) in
            try Commands.updateTask(workflowId: workflowId, ref: ref, status: status, output: output, workerId: workerId, in: changes)
        }
    }

    public func appendLog(taskId: String, log: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Commands.appendLog(taskId: taskId, log: log, in: changes) }
    }

    public func logs(taskId: String) throws(EngineError) -> [TaskExecLog] {
        do { return try store.taskLogs(taskId: taskId) } catch { throw .storage(error) }
    }

    public func taskJSON(id: String) throws(EngineError) -> [UInt8] {
        let bytes: [UInt8]?
        do { bytes = try store.taskJSON(id: id) } catch { throw .storage(error) }
        guard let bytes else { throw .taskNotFound(taskId: id) }
        return bytes
    }

    public func requeue(taskType: String) throws(EngineError) -> Int {
        try loop.perform { changes in Commands.requeue(taskType: taskType, in: changes) }
    }

    // MARK: Queue reads (run in a batch: only the batch's thread reads the state)

    public func queueSizes(_ names: [String]) throws(EngineError) -> [(String, Int)] {
        try read { state in names.map { ($0, state.queueSize($0)) } }
    }

    public func queueSize(type: String, domain: String?) throws(EngineError) -> Int {
        try read { $0.queueSize(QueueNames.name(type: type, domain: domain)) }
    }

    public func allQueueSizes() throws(EngineError) -> [(String, Int)] {
        try read { state in state.queues.filter { $0.value.count > 0 }.map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 } }
    }

    public func pollData(type: String) throws(EngineError) -> [PollData] {
        try read { state in state.pollData.values.filter { $0.queueName == type }.sorted { ($0.domain ?? "") < ($1.domain ?? "") } }
    }

    public func allPollData() throws(EngineError) -> [PollData] {
        try read { state in state.pollData.values.sorted { ($0.queueName, $0.domain ?? "") < ($1.queueName, $1.domain ?? "") } }
    }

    /// The tasks waiting in a queue, in hand-out order.
    public func pendingTasks(taskType: String, start: Int, count: Int) throws(EngineError) -> [TaskModel] {
        try read { state in
            let ids = state.queues[taskType]?.orderedTaskIds() ?? []
            // Negative paging counts as none (OSS answers 500 for it).
            return ids.dropFirst(max(0, start)).prefix(max(0, count)).compactMap { id in
                state.activeWorkflowId(ofTask: id).flatMap { state.workflows[$0]?.tasks.first { $0.taskId == id } }
            }
        }
    }

    private func read<T: Sendable>(_ body: @escaping (EngineState) -> T) throws(EngineError) -> T {
        try loop.perform(durable: false) { changes in body(changes.state) }
    }
}
