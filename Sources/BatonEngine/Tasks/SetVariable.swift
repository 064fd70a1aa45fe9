import BatonSupport

/// SET_VARIABLE: merges its input into the workflow's variables, up to OSS's 256 KB limit.
struct SetVariable: TaskBehavior {
    var isOperator: Bool { true }

    static let maxVariablesBytes = 256 * 1024

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .setVariable, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var variables = wf.variables
        for (k, v) in wf.tasks[i].inputData { variables[k] = v }
        let size = JSONWriter.bytes(.object(variables)).count
        if size > Self.maxVariablesBytes {
            wf.tasks[i].status = .failedWithTerminalError
            wf.tasks[i].reasonForIncompletion = "The variables payload size: \(size) of workflow: \(wf.workflowId) is greater than the permissible limit: 256 kilobytes"
        } else {
            wf.variables = variables
            wf.tasks[i].status = .completed
        }
        wf.tasks[i].endTime = ctx.now
        return .changed
    }
}
