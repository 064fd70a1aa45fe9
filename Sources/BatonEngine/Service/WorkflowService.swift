import Dispatch
import BatonSupport
import Synchronization

/// What the API routes call: starting, executing and reading workflows (this file), the worker
/// protocol (`+Workers`) and management (`+Management`). Each change is one command run by the batch
/// loop; reads of ended workflows go straight to storage.
public final class WorkflowService: Sendable {
    let loop: BatchLoop
    var env: EngineEnvironment { loop.env }
    var store: any ExecutionStore { loop.env.store }
    private let log = Logger(label: "baton.execution")
    /// Worker calls: polls that handed out a task, polls that found none, task updates.
    public let workerCalls = AtomicCounters(3)
    public enum WorkerCall: Int { case pollWithTask, pollEmpty, update }

    public init(loop: BatchLoop) { self.loop = loop }

    /// The engine's clock (the manual one in tests): what "now" is for a running task's duration.
    public var now: Int64 { env.clock.now }

    // MARK: Starting

    /// Builds the execution for a start request: definition (embedded or registered), input, options.
    /// Done on the caller's thread so the batch only decides and saves.
    func makeWorkflow(_ request: StartRequest, notFound: (String, Int?) -> EngineError) throws(EngineError) -> WorkflowModel {
        let factory = WorkflowFactory(metadata: env.definitions, ids: env.ids)
        let def: WorkflowDef
        if let embedded = request.workflowDef {
            def = try factory.prepare(embedded)
        } else {
            def = try preparedDefinition(name: request.name, version: request.version, notFound: notFound)
        }
        return try factory.make(request, definition: def, now: env.clock.now)
    }

    private func preparedDefinition(name: String, version: Int?, notFound: (String, Int?) -> EngineError) throws(EngineError) -> WorkflowDef {
        guard let def = try env.definitions.preparedWorkflowDef(name: name, version: version, ids: env.ids) else { throw notFound(name, version) }
        return def
    }

    /// `POST /workflow`: returns the new id once the first decide is committed.
    public func start(_ request: StartRequest) throws(EngineError) -> String {
        let wf = try makeWorkflow(request) { .workflowDefNotFound(name: $0, version: $1) }
        let id = try loop.perform { changes in Commands.start(wf, in: changes) }
        log.debug("workflow started", ["workflowId": id, "name": wf.workflowName])
        return id
    }

    /// `POST /workflow/{name}`: input map plus query options.
    public func start(name: String, version: Int?, correlationId: String?, priority: Int?, input: JSONValue) throws(EngineError) -> String {
        guard case .object(let object) = input else {
            if input.isNull { throw .invalid("NULL input passed when starting workflow") }
            throw .invalid("the body must be a JSON object: the workflow input")
        }
        var request = StartRequest(name: name, version: version, input: object)
        request.correlationId = correlationId
        if let p = priority {
            guard (0...99).contains(p) else { throw .invalid("priority: \(p) should be between 0 and 99") }
            request.priority = p
        }
        let wf = try makeWorkflow(request) { .workflowDefNotFoundByName(name: $0, version: $1) }
        return try loop.perform { changes in Commands.start(wf, in: changes) }
    }

    // MARK: Synchronous execute

    public struct ExecuteOptions: Sendable {
        public var waitUntilTaskRefs: Set<String>
        public var waitForSeconds: Int
        public init(waitUntilTaskRefs: Set<String>, waitForSeconds: Int) {
            self.waitUntilTaskRefs = waitUntilTaskRefs
            self.waitForSeconds = waitForSeconds
        }
    }

    /// Where a synchronous execute stopped waiting.
    public struct Execution: Sendable {
        /// The workflow as it stood when the wait ended.
        public var workflow: WorkflowModel
        /// The workflow of the blocking task (a child's, when it blocks there), else `workflow`.
        public var blockingWorkflow: WorkflowModel
        /// The first task the caller was waiting on (an open WAIT without deadline, or a listed task
        /// that ended), if any.
        public var blockingTask: TaskModel?
        /// The wait ran out before anything it waited for happened.
        public var timedOut: Bool
    }

    /// Starts a workflow and answers `done` (on another thread) when it ends, a listed task ends, or
    /// the wait runs out (then with the state of that moment). No thread waits meanwhile.
    public func execute(_ request: StartRequest, options: ExecuteOptions,
                        done: @escaping @Sendable (Result<Execution, EngineError>) -> Void) {
        let wf: WorkflowModel
        do { wf = try makeWorkflow(request) { .workflowDefNotFound(name: $0, version: $1) } } catch { return done(.failure(error)) }
        performAndAwait(wf.workflowId, refs: options.waitUntilTaskRefs, millis: Int64(options.waitForSeconds) * 1000, { changes in
            _ = Commands.start(wf, in: changes)
        }, done: { done($0.map(\.execution)) })
    }

