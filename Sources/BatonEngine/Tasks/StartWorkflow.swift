import BatonSupport

/// START_WORKFLOW: starts an independent workflow from the `startWorkflow` request in its input and
/// completes at once with that workflow's id.
struct StartWorkflow: TaskBehavior {
    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .startWorkflow, status: .scheduled, request, ctx)])
    }

    func launch(_ task: TaskModel) -> Effect? { .startWorkflow(taskId: task.taskId) }
    func isAsyncComplete(_ task: TaskModel) -> Bool { true }

    // MARK: In the engine

    static func start(taskId: String, of parentId: String, in changes: ChangeSet) throws(EngineError) {
        guard let parent = changes.active(parentId), let i = parent.index(ofTask: taskId), parent.tasks[i].status == .scheduled else { return }
        guard let body = parent.tasks[i].inputData["startWorkflow"], !body.isNull else {
            return try Launches.fail(taskId, of: parentId, reason: "Missing 'startWorkflow' in input data.", in: changes)
        }
        let other: WorkflowModel
        do throws(EngineError) {
            let request = try startRequest(body)
            let def: WorkflowDef
            if let embedded = request.workflowDef {
                def = embedded
            } else {
                guard let found = try changes.workflowDef(name: request.name, version: request.version) else {
                    throw EngineError.workflowDefNotFound(name: request.name, version: request.version)
                }
                def = found
            }
            var made = try WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids).make(definition: def, input: request.input, now: changes.now)
            made.correlationId = request.correlationId ?? parent.correlationId
            made.taskToDomain = request.taskToDomain.isEmpty ? parent.taskToDomain : request.taskToDomain
            made.priority = request.priority
            other = made
        } catch {
            if case .storage = error { throw error }
            return try Launches.fail(taskId, of: parentId, reason: error.message, in: changes)
        }
        let id = Commands.start(other, in: changes)
        try changes.update(parentId) { wf throws(EngineError) in
            guard let i = wf.index(ofTask: taskId) else { return }
            wf.tasks[i].status = .completed
            wf.tasks[i].outputData = ["workflowId": .string(id)]
            wf.tasks[i].startTime = changes.now
        }
    }

    /// The task's request, with its validation failures folded into one message as OSS words it.
    private static func startRequest(_ body: JSONValue) throws(EngineError) -> StartRequest {
        do {
            return try StartRequest(json: body, path: "startWorkflow")
        } catch {
            if case .validation(let errors) = error {
                throw .invalid("startWorkflow validation failed. " + errors.map { "'\($0.path)' -> \($0.message). " }.joined())
            }
            throw error
        }
    }
}

/// What the launched types share in the engine.
enum Launches {
    /// A launch that could not happen fails its task (which the decide pass then retries or acts on).
    static func fail(_ taskId: String, of workflowId: String, reason: String, in changes: ChangeSet) throws(EngineError) {
        try changes.update(workflowId) { wf throws(EngineError) in
            guard let i = wf.index(ofTask: taskId) else { return }
            wf.tasks[i].status = .failed
            wf.tasks[i].reasonForIncompletion = reason
            wf.tasks[i].startTime = changes.now
        }
    }
}
