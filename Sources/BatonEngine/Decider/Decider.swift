import BatonSupport

/// The decide pass: moves one workflow forward as far as it can go now (OSS `DeciderService.decide`
/// and the parts of `WorkflowExecutorOps` that end a workflow). Pure: it changes the value it is
/// given and reports effects; persistence, queues and timers are the caller's.
public struct Decider {
    public var now: Int64
    public var newId: () -> String
    /// Last poll time of a queue (for picking an active domain); nil when never polled.
    public var lastPollTime: (String) -> Int64?
    /// Registered task definitions, for nodes created at run time (dynamic forks).
    public var taskDefNamed: (String) -> TaskDef?

    public init(now: Int64, newId: @escaping () -> String = IDs.uuid, lastPollTime: @escaping (String) -> Int64? = { _ in nil },
                taskDefNamed: @escaping (String) -> TaskDef? = { _ in nil }) {
        self.now = now
        self.newId = newId
        self.lastPollTime = lastPollTime
        self.taskDefNamed = taskDefNamed
    }

    /// Passes are repeated while in-engine work changes something; bounded so a cycle cannot spin.
    static let maxPasses = 100

    @discardableResult
    public func decide(_ wf: inout WorkflowModel) -> DecideEffects {
        var effects = DecideEffects()
        guard !wf.status.isTerminal else { return effects }
        do {
            try checkWorkflowTimeout(wf)
            if wf.status == .paused { return effects }
            for _ in 0..<Self.maxPasses {
                if try !decidePass(&wf) { break }
            }
        } catch let termination as Termination {
            end(&wf, termination, effects: &effects)
        } catch {
            end(&wf, Termination(status: .failed, reason: "\(error)", task: nil), effects: &effects)
        }
        if wf.status.isTerminal { effects.ended = true }
        return effects
    }

    /// One pass; true when something changed that warrants another pass.
    private func decidePass(_ wf: inout WorkflowModel) throws -> Bool {
        var toSchedule: [TaskModel] = []
        func put(_ t: TaskModel, replace: Bool) {
            if let i = toSchedule.firstIndex(where: { $0.referenceTaskName == t.referenceTaskName }) {
                if replace { toSchedule[i] = t }
            } else {
                toSchedule.append(t)
            }
        }

        if wf.tasks.allSatisfy({ $0.status == .skipped || $0.executed }) {
            // Nothing in flight: a new workflow starts with its first (non-skipped) node.
            var node = wf.definition.tasks.first
            while let n = node, isSkipped(n, in: wf) { node = wf.definition.nextTask(after: n.taskReferenceName) }
            if let node { for t in try tasksToSchedule(node, in: wf) { put(t, replace: false) } }
        }

        var executedRefs = Set(wf.tasks.filter(\.executed).map(\.referenceTaskName))
        var changed = false
        var ranSystemTask = false
        var deferredFailure = false
        // By id, not index: a loop's keepLastN removes old iterations while we go.
        for taskId in wf.tasks.map(\.taskId) {
            guard var i = wf.index(ofTask: taskId) else { continue }
            let t = wf.tasks[i]
            guard !t.retried && t.status != .skipped && !t.executed else { continue }
            if t.isSystemTask && !t.status.isTerminal {
                if try execute(&wf, at: i) { ranSystemTask = true }
                executedRefs.remove(t.referenceTaskName)
                guard let moved = wf.index(ofTask: taskId) else { continue }
                i = moved
                // A failure that happened just now is acted on in the next pass, after the tasks before it
                // (an enclosing DO_WHILE or JOIN) have seen it, as when OSS runs the task at scheduling.
                if wf.tasks[i].status.isTerminal && !wf.tasks[i].status.isSuccessful {
                    deferredFailure = true
                    continue
                }
            }

            if let def = wf.tasks[i].taskDefinition {
                try checkTimeouts(&wf.tasks[i], def: def)
            }
            if wf.tasks[i].status.isTerminal && !wf.tasks[i].status.isSuccessful {
                if let retry = try retryAttempt(of: wf.tasks[i], in: wf) {
                    wf.tasks[i].retried = true
                    put(retry, replace: true)
                    executedRefs.remove(retry.referenceTaskName)
                    changed = true
                } else if !(wf.tasks[i].workflowTask.permissive && !wf.tasks[i].workflowTask.optional) {
                    wf.tasks[i].status = .completedWithErrors
                }
            }
            let current = wf.tasks[i]
            if !current.executed && !current.retried && current.status.isTerminal {
                wf.tasks[i].executed = true
                var next = try nextTasks(after: current, in: wf)
                if current.isLoopOverTask && current.taskType != "DO_WHILE" && !next.isEmpty {
                    next = loopSuccessors(next, after: current, in: wf)
                }
                for t in next { put(t, replace: false) }
            }
        }

        let newTasks = toSchedule.filter { !executedRefs.contains($0.referenceTaskName) }
        if !newTasks.isEmpty {
            schedule(newTasks, in: &wf)
            changed = true
        }
        if deferredFailure { return true }
        let terminate = wf.tasks.first { $0.taskType == TaskType.terminate.rawValue && $0.status.isTerminal && $0.status.isSuccessful }
        if terminate != nil || (newTasks.isEmpty && isComplete(wf)) {
            try failOnPermissiveFailures(wf)
            try endExecution(&wf, terminate: terminate)
            return false
        }
        return ranSystemTask || (changed && newTasks.contains(where: \.isSystemTask))
    }

