import BatonSupport
import Synchronization

/// Starting, reading and executing workflows, and the worker protocol: what the API routes call.
public final class ExecutionService: Sendable {
    let engine: ExecutionEngine
    let store: any ExecutionStore
    let metadata: any MetadataStore
    let clock: any Clock
    private let log = Logger(label: "baton.execution")
    /// Prepared definitions (task definitions attached) by name and version, valid for one metadata
    /// generation: preparing costs a few lookups and a decode, and every start of a registered
    /// workflow needs one.
    private let prepared = Mutex<(generation: UInt64, defs: [String: WorkflowDef])>((0, [:]))

    public init(engine: ExecutionEngine, store: any ExecutionStore, metadata: any MetadataStore, clock: any Clock) {
        self.engine = engine
        self.store = store
        self.metadata = metadata
        self.clock = clock
    }

    // MARK: Starting

    /// Builds the execution for a start request: definition (embedded or registered), input, options.
    /// Done on the caller's thread so the engine thread only decides and saves.
    func makeWorkflow(_ request: StartRequest, notFound: (String, Int?) -> String) throws -> WorkflowModel {
        let def: WorkflowDef
        if let embedded = request.workflowDef {
            def = try WorkflowFactory(metadata: metadata).prepare(embedded)
        } else {
            def = try preparedDefinition(name: request.name, version: request.version, notFound: notFound)
        }
        var wf = try WorkflowFactory(metadata: metadata).make(definition: def, input: request.input, now: clock.now, prepared: true)
        wf.correlationId = request.correlationId
        wf.priority = request.priority
        wf.taskToDomain = request.taskToDomain
        wf.createdBy = request.createdBy
        wf.idempotencyKey = request.idempotencyKey
        return wf
    }

    private func preparedDefinition(name: String, version: Int?, notFound: (String, Int?) -> String) throws -> WorkflowDef {
        let key = "\(name)\u{1}\(version.map(String.init) ?? "latest")"
        let generation = metadata.generation
        if let hit = prepared.withLock({ $0.generation == generation ? $0.defs[key] : nil }) { return hit }
        guard let registered = try metadata.workflowDef(name: name, version: version) else {
            throw EngineError.notFound(notFound(name, version))
        }
        let def = try WorkflowFactory(metadata: metadata).prepare(registered)
        prepared.withLock { cache in
            if cache.generation != generation { cache = (generation, [:]) }
            cache.defs[key] = def
        }
        return def
    }

    /// `POST /workflow`: returns the new id once the first decide is committed.
    public func start(_ request: StartRequest) throws -> String {
        let wf = try makeWorkflow(request) { "No such workflow defined. name=\($0), version=\($1.map(String.init) ?? "null")" }
        let id = try engine.perform { core in core.start(wf) }
        log.debug("workflow started", ["workflowId": id, "name": wf.workflowName])
        return id
    }

    /// `POST /workflow/{name}`: input map plus query options.
    public func start(name: String, version: Int?, correlationId: String?, priority: Int?, input: JSONValue) throws -> String {
        guard case .object(let object) = input else {
            if input.isNull { throw EngineError.invalid("NULL input passed when starting workflow") }
            throw EngineError.invalid("the body must be a JSON object: the workflow input")
        }
        var request = StartRequest(name: name, version: version, input: object)
        request.correlationId = correlationId
        if let p = priority {
            guard (0...99).contains(p) else { throw EngineError.invalid("priority: \(p) should be between 0 and 99") }
            request.priority = p
        }
        let wf = try makeWorkflow(request) { "No such workflow found by name: \($0), version: \($1.map(String.init) ?? "null")" }
        return try engine.perform { core in core.start(wf) }
    }

    // MARK: Synchronous execute

    public struct ExecuteOptions: Sendable {
        public var requestId: String
        public var waitUntilTaskRefs: Set<String>
        public var waitForSeconds: Int
        public init(requestId: String, waitUntilTaskRefs: Set<String>, waitForSeconds: Int) {
            self.requestId = requestId
            self.waitUntilTaskRefs = waitUntilTaskRefs
            self.waitForSeconds = waitForSeconds
        }
    }

    /// Starts a workflow and answers when it ends, a listed task ends, or the wait runs out (then with
    /// the state of that moment). The waiter is registered in the same batch that starts the workflow
    /// and woken by the commit that satisfies it.
    public func execute(_ request: StartRequest, options: ExecuteOptions, returnStrategy: String = "TARGET_WORKFLOW") throws -> JSONObject? {
        let wf = try makeWorkflow(request) { "No such workflow defined. name=\($0), version=\($1.map(String.init) ?? "null")" }
        let waiters = engine.waiters
        let waiter = try engine.perform { core -> ExecutionWaiters.Waiter in
            let id = core.start(wf)
            return waiters.register(workflowId: id, refs: options.waitUntilTaskRefs)
        }
        let woke = waiter.wake.wait(millis: Int64(options.waitForSeconds) * 1000)
        var snapshot = woke ? waiter.snapshot : nil
        if snapshot == nil {
            waiters.forget(waiter)
            snapshot = try workflow(id: waiter.workflowId)
        }
        guard let final = snapshot else { throw EngineError.notFound("No such workflow found by id: \(waiter.workflowId)") }
        switch returnStrategy {
        case "BLOCKING_TASK", "BLOCKING_TASK_INPUT":
            // OSS answers 200 with an empty body when nothing blocks (the workflow ended or time ran out).
            guard let task = Self.blockingTask(final, refs: options.waitUntilTaskRefs) else { return nil }
            return Self.taskRun(task, of: final, requestId: options.requestId, strategy: returnStrategy, timedOut: !woke)
        default:
            var run = Self.workflowRun(final, requestId: options.requestId)
            run["responseType"] = .string(returnStrategy)
            return run
        }
    }

