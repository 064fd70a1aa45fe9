import BatonSupport

/// EXCLUSIVE_JOIN: completes with the output of the one branch end that ran (`joinOn`, else
/// `defaultExclusiveJoinTask`); fails when that task failed and is not permissive.
struct ExclusiveJoin: TaskBehavior {
    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        var t = Attempts.system(node, type: .exclusiveJoin, defName: TaskType.exclusiveJoin.rawValue, status: .inProgress, request, ctx)
        t.inputData["joinOn"] = .array(node.joinOn.map(JSONValue.string))
        if !node.defaultExclusiveJoinTask.isEmpty {
            t.inputData["defaultExclusiveJoinTask"] = .array(node.defaultExclusiveJoinTask.map(JSONValue.string))
        }
        return Mapping(tasks: [t])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        func settle(_ refs: [String]) -> Bool {
            for ref in refs {
                guard let joined = wf.task(ref: t.iteration > 0 ? "\(ref)__\(t.iteration)" : ref), joined.status != .skipped else { continue }
                guard joined.status.isTerminal else { return true }
                if !joined.status.isSuccessful && !joined.workflowTask.permissive {
                    t.status = .failed
                    t.reasonForIncompletion = joined.reasonForIncompletion
                } else {
                    t.status = .completed
                    t.outputData = joined.outputData
                }
                return true
            }
            return false
        }
        if !settle(t.inputData["joinOn"]?.arrayValue?.compactMap(\.stringValue) ?? []) {
            _ = settle(t.inputData["defaultExclusiveJoinTask"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        if t.status.isTerminal { t.endTime = ctx.now }
        guard t != wf.tasks[i] else { return .unchanged }
        wf.tasks[i] = t
        return .changed
    }

    func isAsyncComplete(_ task: TaskModel) -> Bool { true }
    var isRetriedOnFailure: Bool { false }
    var reopensInPlace: Bool { true }
    func reopensWhenFailed(_ task: TaskModel, in wf: WorkflowModel) -> Bool { Join.joinsFailedPermissive(task, in: wf) }
}