    /// OSS `endExecution`: a TERMINATE task ends the workflow with its status, otherwise it completes.
    private func endExecution(_ wf: inout WorkflowModel, terminate: TaskModel?) throws {
        guard let terminate else {
            complete(&wf)
            return
        }
        let status = terminate.inputData["terminationStatus"]?.stringValue ?? "COMPLETED"
        var reason = terminate.inputData["terminationReason"]?.stringValue ?? ""
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { reason = "Workflow is \(status) by TERMINATE task: \(terminate.taskId)" }
        switch status {
        case "FAILED": throw Termination(status: .failed, reason: reason, task: terminate)
        case "TERMINATED": throw Termination(status: .terminated, reason: reason, task: terminate)
        default:
            complete(&wf)
            wf.reasonForIncompletion = reason
            cancelOpenTasks(&wf)
        }
    }

    // MARK: Scheduling

    private func isSkipped(_ node: WorkflowTask, in wf: WorkflowModel) -> Bool {
        wf.task(ref: node.taskReferenceName)?.status == .skipped
    }

    /// Adds new attempts to the workflow: sequence numbers, schedule times, queue visibility.
    func schedule(_ newTasks: [TaskModel], in wf: inout WorkflowModel) {
        var seq = wf.nextSeq
        for var t in newTasks {
            t.seq = seq
            seq += 1
            t.scheduledTime = now
            if t.firstScheduledTime == 0 { t.firstScheduledTime = now }
            t.updateTime = now
            if t.visibleAt == 0 { t.visibleAt = now + t.callbackAfterSeconds * 1000 }
            wf.tasks.append(t)
        }
    }

    /// What comes after a finished task (OSS `getNextTask`).
    private func nextTasks(after task: TaskModel, in wf: WorkflowModel) throws -> [TaskModel] {
        if (task.taskType == TaskType.switchTask.rawValue || task.taskType == TaskType.decision.rawValue)
            && task.inputData["hasChildren"] != nil {
            return []
        }
        let ref = task.isLoopOverTask ? baseReferenceName(task.referenceTaskName) : task.referenceTaskName
        var node = wf.definition.nextTask(after: ref)
        while let n = node, isSkipped(n, in: wf) { node = wf.definition.nextTask(after: n.taskReferenceName) }
        guard let node else { return [] }
        if node.taskType == .doWhile && wf.tasks.contains(where: { $0.referenceTaskName == node.taskReferenceName }) {
            return []
        }
        return try tasksToSchedule(node, in: wf)
    }