    /// The first task the caller was waiting on: an open WAIT without deadline, or a listed task that ended.
    static func blockingTask(_ wf: WorkflowModel, refs: Set<String>) -> TaskModel? {
        wf.tasks.first { t in
            ExecutionWaiters.isBlockingWait(t)
                || (t.status.isTerminal && (refs.contains(t.referenceTaskName) || refs.contains(baseReferenceName(t.referenceTaskName))))
        }
    }

    /// Conductor's `TaskRun` for the BLOCKING_TASK strategies.
    static func taskRun(_ t: TaskModel, of wf: WorkflowModel, requestId: String, strategy: String, timedOut: Bool) -> JSONObject {
        var o = JSONObject()
        o["responseType"] = .string(strategy)
        o["targetWorkflowId"] = .string(wf.workflowId)
        o["targetWorkflowStatus"] = .string(wf.status.rawValue)
        o["requestId"] = .string(requestId)
        o["workflowId"] = .string(t.workflowInstanceId)
        if let c = wf.correlationId { o["correlationId"] = .string(c) }
        o["input"] = .object(t.inputData)
        o["output"] = .object(t.outputData)
        o["signalTimeout"] = .bool(timedOut)
        o["taskType"] = .string(t.taskType)
        o["taskId"] = .string(t.taskId)
        o["referenceTaskName"] = .string(t.referenceTaskName)
        o["retryCount"] = .int(Int64(t.retryCount))
        o["taskDefName"] = .string(t.taskDefName)
        if let r = t.retriedTaskId { o["retriedTaskId"] = .string(r) }
        o["workflowType"] = .string(t.workflowType)
        if let r = t.reasonForIncompletion { o["reasonForIncompletion"] = .string(r) }
        o["priority"] = .int(Int64(t.workflowPriority))
        o["status"] = .string(t.status.rawValue)
        if let w = t.workerId { o["createdBy"] = .string(w) }
        o["createTime"] = .int(t.startTime)
        o["updateTime"] = .int(t.updateTime)
        return o
    }

    /// Conductor's `WorkflowRun` (TARGET_WORKFLOW).
    static func workflowRun(_ wf: WorkflowModel, requestId: String) -> JSONObject {
        var o = JSONObject()
        o["workflowId"] = .string(wf.workflowId)
        o["requestId"] = .string(requestId)
        if let c = wf.correlationId { o["correlationId"] = .string(c) }
        o["input"] = .object(wf.input)
        o["output"] = .object(wf.output)
        o["status"] = .string(wf.status.rawValue)
        o["tasks"] = .array(wf.tasks.map { .object($0.json()) })
        o["variables"] = .object(wf.variables)
        o["priority"] = .int(Int64(wf.priority))
        o["createTime"] = .int(wf.createTime)
        o["updateTime"] = .int(wf.updateTime)
        if let c = wf.createdBy { o["createdBy"] = .string(c) }
        o["responseType"] = "TARGET_WORKFLOW"
        o["targetWorkflowId"] = .string(wf.workflowId)
        o["targetWorkflowStatus"] = .string(wf.status.rawValue)
        return o
    }

    // MARK: Reading

    /// A workflow with its tasks (engine memory for active ones is committed state too, but storage is
    /// the one place every status lives).
    public func workflow(id: String) throws -> WorkflowModel? { try store.workflow(id: id) }

    public func workflowJSON(id: String, includeTasks: Bool) throws -> [UInt8] {
        guard let bytes = try store.workflowJSON(id: id, includeTasks: includeTasks) else {
            throw EngineError.notFound("No such workflow found by id: \(id)")
        }
        return bytes
    }

    public func status(id: String, includeOutput: Bool, includeVariables: Bool) throws -> JSONObject {
        guard let wf = try store.workflow(id: id) else { throw EngineError.notFound("No such workflow found by id: \(id)") }
        var o: JSONObject = ["workflowId": .string(wf.workflowId)]
        if let c = wf.correlationId, !c.isEmpty { o["correlationId"] = .string(c) }
        if includeOutput { o["output"] = .object(wf.output) }
        if includeVariables { o["variables"] = .object(wf.variables) }
        o["status"] = .string(wf.status.rawValue)
        return o
    }

