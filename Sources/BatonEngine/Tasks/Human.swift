/// HUMAN: waits IN_PROGRESS for an outside update of its status.
struct Human: TaskBehavior {
    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .human, status: .inProgress, request, ctx)])
    }

    func isAsyncComplete(_ task: TaskModel) -> Bool { true }

    var waitsInProgress: Bool { true }
}