    /// Runs a command on `workflowId`'s tree, then waits as a synchronous execute does: for the
    /// workflow to end or block anywhere in its tree (an open WAIT without deadline, a listed task
    /// ended), at most `millis` of real time. The waiter is registered before the command runs and
    /// woken by the commit that satisfies it, so no change between the two is missed; nothing holds a
    /// thread while it waits, and `done` is called once, off the committer's thread.
    /// `wait` false for a command's value means there is nothing to wait for: the answer is at once.
    func performAndAwait<T: Sendable>(_ workflowId: String, refs: Set<String>, millis: Int64, wait: (T) -> Bool = { _ in true },
                                      _ command: @escaping (ChangeSet) throws(EngineError) -> T,
                                      done: @escaping @Sendable (Result<(value: T, execution: Execution), EngineError>) -> Void) {
        let waiters = loop.waiters
        let waiter = waiters.register(workflowId: workflowId, refs: refs)
        let value: T
        do {
            value = try loop.perform(command)
        } catch {
            waiters.forget(waiter)
            return done(.failure(error))
        }
        let answer: @Sendable (WorkflowModel?) -> Void = { [self] woken in
            // Storage and blocking-point reads stay off the thread that woke us (the committer's).
            DispatchQueue.global().async { [self] in
                done(Result { () throws(EngineError) in
                    (value, try awaited(workflowId, refs: refs, woken: woken))
                })
            }
        }
        guard wait(value) else {
            waiters.forget(waiter)
            return answer(nil)
        }
        waiter.listen(answer)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(max(0, min(millis, Int64(Int32.max)))))) {
            waiters.forget(waiter)
            waiter.settle(nil)
        }
    }

    /// Where a wait ended: the state that satisfied it, or (out of time) the stored state, where OSS
    /// reports nothing blocking (a BLOCKING_TASK strategy then answers an empty 200).
    private func awaited(_ workflowId: String, refs: Set<String>, woken: WorkflowModel?) throws(EngineError) -> Execution {
        let stored = woken == nil ? try workflow(id: workflowId) : nil
        guard let final = woken ?? stored else { throw .workflowNotFound(workflowId: workflowId) }
        let blocking = woken != nil ? try blockingPoint(final, refs: refs) : nil
        return Execution(workflow: final, blockingWorkflow: blocking?.workflow ?? final, blockingTask: blocking?.task, timedOut: woken == nil)
    }

    /// The first blocking task in the tree and the workflow holding it (OSS
    /// `WorkflowSignalResponder.findBlockingTasks`: a workflow's own tasks, then its open children).
    func blockingPoint(_ wf: WorkflowModel, refs: Set<String>, depth: Int = 0) throws(EngineError) -> (workflow: WorkflowModel, task: TaskModel)? {
        for t in wf.tasks {
            if t.behavior.isBlocking(t)
                || (t.status.isTerminal && (refs.contains(t.referenceTaskName) || refs.contains(baseReferenceName(t.referenceTaskName)))) {
                return (wf, t)
            }
            if !t.status.isTerminal, depth < 32, let childId = t.behavior.childWorkflowId(t), !childId.isEmpty,
               let child = try workflow(id: childId), let found = try blockingPoint(child, refs: refs, depth: depth + 1) {
                return found
            }
        }
        return nil
    }

    // MARK: Reading

    /// A workflow with its tasks (engine memory for active ones is committed state too, but storage is
    /// the one place every status lives).
    public func workflow(id: String) throws(EngineError) -> WorkflowModel? {
        do { return try store.workflow(id: id) } catch { throw .storage(error) }
    }

    public func workflowJSON(id: String, includeTasks: Bool) throws(EngineError) -> [UInt8] {
        let bytes: [UInt8]?
        do { bytes = try store.workflowJSON(id: id, includeTasks: includeTasks) } catch { throw .storage(error) }
        guard let bytes else { throw .workflowNotFound(workflowId: id) }
        return bytes
    }

    /// `GET /workflow/{id}/tasks`: a page of the task list, optionally by status.
    public func tasks(workflowId: String, start: Int, count: Int, statuses: [String]) throws(EngineError) -> (total: Int, page: [[UInt8]]) {
        do {
            guard try store.workflowJSON(id: workflowId, includeTasks: false) != nil else { throw EngineError.workflowNotFound(workflowId: workflowId) }
            let all = try store.taskJSONs(workflowId: workflowId, statuses: statuses)
            return (all.count, Array(all.dropFirst(max(0, start)).prefix(max(0, count))))
        } catch {
            throw .storage(error)
        }
    }

    public func search(_ query: SearchQuery) throws(EngineError) -> (total: Int, workflows: [WorkflowModel]) {
        do { return try store.searchWorkflows(query) } catch { throw .storage(error) }
    }

    public func searchTasks(_ query: SearchQuery) throws(EngineError) -> (total: Int, tasks: [TaskModel]) {
        do { return try store.searchTasks(query) } catch { throw .storage(error) }
    }

    public func searchWorkflows(byTasks query: SearchQuery) throws(EngineError) -> (total: Int, workflows: [WorkflowModel]) {
        do { return try store.searchWorkflows(byTasks: query) } catch { throw .storage(error) }
    }

    public func runningWorkflowIds(name: String, version: Int, startTime: Int64?, endTime: Int64?) throws(EngineError) -> [String] {
        do { return try store.runningWorkflowIds(name: name, version: version, startTime: startTime, endTime: endTime) } catch { throw .storage(error) }
    }

    public func correlated(name: String, correlationId: String, includeClosed: Bool) throws(EngineError) -> [WorkflowModel] {
        do { return try store.workflows(name: name, correlationId: correlationId, includeClosed: includeClosed) } catch { throw .storage(error) }
    }

    /// `PUT /workflow/decide/{id}`: a decide pass now.
    public func decide(workflowId: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            _ = try changes.existing(workflowId)
            Commands.decide(workflowId, in: changes)
        }
    }
}
