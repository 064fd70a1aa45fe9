import BatonSupport

/// `POST /workflow/test` (OSS `WorkflowTestRequest`): a start request plus, by task reference name, the
/// results to give that task's attempts in turn, and the same for the children of SUB_WORKFLOW tasks.
public struct WorkflowTestRequest: Sendable {
    public struct TaskMock: Sendable {
        public var status = TaskResultStatus.completed
        public var output = JSONObject()
        /// How long the attempt "ran" and "waited in the queue", in ms: its times are set back by these.
        public var executionTime: Int64 = 0
        public var queueWaitTime: Int64 = 0

        init(json: JSONValue, path: String) throws(EngineError) {
            let m = try JSONFields(json, path: path)
            if let s = try m.enumValue("status", TaskResultStatus.self) { status = s }
            output = try m.object("output") ?? JSONObject()
            executionTime = max(0, try m.int64("executionTime") ?? 0)
            queueWaitTime = max(0, try m.int64("queueWaitTime") ?? 0)
            // conductor-python 2.0.0 serialises its TaskMock dataclass by its private attributes
            // (`_status`, `_output`, ...), and a field it never set as the text of a Python property
            // object ("<property object at 0x...>"): read those, and take such text as the default.
            guard case .object(let o) = json else { return }
            if case .string(let s)? = o["_status"], let parsed = TaskResultStatus(rawValue: s) { status = parsed }
            if case .object(let out)? = o["_output"] { output = out }
            if let t = o["_execution_time"]?.int64Value { executionTime = max(0, t) }
            if let t = o["_queue_wait_time"]?.int64Value { queueWaitTime = max(0, t) }
        }
    }

    public var start: StartRequest
    public var taskRefToMockOutput: [String: [TaskMock]]
    public var subWorkflowTestRequest: [String: WorkflowTestRequest]

    public init(json value: JSONValue, path: String = "testWorkflow.arg0") throws(EngineError) {
        let f = try JSONFields(value, path: path)
        start = try StartRequest(json: value, path: path)
        taskRefToMockOutput = [:]
        for (ref, list) in try f.object("taskRefToMockOutput") ?? JSONObject() {
            guard case .array(let items) = list else { throw .invalid("\(f.at("taskRefToMockOutput")).\(ref): expected a list of task mocks") }
            taskRefToMockOutput[ref] = try items.enumerated().map { (i, item) throws(EngineError) in
                try TaskMock(json: item, path: "\(f.at("taskRefToMockOutput")).\(ref)[\(i)]")
            }
        }
        subWorkflowTestRequest = [:]
        for (ref, sub) in try f.object("subWorkflowTestRequest") ?? JSONObject() {
            subWorkflowTestRequest[ref] = try WorkflowTestRequest(json: sub, path: "\(f.at("subWorkflowTestRequest")).\(ref)")
        }
    }
}

extension WorkflowService {
    /// OSS `WorkflowTestService`: the workflow starts for real, its tasks in a domain of their own so no
    /// worker polls them; then, round after round, every open task takes its next mock (an operator —
    /// JOIN, DO_WHILE, SWITCH, SUB_WORKFLOW... — or a task whose mocks ran out only has the workflow
    /// decided), a SUB_WORKFLOW's child is run the same way with its own request, until the workflow
    /// ends, the mocks are used up, or an open task has no mock (then it is returned as it stands).
    public func test(_ request: WorkflowTestRequest) throws(EngineError) -> [UInt8] {
        var start = request.start
        start.taskToDomain["*"] = .string(IDs.uuid())
        let id = try self.start(start)
        try runMocks(id, MockState(request))
        return try workflowJSON(id: id, includeTasks: true)
    }

    /// The mocks a test run has left, for a workflow and (by SUB_WORKFLOW reference) its children: a
    /// child's mocks, once used, stay used in later rounds, as OSS's request objects do.
    private final class MockState {
        var mocks: [String: [WorkflowTestRequest.TaskMock]]
        let children: [String: MockState]
        init(_ request: WorkflowTestRequest) {
            mocks = request.taskRefToMockOutput
            children = request.subWorkflowTestRequest.mapValues(MockState.init)
        }
    }

    /// OSS bounds the rounds at 20,000; Baton also stops when a round changed nothing (nothing would).
    private func runMocks(_ id: String, _ state: MockState, rounds: Int = 20_000) throws(EngineError) {
        for _ in 0..<rounds {
            let mocks = state.mocks
            guard let wf = try workflow(id: id) else { throw .workflowNotFound(workflowId: id) }
            let open = wf.tasks.filter { !$0.status.isTerminal }
            if open.contains(where: { !$0.behavior.isOperator && mocks[$0.referenceTaskName] == nil }) { return }
            for t in open {
                if let childId = t.behavior.childWorkflowId(t), let child = state.children[t.referenceTaskName] {
                    try runMocks(childId, child, rounds: rounds)
                }
            }
            let (remaining, changed) = try loop.perform { changes throws(EngineError) in
                try Commands.applyMocks(to: id, open.map(\.taskId), mocks, in: changes)
            }
            state.mocks = remaining
            guard let after = try workflow(id: id) else { throw .workflowNotFound(workflowId: id) }
            if after.status.isTerminal || remaining.isEmpty { return }
            if !changed && after.tasks == wf.tasks && after.status == wf.status { return }
        }
    }
}

extension Commands {
    /// One round of a test run over the tasks that were open: each takes its next mock, or the workflow
    /// is decided. Returns the mocks left and whether any mock was applied.
    static func applyMocks(to id: String, _ taskIds: [String], _ given: [String: [WorkflowTestRequest.TaskMock]],
                           in changes: ChangeSet) throws(EngineError) -> ([String: [WorkflowTestRequest.TaskMock]], Bool) {
        var mocks = given
        var applied = false
        for taskId in taskIds {
            guard let wfId = changes.owner(ofTask: taskId), let wf = changes.active(wfId), let t = wf.tasks.first(where: { $0.taskId == taskId }),
                  !t.status.isTerminal else { continue }
            let ref = t.referenceTaskName
            guard !t.behavior.isOperator, var list = mocks[ref], !list.isEmpty else {
                mocks[ref] = nil
                decide(wfId, in: changes)
                continue
            }
            let mock = list.removeFirst()
            mocks[ref] = list
            var output = t.outputData
            for (k, v) in mock.output { output[k] = v }
            _ = try updateTask(TaskResult(workflowInstanceId: wfId, taskId: taskId, status: mock.status, outputData: output), in: changes)
            applied = true
            if mock.executionTime > 0 || mock.queueWaitTime > 0 {
                let now = changes.now
                try changes.update(wfId) { wf throws(EngineError) in
                    guard let i = wf.index(ofTask: taskId) else { return }
                    wf.tasks[i].scheduledTime = now - (mock.executionTime + mock.queueWaitTime)
                    wf.tasks[i].startTime = now - mock.executionTime
                }
            }
        }
        return (mocks, applied)
    }
}
