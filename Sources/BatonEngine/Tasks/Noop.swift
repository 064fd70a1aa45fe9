/// NOOP: completes as soon as it runs.
struct Noop: TaskBehavior {
    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .noop, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        wf.tasks[i].status = .completed
        wf.tasks[i].endTime = ctx.now
        return .changed
    }
}
