import BatonSupport

/// JOIN (OSS `Join`): waits for the last attempt of every joined reference name. Its output collects
/// each joined task's output; a non-optional failure fails it (a permissive one only once everything
/// joined is terminal), and optional failures complete it with errors.
struct Join: TaskBehavior {
    var isOperator: Bool { true }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        var t = Attempts.system(node, type: .join, defName: TaskType.join.rawValue, status: .inProgress, request, ctx)
        t.inputData = ["joinOn": .array(node.joinOn.map(JSONValue.string))]
        return Mapping(tasks: [t])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        let joinOn = t.inputData["joinOn"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // Latest attempt per reference name, found once: a wide fork joins hundreds of refs on every pass.
        var latest: [String: Int] = [:]
        latest.reserveCapacity(wf.tasks.count)
        for k in wf.tasks.indices { latest[wf.tasks[k].referenceTaskName] = k }
        let refs = joinOn.map { t.iteration > 0 ? "\($0)__\(t.iteration)" : $0 }
        let indices = refs.map { latest[$0] }
        let allTerminal = indices.allSatisfy { $0.map { wf.tasks[$0].status.isTerminal } ?? false }
        var optionalFailures: [String] = []
        var failed = false
        for (ref, index) in zip(refs, indices) {
            guard let index else { continue }
            let forked = wf.tasks[index]
            if !forked.outputData.isEmpty { t.outputData[ref] = .object(forked.outputData) }
            if !forked.status.isSuccessful && !forked.workflowTask.optional && (!forked.workflowTask.permissive || allTerminal) {
                let unsuccessful = indices.compactMap { $0 }.map { wf.tasks[$0] }.filter { !$0.status.isSuccessful }
                t.reasonForIncompletion = unsuccessful.compactMap(\.reasonForIncompletion).joined(separator: " ")
                let nonCanceled = unsuccessful.contains { $0.status.isTerminal && !$0.workflowTask.optional && $0.status != .canceled }
                t.status = nonCanceled ? .failed : .canceled
                failed = true
                break
            }
            if forked.workflowTask.optional && forked.status == .completedWithErrors {
                optionalFailures.append("\(forked.taskDefName)/\(forked.taskId)")
            }
        }
        if !failed && allTerminal {
            if optionalFailures.isEmpty {
                t.status = .completed
            } else {
                t.status = .completedWithErrors
                t.reasonForIncompletion = optionalFailures.joined(separator: " ") + " completed with errors"
            }
        }
        if t.status.isTerminal { t.endTime = ctx.now }
        guard t != wf.tasks[i] else { return .unchanged }
        wf.tasks[i] = t
        return .changed
    }

    func isAsyncComplete(_ task: TaskModel) -> Bool { true }
    var isRetriedOnFailure: Bool { false }
    var reopensInPlace: Bool { true }
    var reopensWhenCanceled: Bool { true }
    func reopensWhenFailed(_ task: TaskModel, in wf: WorkflowModel) -> Bool { Self.joinsFailedPermissive(task, in: wf) }

    /// A failed join that joined a permissive (not optional) task that FAILED is reopened by a retry
    /// instead of being retried itself (OSS `isJoinOnFailedPermissive`).
    static func joinsFailedPermissive(_ join: TaskModel, in wf: WorkflowModel) -> Bool {
        guard join.status == .failed else { return false }
        let refs = join.inputData["joinOn"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return refs.contains { ref in
            guard let t = wf.task(ref: ref) else { return false }
            return t.status == .failed && t.workflowTask.permissive && !t.workflowTask.optional
        }
    }
}
