import BatonSupport

/// Creating task attempts from definition nodes: the fields every mapper fills the same way.
enum Attempts {
    /// An attempt the engine runs: resolved input, no queue, no domain.
    static func system(_ node: WorkflowTask, type: TaskType, defName: String? = nil, status: TaskStatus,
                       _ request: MapRequest, _ ctx: DecideContext) -> TaskModel {
        let wf = request.workflow
        let taskId = ctx.newId()
        var t = TaskModel(taskId: taskId, status: status, taskType: type.rawValue, taskDefName: defName ?? node.name,
                          referenceTaskName: node.taskReferenceName, workflowInstanceId: wf.workflowId,
                          workflowType: wf.workflowName, workflowTask: node)
        t.inputData = InputResolution(workflow: wf, taskId: taskId).taskInput(node.inputParameters, taskDef: node.taskDefinition)
        t.correlationId = wf.correlationId
        t.workflowPriority = wf.priority
        t.retryCount = request.retryCount
        t.retriedTaskId = request.retriedTaskId
        if status == .inProgress || status.isTerminal { t.startTime = ctx.now }
        return t
    }

    /// An attempt for a polling worker: SIMPLE tasks queue under their name, custom types under the type.
    static func worker(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> TaskModel {
        let wf = request.workflow
        let taskId = ctx.newId()
        let def = node.taskDefinition
        let queueType = node.type == TaskType.simple.rawValue ? node.name : node.type
        var t = TaskModel(taskId: taskId, status: .scheduled, taskType: queueType, taskDefName: node.name,
                          referenceTaskName: node.taskReferenceName, workflowInstanceId: wf.workflowId,
                          workflowType: wf.workflowName, workflowTask: node)
        t.inputData = InputResolution(workflow: wf, taskId: taskId).taskInput(node.inputParameters, taskDef: def)
        t.correlationId = wf.correlationId
        t.workflowPriority = wf.priority
        t.retryCount = request.retryCount
        t.retriedTaskId = request.retriedTaskId
        t.callbackAfterSeconds = Int64(node.startDelay)
        t.startDelayInSeconds = node.startDelay
        t.responseTimeoutSeconds = def?.responseTimeoutSeconds ?? 0
        t.rateLimitPerFrequency = def?.rateLimitPerFrequency ?? 0
        t.rateLimitFrequencyInSeconds = def?.rateLimitFrequencyInSeconds ?? 1
        t.isolationGroupId = def?.isolationGroupId
        t.executionNameSpace = def?.executionNameSpace
        t.domain = domain(queueType: queueType, in: wf, ctx)
        return t
    }

    /// Picks the task's domain from `taskToDomain` (the task type, else `*`): the first listed domain
    /// with a poll in the last 10 s, else the last one listed; `NO_DOMAIN` means none.
    static func domain(queueType: String, in wf: WorkflowModel, _ ctx: DecideContext) -> String? {
        guard let spec = (wf.taskToDomain[queueType] ?? wf.taskToDomain["*"])?.stringValue else { return nil }
        let domains = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for d in domains where d != "NO_DOMAIN" {
            if let last = ctx.lastPollTime(QueueNames.name(type: queueType, domain: d)), ctx.now - last <= 10_000 { return d }
        }
        guard let last = domains.last, last != "NO_DOMAIN" else { return nil }
        return last
    }

    /// Forked nodes are not in the definition snapshot: they get their task definition here, the
    /// registered one or an ad-hoc one.
    static func withDefinition(_ node: WorkflowTask, _ ctx: DecideContext) throws(EngineError) -> WorkflowTask {
        guard node.taskDefinition == nil, !node.name.isEmpty else { return node }
        let def = ctx.definitions.taskDef(named: node.name) ?? TaskDef.adHoc(name: node.name, isSystemTask: node.taskType != .simple)
        var json = node.json
        json["taskDefinition"] = .object(def.json)
        return try WorkflowTask(json: .object(json), path: "forkedTask")
    }
}

/// Queue names: `[domain:]type`.
public enum QueueNames {
    public static func name(type: String, domain: String?) -> String {
        guard let domain, !domain.isEmpty else { return type }
        return "\(domain):\(type)"
    }

    public static func name(of task: TaskModel) -> String { name(type: task.taskType, domain: task.domain) }
}
