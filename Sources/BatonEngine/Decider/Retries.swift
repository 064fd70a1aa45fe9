import BatonSupport

/// What the decider does with a failed attempt (OSS `DeciderService.retry`).
struct Retries {
    let ctx: DecideContext

    init(_ ctx: DecideContext) { self.ctx = ctx }

    enum Outcome {
        /// Schedule this new attempt.
        case attempt(TaskModel)
        /// No retry, but optional/permissive rules let the workflow go on.
        case moveOn
        /// No retry left: the workflow ends.
        case end(Ending)
    }

    func retry(_ task: TaskModel, in wf: WorkflowModel) -> Outcome {
        let def = task.taskDefinition
        let allowed = def == nil ? 0 : (task.workflowTask.retryCount ?? def!.retryCount)
        if !task.status.isRetriable || !task.behavior.isRetriedOnFailure || allowed <= task.retryCount {
            if task.workflowTask.optional || task.workflowTask.permissive { return .moveOn }
            let status: WorkflowStatus = switch task.status {
            case .canceled: .terminated
            case .timedOut: .timedOut
            default: .failed
            }
            return .end(Ending(status: status, reason:
                "Task \(task.taskId) failed with status: \(status.rawValue) and reason: '\(task.reasonForIncompletion ?? "null")'", task: task))
        }
        guard let def else { return .moveOn }
        if def.totalTimeoutSeconds > 0 && task.firstScheduledTime > 0 {
            let elapsed = (ctx.now - task.firstScheduledTime) / 1000
            if elapsed >= def.totalTimeoutSeconds {
                return .end(Ending(status: task.status == .timedOut ? .timedOut : .failed, reason:
                    "Task \(task.taskId)/\(task.taskDefName) exceeded total timeout of \(def.totalTimeoutSeconds) seconds (elapsed \(elapsed) seconds across all attempts). No further retries will be attempted.", task: task))
            }
        }
        let delay = Self.delaySeconds(def, failedRetryCount: task.retryCount)
        let jitter = def.backoffJitterMs > 0 ? ctx.random(0...Int64(def.backoffJitterMs)) : 0
        var retry = task
        retry.taskId = ctx.newId()
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
        retry.waitTimeout = 0
        retry.startDelayInSeconds = delay
        retry.callbackAfterSeconds = Int64(delay)
        let resolved = InputResolution(workflow: wf, taskId: retry.taskId).taskInput(task.workflowTask.inputParameters, taskDef: def)
        for (k, v) in resolved { retry.inputData[k] = v }
        retry.visibleAt = ctx.now + Int64(delay) * 1000 + jitter
        return .attempt(retry)
    }

    /// FIXED / LINEAR_BACKOFF / EXPONENTIAL_BACKOFF, capped, saturating like Java's int overflow guard.
    static func delaySeconds(_ def: TaskDef, failedRetryCount: Int) -> Int {
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
