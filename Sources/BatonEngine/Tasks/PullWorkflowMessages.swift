import BatonSupport

/// PULL_WORKFLOW_MESSAGES (OSS's workflow message queue, always on in Baton): takes up to `batchSize`
/// (default 1, at most 100) of the messages sent to the workflow, oldest first, into `messages` and
/// `count`, and completes. With none waiting it stays IN_PROGRESS while `blocking` (the default) and
/// is run again by the decide that a new message causes; with `blocking: false` it completes empty.
struct PullWorkflowMessages: TaskBehavior {
    static let maxBatchSize = 100

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .pullWorkflowMessages, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        var batch = 1
        if case .int(let n)? = t.inputData["batchSize"] { batch = Int(clamping: n) }
        if case .double(let d)? = t.inputData["batchSize"], d.isFinite { batch = Int(min(max(d, 0), 1000)) }
        batch = min(max(batch, 1), Self.maxBatchSize)
        let blocking = t.inputData["blocking"]?.boolValue ?? true
        if wf.messages.isEmpty && blocking { return .unchanged }
        let taken = Array(wf.messages.prefix(batch))
        wf.messages.removeFirst(taken.count)
        t.outputData["messages"] = .array(taken)
        t.outputData["count"] = .int(Int64(taken.count))
        t.status = .completed
        t.endTime = ctx.now
        wf.tasks[i] = t
        return .changed
    }

    /// Completes when a message arrives, which no response timeout measures.
    func isAsyncComplete(_ task: TaskModel) -> Bool { true }

    var waitsInProgress: Bool { true }
}