    /// The task attempts that scheduling `node` creates, minus refs already running or done.
    func tasksToSchedule(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int = 0, retriedTaskId: String? = nil) throws -> [TaskModel] {
        let taken = Set(wf.tasks.filter { $0.status == .inProgress || $0.status.isTerminal }.map(\.referenceTaskName))
        let mapped = try TaskMapper(decider: self).map(node, in: wf, retryCount: retryCount, retriedTaskId: retriedTaskId)
        return mapped.filter { !taken.contains($0.referenceTaskName) }
    }

    // MARK: Completion

    /// OSS `checkForWorkflowCompletion`: every task terminal, every top-level node run, and no finished
    /// task with a successor still to schedule.
    private func isComplete(_ wf: WorkflowModel) -> Bool {
        var statusByRef: [String: TaskStatus] = [:]
        var nonExecuted: [TaskModel] = []
        for t in wf.tasks {
            statusByRef[t.referenceTaskName] = t.status
            if !t.status.isTerminal { return false }
            if t.taskType == TaskType.terminate.rawValue && t.status.isSuccessful { return true }
            if !t.retried || !t.executed { nonExecuted.append(t) }
        }
        if statusByRef.isEmpty { return false }
        for node in wf.definition.tasks {
            guard let s = statusByRef[node.taskReferenceName], s.isTerminal else { return false }
        }
        return !nonExecuted.contains { t in
            var next = wf.definition.nextTask(after: t.referenceTaskName)
            while let n = next, isSkipped(n, in: wf) { next = wf.definition.nextTask(after: n.taskReferenceName) }
            guard let n = next else { return false }
            return statusByRef[n.taskReferenceName] == nil
        }
    }

    private func failOnPermissiveFailures(_ wf: WorkflowModel) throws {
        var latest: [String: TaskModel] = [:]
        for t in wf.tasks where t.workflowTask.permissive && !t.workflowTask.optional {
            if let existing = latest[t.referenceTaskName], existing.retryCount > t.retryCount { continue }
            latest[t.referenceTaskName] = t
        }
        let failed = wf.tasks.compactMap { t in latest[t.referenceTaskName].flatMap { $0.taskId == t.taskId ? $0 : nil } }
            .filter { $0.status.isTerminal && !$0.status.isSuccessful }
        if !failed.isEmpty {
            let message = failed.map { "Task \($0.taskId) failed with status: \($0.status.rawValue) and reason: '\($0.reasonForIncompletion ?? "null")'" }
                .joined(separator: ". ")
            throw Termination(status: .failed, reason: message, task: nil)
        }
    }

    /// Marks the workflow COMPLETED with its output and failed-task names.
    func complete(_ wf: inout WorkflowModel) {
        wf.output = output(of: wf, lastTask: nil)
        wf.status = .completed
        wf.endTime = now
        recordFailedNames(&wf)
        if let terminate = wf.tasks.first(where: { $0.taskType == TaskType.terminate.rawValue && $0.status.isTerminal && $0.status.isSuccessful }) {
            let reason = terminate.inputData["terminationReason"]?.stringValue
            wf.reasonForIncompletion = (reason?.isEmpty == false) ? reason : "Workflow is COMPLETED by TERMINATE task: \(terminate.taskId)"
        }
    }

