/// FORK_JOIN (OSS `ForkJoinTaskMapper`): a FORK attempt (COMPLETED at once), the head of every branch,
/// and the JOIN that must follow the fork in the definition.
struct ForkJoin: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        node.forkTasks.isEmpty ? ["forkTasks should have atleast one task for taskType: \(node.type) taskName: \(node.name)"] : []
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        var fork = Attempts.system(node, type: .fork, defName: TaskType.fork.rawValue, status: .completed, request, ctx)
        fork.endTime = ctx.now
        guard let join = request.workflow.definition.nextTask(after: node.taskReferenceName), join.taskType == .join else {
            return .end(.failed("Fork task definition is not followed by a join task.  Check the blueprint"))
        }
        return Mapping(tasks: [fork], next: node.forkTasks.compactMap(\.first) + [join])
    }

    var isRetriedOnFailure: Bool { false }
}
