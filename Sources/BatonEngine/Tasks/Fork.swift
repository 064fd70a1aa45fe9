/// FORK: the attempt a FORK_JOIN or FORK_JOIN_DYNAMIC node creates. It is COMPLETED when created; a
/// management retry reopens it in place with the rest of the fork.
struct Fork: TaskBehavior {
    var isOperator: Bool { true }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        // A node typed FORK is a worker task (`TaskType(nodeType:)` never yields `.fork`); this is not reached.
        WorkerTask().map(node, request, ctx)
    }

    var isRetriedOnFailure: Bool { false }
    var reopensInPlace: Bool { true }
}