    /// Ends the workflow unsuccessfully (or as a TERMINATE task says): output, names, open tasks canceled.
    func end(_ wf: inout WorkflowModel, _ t: Termination, effects: inout DecideEffects) {
        if let task = t.task, let i = wf.index(ofTask: task.taskId) { wf.tasks[i] = task }
        if t.status == .completed {
            complete(&wf)
            if wf.reasonForIncompletion == nil { wf.reasonForIncompletion = t.reason }
            return
        }
        wf.status = t.status
        wf.output = output(of: wf, lastTask: nil)
        recordFailedNames(&wf)
        wf.reasonForIncompletion = t.reason
        wf.endTime = now
        cancelOpenTasks(&wf)
        if var name = wf.definition.failureWorkflow, !name.trimmingCharacters(in: .whitespaces).isEmpty {
            // `${workflow.input.name}`-style values name an input key (third dotted segment).
            if name.hasPrefix("$") {
                let parts = name.split(separator: ".")
                name = parts.count > 2 ? (wf.input[String(parts[2]).replacingOccurrences(of: "}", with: "")]?.stringValue ?? "") : ""
            }
            if !name.isEmpty {
                effects.failureWorkflow = FailureWorkflowStart(name: name, version: wf.definition.failureWorkflowVersion,
                                                               failedTaskId: t.task?.taskId)
            }
        }
    }

    func cancelOpenTasks(_ wf: inout WorkflowModel) {
        for i in wf.tasks.indices where !wf.tasks[i].status.isTerminal {
            wf.tasks[i].status = .canceled
            wf.tasks[i].endTime = now
        }
    }

    func recordFailedNames(_ wf: inout WorkflowModel) {
        for t in wf.tasks where t.status == .failed || t.status == .failedWithTerminalError {
            if !wf.failedReferenceTaskNames.contains(t.referenceTaskName) { wf.failedReferenceTaskNames.append(t.referenceTaskName) }
            if !wf.failedTaskNames.contains(t.taskDefName) { wf.failedTaskNames.append(t.taskDefName) }
        }
    }

    /// OSS `updateWorkflowOutput`: a TERMINATE task's output, else the resolved `outputParameters`, else
    /// the last task's output.
    func output(of wf: WorkflowModel, lastTask: TaskModel?) -> JSONObject {
        guard let last = lastTask ?? wf.tasks.last else { return wf.output }
        if let terminate = wf.tasks.first(where: { $0.taskType == TaskType.terminate.rawValue && $0.status.isTerminal && $0.status.isSuccessful }) {
            return terminate.outputData
        }
        if !wf.definition.outputParameters.isEmpty {
            return InputResolution(workflow: wf, taskId: nil).resolve(wf.definition.outputParameters)
        }
        return last.outputData
    }

    // MARK: Time

    private func checkWorkflowTimeout(_ wf: WorkflowModel) throws {
        let def = wf.definition
        guard def.timeoutSeconds > 0 else { return }
        let elapsed = now - (wf.lastRetriedTime > 0 ? wf.lastRetriedTime : wf.createTime)
        guard elapsed >= def.timeoutSeconds * 1000, def.timeoutPolicy == .timeOutWorkflow else { return }
        throw Termination(status: .timedOut, reason:
            "Workflow timed out after \(elapsed / 1000) seconds. Timeout configured as \(def.timeoutSeconds) seconds. Timeout policy configured to \(def.timeoutPolicy.rawValue)", task: nil)
    }