    /// `GET /workflow/{id}/tasks`: a page of the task list, optionally by status.
    public func tasks(workflowId: String, start: Int, count: Int, statuses: [String]) throws -> (total: Int, page: [[UInt8]]) {
        guard try store.workflowJSON(id: workflowId, includeTasks: false) != nil else {
            throw EngineError.notFound("No such workflow found by id: \(workflowId)")
        }
        let all = try store.taskJSONs(workflowId: workflowId, statuses: statuses)
        return (all.count, Array(all.dropFirst(max(0, start)).prefix(max(0, count))))
    }

    // MARK: Worker protocol

    /// Batch poll with long-polling: returns as soon as a task is queued (woken by the commit that
    /// queued it), or empty after `timeoutMillis`.
    public func poll(taskType: String, workerId: String?, domain: String?, count: Int, timeoutMillis: Int) throws -> [TaskModel] {
        let queue = QueueNames.name(type: taskType, domain: domain)
        let deadline = clock.now + Int64(timeoutMillis)
        while true {
            let wake = engine.signals.register(queue)
            let tasks = try engine.perform(durable: false) { core in core.poll(taskType: taskType, domain: domain, workerId: workerId, count: count) }
            let remaining = deadline - clock.now
            if !tasks.isEmpty || remaining <= 0 {
                engine.signals.forget(wake, queue)
                return tasks
            }
            let woke = wake.wait(millis: remaining)
            engine.signals.forget(wake, queue)
            if !woke { return try engine.perform(durable: false) { core in core.poll(taskType: taskType, domain: domain, workerId: workerId, count: count) } }
        }
    }

    @discardableResult
    public func update(_ result: TaskResult) throws -> TaskModel {
        try engine.perform { core in try core.updateTask(result) }
    }

    /// `update-v2`: the update, then (if the task is now terminal) the next task of the same type and
    /// domain for the same worker, in the same batch.
    public func updateAndPollNext(_ result: TaskResult) throws -> TaskModel? {
        try engine.perform { core -> TaskModel? in
            let task = try core.updateTask(result)
            guard task.status.isTerminal, !task.isSystemTask else { return nil }
            return core.poll(taskType: task.taskType, domain: task.domain, workerId: result.workerId ?? task.workerId, count: 1).first
        }
    }

    public func update(workflowId: String, ref: String, status: TaskResultStatus, output: JSONObject, workerId: String?) throws -> TaskModel? {
        try engine.perform { core in try core.updateTask(workflowId: workflowId, ref: ref, status: status, output: output, workerId: workerId) }
    }

    public func appendLog(taskId: String, log: String) throws {
        try engine.perform { core in try core.appendLog(taskId: taskId, log: log) }
    }

    public func logs(taskId: String) throws -> [TaskExecLog] { try store.taskLogs(taskId: taskId) }

    public func taskJSON(id: String) throws -> [UInt8] {
        guard let bytes = try store.taskJSON(id: id) else { throw EngineError.notFound("No such task found by id: \(id)") }
        return bytes
    }

    public func queueSizes(_ types: [String]) throws -> [(String, Int)] {
        try engine.perform { core in types.map { ($0, core.queueSize($0)) } }
    }

    public func queueSize(type: String, domain: String?) throws -> Int {
        try engine.perform { core in core.queueSize(QueueNames.name(type: type, domain: domain)) }
    }

    public func allQueueSizes() throws -> [(String, Int)] {
        try engine.perform { core in core.allQueueSizes() }
    }

    public func pollData(type: String) throws -> [PollData] {
        try engine.perform { core in core.pollData(forType: type) }
    }

    public func allPollData() throws -> [PollData] {
        try engine.perform { core in core.pollData.values.sorted { ($0.queueName, $0.domain ?? "") < ($1.queueName, $1.domain ?? "") } }
    }

    public func requeue(taskType: String) throws -> Int {
        try engine.perform { core in core.requeue(taskType: taskType) }
    }

    public func pendingTasks(taskType: String, start: Int, count: Int) throws -> [TaskModel] {
        try engine.perform { core in core.pendingTasks(inQueue: taskType, start: start, count: count) }
    }

    public func decide(workflowId: String) throws {
        try engine.perform { core in
            guard try core.workflow(workflowId) != nil else { throw EngineError.notFound("No such workflow found by id: \(workflowId)") }
            core.decide(workflowId)
        }
    }
}

// MARK: Search and lookups

extension ExecutionService {
    public func search(_ query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) {
        try store.searchWorkflows(query)
    }

    public func runningWorkflowIds(name: String, version: Int, startTime: Int64?, endTime: Int64?) throws -> [String] {
        try store.runningWorkflowIds(name: name, version: version, startTime: startTime, endTime: endTime)
    }

    public func correlated(name: String, correlationId: String, includeClosed: Bool) throws -> [WorkflowModel] {
        try store.workflows(name: name, correlationId: correlationId, includeClosed: includeClosed)
    }
}
