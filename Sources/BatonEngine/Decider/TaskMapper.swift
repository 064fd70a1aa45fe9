import BatonSupport

/// Turns a definition node into the task attempts that scheduling it creates (OSS task mappers).
struct TaskMapper {
    let decider: Decider

    func map(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int, retriedTaskId: String?) throws -> [TaskModel] {
        switch node.taskType {
        case .simple, .none:
            return [workerTask(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)]
        case .kafkaPublish, .userDefined:
            // Without its module OSS runs these like any custom type: a worker polls the type's queue.
            return [workerTask(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)]
        case .switchTask, .decision:
            return try mapSwitch(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
        case .forkJoin:
            return try mapFork(node, in: wf, retryCount: retryCount)
        case .join:
            var t = systemTask(node, type: "JOIN", defName: "JOIN", status: .inProgress, in: wf, retryCount: retryCount)
            t.inputData = ["joinOn": .array(node.joinOn.map(JSONValue.string))]
            return [t]
        case .exclusiveJoin:
            var t = systemTask(node, type: "EXCLUSIVE_JOIN", defName: "EXCLUSIVE_JOIN", status: .inProgress, in: wf, retryCount: retryCount)
            t.inputData["joinOn"] = .array(node.joinOn.map(JSONValue.string))
            if !node.defaultExclusiveJoinTask.isEmpty {
                t.inputData["defaultExclusiveJoinTask"] = .array(node.defaultExclusiveJoinTask.map(JSONValue.string))
            }
            return [t]
        case .terminate, .setVariable, .noop, .inline, .lambda, .jsonJQTransform, .human, .wait:
            // In-engine: created IN_PROGRESS and run by the decide pass that follows.
            return [systemTask(node, type: node.type, defName: nil, status: .inProgress, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)]
        case .subWorkflow:
            return [try subWorkflowTask(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)]
        case .startWorkflow, .http, .event:
            // Started by the engine right after the decide pass is saved.
            return [systemTask(node, type: node.type, defName: nil, status: .scheduled, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)]
        case .doWhile:
            // Another DO_WHILE task of this ref that already ended: nothing to do (OSS mapper).
            if let existing = wf.task(ref: node.taskReferenceName), existing.status.isTerminal { return [] }
            var t = systemTask(node, type: "DO_WHILE", defName: nil, status: .inProgress, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
            t.rateLimitPerFrequency = node.taskDefinition?.rateLimitPerFrequency ?? 0
            t.rateLimitFrequencyInSeconds = node.taskDefinition?.rateLimitFrequencyInSeconds ?? 1
            return [t]
        case .forkJoinDynamic:
            return try mapDynamicFork(node, in: wf, retryCount: retryCount)
        case .dynamic:
            return [try dynamicTask(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)]
        case .some(let type):
            throw Termination(status: .failed, reason: "Task type \(type.rawValue) (task \(node.taskReferenceName)) is not supported by this version of Baton", task: nil)
        }
    }

    /// A task for a polling worker: SIMPLE tasks queue under their name, custom types under the type.
    func workerTask(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int, retriedTaskId: String?) -> TaskModel {
        let taskId = decider.newId()
        let def = node.taskDefinition
        let queueType = node.type == TaskType.simple.rawValue ? node.name : node.type
        var t = TaskModel(taskId: taskId, status: .scheduled, taskType: queueType, taskDefName: node.name,
                          referenceTaskName: node.taskReferenceName, workflowInstanceId: wf.workflowId,
                          workflowType: wf.workflowName, workflowTask: node)
        t.inputData = InputResolution(workflow: wf, taskId: taskId).taskInput(node.inputParameters, taskDef: def)
        t.correlationId = wf.correlationId
        t.workflowPriority = wf.priority
        t.retryCount = retryCount
        t.retriedTaskId = retriedTaskId
        t.callbackAfterSeconds = Int64(node.startDelay)
        t.startDelayInSeconds = node.startDelay
        t.responseTimeoutSeconds = def?.responseTimeoutSeconds ?? 0
        t.rateLimitPerFrequency = def?.rateLimitPerFrequency ?? 0
        t.rateLimitFrequencyInSeconds = def?.rateLimitFrequencyInSeconds ?? 1
        t.isolationGroupId = def?.isolationGroupId
        t.executionNameSpace = def?.executionNameSpace
        t.domain = domain(for: node, queueType: queueType, in: wf)
        return t
    }

    /// Picks the task's domain from `taskToDomain` (the task type, else `*`): the first listed domain
    /// with a poll in the last 10 s, else the last one listed; `NO_DOMAIN` means none.
    func domain(for node: WorkflowTask, queueType: String, in wf: WorkflowModel) -> String? {
        guard let spec = (wf.taskToDomain[queueType] ?? wf.taskToDomain["*"])?.stringValue else { return nil }
        let domains = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for d in domains where d != "NO_DOMAIN" {
            if let last = decider.lastPollTime(QueueNames.name(type: queueType, domain: d)), decider.now - last <= 10_000 { return d }
        }
        guard let last = domains.last, last != "NO_DOMAIN" else { return nil }
        return last
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

import Foundation