    private func checkTimeouts(_ task: inout TaskModel, def: TaskDef) throws {
        guard !task.status.isTerminal else { return }
        // Total budget across attempts.
        if def.totalTimeoutSeconds > 0 && task.firstScheduledTime > 0 {
            let elapsed = (now - task.firstScheduledTime) / 1000
            if elapsed >= def.totalTimeoutSeconds {
                try timeOut(&task, def: def, reason:
                    "Task \(task.taskDefName)/\(task.taskId) exceeded total timeout of \(def.totalTimeoutSeconds) seconds (elapsed \(elapsed) seconds across all attempts including retry delays). Timeout policy: \(def.timeoutPolicy.rawValue)")
                if task.status.isTerminal { return }
            }
        }
        // Per attempt, from the first poll.
        if def.timeoutSeconds > 0 && task.startTime > 0 {
            let elapsed = now - (task.startTime + Int64(task.startDelayInSeconds) * 1000)
            if elapsed >= def.timeoutSeconds * 1000 {
                try timeOut(&task, def: def, reason:
                    "Task timed out after \(elapsed / 1000) seconds. Timeout configured as \(def.timeoutSeconds) seconds. Timeout policy configured to \(def.timeoutPolicy.rawValue)")
                if task.status.isTerminal { return }
            }
        }
        // Waiting in the queue for a first poll.
        if let poll = def.pollTimeoutSeconds, poll > 0, task.status == .scheduled {
            let elapsed = now - (task.scheduledTime + Int64(task.startDelayInSeconds) * 1000)
            if elapsed >= Int64(poll) * 1000 + task.callbackAfterSeconds * 1000 {
                try timeOut(&task, def: def, reason:
                    "Task poll timed out after \(elapsed / 1000) seconds. Poll timeout configured as \(poll) seconds. Timeout policy configured to \(def.timeoutPolicy.rawValue)")
                if task.status.isTerminal { return }
            }
        }
        // Silence from the worker holding it; the policy does not apply here.
        if task.status == .inProgress && def.responseTimeoutSeconds != 0 && !isAsyncCompleteSystemTask(task) {
            if now - task.updateTime >= def.responseTimeoutSeconds * 1000 + task.callbackAfterSeconds * 1000 {
                task.status = .timedOut
                task.reasonForIncompletion = "responseTimeout: \(def.responseTimeoutSeconds) exceeded for the taskId: \(task.taskId) with Task Definition: \(task.taskDefName)"
            }
        }
    }

    private func isAsyncCompleteSystemTask(_ task: TaskModel) -> Bool {
        guard task.isSystemTask else { return false }
        switch task.taskType {
        case "SUB_WORKFLOW", "WAIT", "HUMAN", "JOIN", "EXCLUSIVE_JOIN", "DO_WHILE", "START_WORKFLOW": return true
        case "HTTP", "EVENT": return task.workflowTask.asyncComplete
        default: return false
        }
    }

    private func timeOut(_ task: inout TaskModel, def: TaskDef, reason: String) throws {
        switch def.timeoutPolicy {
        case .alertOnly:
            return
        case .retry:
            task.status = .timedOut
            task.reasonForIncompletion = reason
        case .timeOutWorkflow:
            task.status = .timedOut
            task.reasonForIncompletion = reason
            throw Termination(status: .timedOut, reason: reason, task: task)
        }
    }

    /// The earliest instant at which a decide could change this workflow by the clock alone (timeouts,
    /// WAIT deadlines); nil when only an outside event can.
    public func nextDueTime(_ wf: WorkflowModel) -> Int64? {
        guard !wf.status.isTerminal else { return nil }
        var due: Int64?
        func consider(_ t: Int64) { due = min(due ?? t, t) }
        if wf.definition.timeoutSeconds > 0 && wf.definition.timeoutPolicy == .timeOutWorkflow {
            consider((wf.lastRetriedTime > 0 ? wf.lastRetriedTime : wf.createTime) + wf.definition.timeoutSeconds * 1000)
        }
        if wf.status == .paused { return due }
        for t in wf.tasks where !t.status.isTerminal && !t.retried {
            if t.taskType == "WAIT" && t.waitTimeout > 0 { consider(t.waitTimeout) }
            guard let def = t.taskDefinition else { continue }
            if def.timeoutPolicy != .alertOnly {
                if def.totalTimeoutSeconds > 0 && t.firstScheduledTime > 0 { consider(t.firstScheduledTime + def.totalTimeoutSeconds * 1000) }
                if def.timeoutSeconds > 0 && t.startTime > 0 {
                    consider(t.startTime + Int64(t.startDelayInSeconds) * 1000 + def.timeoutSeconds * 1000)
                }
                if let poll = def.pollTimeoutSeconds, poll > 0, t.status == .scheduled {
                    consider(t.scheduledTime + Int64(t.startDelayInSeconds) * 1000 + Int64(poll) * 1000 + t.callbackAfterSeconds * 1000)
                }
            }
            if t.status == .inProgress && def.responseTimeoutSeconds != 0 && !isAsyncCompleteSystemTask(t) {
                consider(t.updateTime + def.responseTimeoutSeconds * 1000 + t.callbackAfterSeconds * 1000)
            }
        }
        return due
    }

    // MARK: Retries

    /// A new attempt for a failed one, or nil when optional/permissive rules say to move on. Throws the
    /// workflow's end when no retry is left.
    private func retryAttempt(of task: TaskModel, in wf: WorkflowModel) throws -> TaskModel? {
        let def = task.taskDefinition
        let allowed = def == nil ? 0 : (task.workflowTask.retryCount ?? def!.retryCount)
        if !task.status.isRetriable || SystemTaskTypes.neverRetried.contains(task.taskType) || allowed <= task.retryCount {
            if task.workflowTask.optional || task.workflowTask.permissive { return nil }
            let status: WorkflowStatus = switch task.status {
            case .canceled: .terminated
            case .timedOut: .timedOut
            default: .failed
            }
            throw Termination(status: status, reason:
                "Task \(task.taskId) failed with status: \(status.rawValue) and reason: '\(task.reasonForIncompletion ?? "null")'", task: task)
        }
        guard let def else { return nil }
        if def.totalTimeoutSeconds > 0 && task.firstScheduledTime > 0 {
            let elapsed = (now - task.firstScheduledTime) / 1000
            if elapsed >= def.totalTimeoutSeconds {
                throw Termination(status: task.status == .timedOut ? .timedOut : .failed, reason:
                    "Task \(task.taskId)/\(task.taskDefName) exceeded total timeout of \(def.totalTimeoutSeconds) seconds (elapsed \(elapsed) seconds across all attempts). No further retries will be attempted.", task: task)
            }
        }
        let delay = Self.retryDelaySeconds(def, failedRetryCount: task.retryCount)
        let jitter = def.backoffJitterMs > 0 ? Int64.random(in: 0...Int64(def.backoffJitterMs)) : 0
        var retry = task
        retry.taskId = newId()
        retry.retriedTaskId = task.taskId
        retry.retryCount = task.retryCount + 1
        retry.retried = false
        retry.executed = false
        retry.status = .scheduled
        retry.pollCount = 0
        retry.outputData = JSONObject()
        retry.subWorkflowId = nil
        retry.inputData["subWorkflowId"] = nil
        retry.startTime = 0
        retry.endTime = 0
        retry.workerId = nil
        retry.startDelayInSeconds = delay
        retry.callbackAfterSeconds = Int64(delay)
        let resolved = InputResolution(workflow: wf, taskId: retry.taskId).taskInput(task.workflowTask.inputParameters, taskDef: def)
        for (k, v) in resolved { retry.inputData[k] = v }
        var scheduled = retry
        scheduled.visibleAt = now + Int64(delay) * 1000 + jitter
        return scheduled
    }

    /// FIXED / LINEAR_BACKOFF / EXPONENTIAL_BACKOFF, capped, saturating like Java's int overflow guard.
    static func retryDelaySeconds(_ def: TaskDef, failedRetryCount: Int) -> Int {
        let base = Int64(def.retryDelaySeconds)
        var delay: Int64
        switch def.retryLogic {
        case .fixed: delay = base
        case .linearBackoff: delay = base * Int64(def.backoffScaleFactor) * Int64(failedRetryCount + 1)
        case .exponentialBackoff:
            let factor: Int64 = failedRetryCount >= 62 ? Int64.max : (1 << Int64(failedRetryCount))
            let (product, overflow) = base.multipliedReportingOverflow(by: factor)
            delay = overflow ? Int64(Int32.max) : product
        }
        if delay > Int64(Int32.max) || delay < 0 { delay = Int64(Int32.max) }
        if def.maxRetryDelaySeconds > 0 && delay > Int64(def.maxRetryDelaySeconds) { delay = Int64(def.maxRetryDelaySeconds) }
        return Int(delay)
    }
}

import Foundation
