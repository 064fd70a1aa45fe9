import BatonSupport

/// The decide pass: moves one workflow forward as far as it can go now (OSS `DeciderService.decide`
/// with the loop of `WorkflowExecutorOps.decide` around it). A pure function of the workflow and the
/// context: it returns the new state and the effects the engine must carry out, and does no I/O.
///
/// Each round follows OSS's order of work:
/// 1. a scan over the unprocessed attempts, without running anything: timeouts, retries of failed
///    attempts (or the workflow's end when none is left), and the nodes after finished ones;
/// 2. the completion check;
/// 3. the new attempts are added (sequence numbers, schedule times) and launched ones listed as effects;
/// 4. the open engine-run tasks (DO_WHILE, JOIN, SWITCH, scripts, WAIT...) run, in the scan's order.
/// Rounds repeat while one changes something. Because retries are added before anything runs, a loop
/// or a join never mistakes a failure that is about to be retried for a final one.
public struct Decider {
    public var ctx: DecideContext

    public init(_ ctx: DecideContext) { self.ctx = ctx }

    /// Rounds one pass may run. A long synchronous loop (hundreds of INLINE iterations) needs many; past
    /// this the workflow is handed back with `.decideAgain` rather than hold the engine.
    static let maxRounds = 5_000

    public func decide(_ workflow: WorkflowModel) -> Decision {
        var wf = workflow
        let effects = decide(&wf)
        return Decision(workflow: wf, effects: effects)
    }

    /// The same pass in place: the engine's form, which spares copying every attempt of the workflow
    /// (it owns the only reference when it calls this).
    func decide(_ wf: inout WorkflowModel) -> [Effect] {
        var effects: [Effect] = []
        guard !wf.status.isTerminal else { return [] }
        if let ending = Timeouts(ctx.now).workflowTimeout(wf) {
            end(&wf, ending, &effects)
            return effects
        }
        if wf.status == .paused { return [] }
        for _ in 0..<Self.maxRounds {
            switch round(&wf, &effects) {
            case .again: continue
            case .settled: return effects
            case .ended(let ending): end(&wf, ending, &effects)
            case .completed(let terminate): complete(&wf, terminate: terminate, &effects)
            }
            return effects
        }
        effects.append(.decideAgain)
        return effects
    }

    private enum RoundResult {
        case again, settled
        case ended(Ending)
        case completed(terminate: TaskModel?)
    }

    /// The attempts a round will schedule or run, by reference name, in the order found.
    private struct Pending {
        private(set) var tasks: [TaskModel] = []
        private var index: [String: Int] = [:]
        mutating func put(_ t: TaskModel, replace: Bool) {
            if let i = index[t.referenceTaskName] {
                if replace { tasks[i] = t }
            } else {
                index[t.referenceTaskName] = tasks.count
                tasks.append(t)
            }
        }
    }

    private func round(_ wf: inout WorkflowModel, _ effects: inout [Effect]) -> RoundResult {
        var pending = Pending()
        if wf.tasks.allSatisfy({ $0.status == .skipped || $0.executed }) {
            // Nothing in flight: a new workflow starts with its first node that is not skipped.
            var node = wf.definition.tasks.first
            while let n = node, isSkipped(n, in: wf) { node = wf.definition.nextTask(after: n.taskReferenceName) }
            if let node {
                switch schedule(node, in: wf) {
                case .success(let tasks): for t in tasks { pending.put(t, replace: false) }
                case .failure(let ending): return .ended(ending)
                }
            }
        }
        var executedRefs = Set(wf.tasks.filter(\.executed).map(\.referenceTaskName))
        let terminate = Terminate.succeeded(in: wf)
        let timeouts = Timeouts(ctx.now)

        // 1. The scan. By id, not index: nothing here removes tasks, but ids keep it obviously right.
        for i in wf.tasks.indices {
            let t = wf.tasks[i]
            guard !t.retried && t.status != .skipped && !t.executed else { continue }
            if t.isSystemTask && !t.status.isTerminal {
                pending.put(t, replace: false)
                executedRefs.remove(t.referenceTaskName)
            }
            if let def = wf.tasks[i].taskDefinition, let ending = timeouts.check(&wf.tasks[i], def: def) {
                return .ended(ending)
            }
            if wf.tasks[i].status.isTerminal && !wf.tasks[i].status.isSuccessful {
                switch Retries(ctx).retry(wf.tasks[i], in: wf) {
                case .attempt(let retry):
                    wf.tasks[i].retried = true
                    pending.put(retry, replace: true)
                    executedRefs.remove(retry.referenceTaskName)
                case .moveOn:
                    if !(wf.tasks[i].workflowTask.permissive && !wf.tasks[i].workflowTask.optional) {
                        wf.tasks[i].status = .completedWithErrors
                    }
                case .end(let ending):
                    return .ended(ending)
                }
            }
            let current = wf.tasks[i]
            if !current.executed && !current.retried && current.status.isTerminal {
                wf.tasks[i].executed = true
                switch nextTasks(after: current, in: wf) {
                case .success(var next):
                    if current.isLoopOverTask && current.kind != .doWhile && !next.isEmpty {
                        next = DoWhile.successors(next, after: current, in: wf)
                    }
                    for n in next { pending.put(n, replace: false) }
                case .failure(let ending):
                    return .ended(ending)
                }
            }
        }
        let toRun = pending.tasks.filter { !executedRefs.contains($0.referenceTaskName) }

        // 2. Completion.
        if terminate != nil || (toRun.isEmpty && isComplete(wf)) {
            if let ending = permissiveFailures(wf) { return .ended(ending) }
            return .completed(terminate: terminate)
        }

        // 3. New attempts join the workflow (deduplicated as OSS does, by reference name and retry count).
        let present = Set(wf.tasks.map { "\($0.referenceTaskName)_\($0.retryCount)" })
        let added = toRun.filter { !present.contains("\($0.referenceTaskName)_\($0.retryCount)") }
        append(added, to: &wf, &effects)
        var changed = added.contains { $0.isSystemTask }

        // 4. The open engine-run tasks, in the scan's order (new ones included).
        for t in toRun where t.isSystemTask {
            guard let i = wf.index(ofTask: t.taskId), !wf.tasks[i].status.isTerminal else { continue }
            let run = t.behavior.execute(i, &wf, ctx)
            if let ending = run.ending { return .ended(ending) }
            if run.changed { changed = true }
            for start in run.schedule {
                switch schedule(start.node, in: wf, retryCount: start.retryCount) {
                case .success(var tasks):
                    for j in tasks.indices {
                        tasks[j].referenceTaskName = "\(tasks[j].referenceTaskName)__\(start.iteration)"
                        tasks[j].iteration = start.iteration
                    }
                    append(tasks, to: &wf, &effects)
                case .failure(let ending):
                    return .ended(ending)
                }
            }
        }
        return changed ? .again : .settled
    }

    // MARK: Scheduling

    private func isSkipped(_ node: WorkflowTask, in wf: WorkflowModel) -> Bool {
        wf.task(ref: node.taskReferenceName)?.status == .skipped
    }

    /// Adds new attempts to the workflow (sequence numbers, schedule times, queue visibility) and lists
    /// the launches they need.
    public func append(_ newTasks: [TaskModel], to wf: inout WorkflowModel, _ effects: inout [Effect]) {
        var seq = wf.nextSeq
        for var t in newTasks {
            t.seq = seq
            seq += 1
            t.scheduledTime = ctx.now
            if t.firstScheduledTime == 0 { t.firstScheduledTime = ctx.now }
            t.updateTime = ctx.now
            if t.visibleAt == 0 { t.visibleAt = ctx.now + t.callbackAfterSeconds * 1000 }
            if let launch = t.behavior.launch(t) { effects.append(launch) }
            wf.tasks.append(t)
        }
    }

    /// The attempts scheduling `node` creates with everything scheduled along with it, minus reference
    /// names already running or done (OSS `getTasksToBeScheduled`).
    func schedule(_ node: WorkflowTask, in wf: WorkflowModel, retryCount: Int = 0, retriedTaskId: String? = nil) -> Result<[TaskModel], Ending> {
        var out: [TaskModel] = []
        func map(_ node: WorkflowTask, retriedTaskId: String?) -> Ending? {
            let m = node.behavior.map(node, MapRequest(workflow: wf, retryCount: retryCount, retriedTaskId: retriedTaskId), ctx)
            if let ending = m.ending { return ending }
            out += m.tasks
            for n in m.next { if let ending = map(n, retriedTaskId: nil) { return ending } }
            out += m.tail
            return nil
        }
        if let ending = map(node, retriedTaskId: retriedTaskId) { return .failure(ending) }
        let taken = Set(wf.tasks.filter { $0.status == .inProgress || $0.status.isTerminal }.map(\.referenceTaskName))
        return .success(out.filter { !taken.contains($0.referenceTaskName) })
    }

    /// What comes after a finished task (OSS `getNextTask`).
    private func nextTasks(after task: TaskModel, in wf: WorkflowModel) -> Result<[TaskModel], Ending> {
        if (task.kind == .switchTask || task.kind == .decision) && Switch.scheduledBranch(task) { return .success([]) }
        let ref = task.isLoopOverTask ? baseReferenceName(task.referenceTaskName) : task.referenceTaskName
        var node = wf.definition.nextTask(after: ref)
        while let n = node, isSkipped(n, in: wf) { node = wf.definition.nextTask(after: n.taskReferenceName) }
        guard let node else { return .success([]) }
        // The last task of a loop body hands control back to the loop, which runs as an open task.
        if node.taskType == .doWhile && wf.tasks.contains(where: { $0.referenceTaskName == node.taskReferenceName }) {
            return .success([])
        }
        return schedule(node, in: wf)
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
            if t.kind == .terminate && t.status.isSuccessful { return true }
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

    /// A permissive (non-optional) task whose last attempt failed fails the workflow at completion.
    private func permissiveFailures(_ wf: WorkflowModel) -> Ending? {
        var latest: [String: TaskModel] = [:]
        for t in wf.tasks where t.workflowTask.permissive && !t.workflowTask.optional {
            if let existing = latest[t.referenceTaskName], existing.retryCount > t.retryCount { continue }
            latest[t.referenceTaskName] = t
        }
        let failed = wf.tasks.compactMap { t in latest[t.referenceTaskName].flatMap { $0.taskId == t.taskId ? $0 : nil } }
            .filter { $0.status.isTerminal && !$0.status.isSuccessful }
        guard !failed.isEmpty else { return nil }
        return .failed(failed.map { "Task \($0.taskId) failed with status: \($0.status.rawValue) and reason: '\($0.reasonForIncompletion ?? "null")'" }
            .joined(separator: ". "))
    }

    /// OSS `endExecution`: a TERMINATE task ends the workflow with its status, otherwise it completes.
    /// Either way every task still open is canceled.
    private func complete(_ wf: inout WorkflowModel, terminate: TaskModel?, _ effects: inout [Effect]) {
        if let terminate {
            let status = terminate.inputData["terminationStatus"]?.stringValue ?? "COMPLETED"
            var reason = terminate.inputData["terminationReason"]?.stringValue ?? ""
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { reason = "Workflow is \(status) by TERMINATE task: \(terminate.taskId)" }
            switch status {
            case "FAILED": return end(&wf, Ending(status: .failed, reason: reason, task: terminate), &effects)
            case "TERMINATED": return end(&wf, Ending(status: .terminated, reason: reason, task: terminate), &effects)
            default: wf.reasonForIncompletion = reason
            }
        }
        wf.output = Self.output(of: wf)
        wf.status = .completed
        wf.endTime = ctx.now
        Self.recordFailedNames(&wf)
        cancelOpenTasks(&wf, &effects)
        effects.append(.ended(.completed))
    }

    /// Ends the workflow unsuccessfully: output, failed names, reason, open tasks canceled, and the
    /// failure workflow (engine-driven failures only; a management terminate uses `terminate`).
    func end(_ wf: inout WorkflowModel, _ ending: Ending, _ effects: inout [Effect]) {
        if let task = ending.task, let i = wf.index(ofTask: task.taskId) { wf.tasks[i] = task }
        if ending.status == .completed {
            wf.reasonForIncompletion = ending.reason
            return complete(&wf, terminate: nil, &effects)
        }
        close(&wf, status: ending.status, reason: ending.reason, &effects)
        if var name = wf.definition.failureWorkflow, !name.trimmingCharacters(in: .whitespaces).isEmpty {
            // `${workflow.input.name}`-style values name an input key (third dotted segment).
            if name.hasPrefix("$") {
                let parts = name.split(separator: ".")
                name = parts.count > 2 ? (wf.input[String(parts[2]).replacingOccurrences(of: "}", with: "")]?.stringValue ?? "") : ""
            }
            if !name.isEmpty {
                effects.append(.startFailureWorkflow(FailureWorkflowStart(name: name, version: wf.definition.failureWorkflowVersion,
                                                                          failedTaskId: ending.task?.taskId)))
            }
        }
    }

    /// A management terminate: TERMINATED with the reason given, open tasks canceled, no failure workflow.
    public func terminate(_ workflow: WorkflowModel, reason: String?) -> Decision {
        var wf = workflow
        var effects: [Effect] = []
        close(&wf, status: .terminated, reason: reason, &effects)
        return Decision(workflow: wf, effects: effects)
    }

    private func close(_ wf: inout WorkflowModel, status: WorkflowStatus, reason: String?, _ effects: inout [Effect]) {
        wf.status = status
        wf.output = Self.output(of: wf)
        Self.recordFailedNames(&wf)
        wf.reasonForIncompletion = reason
        wf.endTime = ctx.now
        cancelOpenTasks(&wf, &effects)
        effects.append(.ended(status))
    }

    /// OSS `cancelNonTerminalTasks`: every open task is CANCELED, and its type cancels what it started
    /// (a SUB_WORKFLOW's child is terminated with the parent's reason).
    private func cancelOpenTasks(_ wf: inout WorkflowModel, _ effects: inout [Effect]) {
        let reason = wf.reasonForIncompletion.flatMap { $0.isEmpty ? nil : "Parent workflow has been terminated with reason: \($0)" }
            ?? "Parent workflow has been terminated with status \(wf.status.rawValue)"
        for i in wf.tasks.indices where !wf.tasks[i].status.isTerminal {
            effects += wf.tasks[i].behavior.cancel(wf.tasks[i], reason: reason)
            wf.tasks[i].status = .canceled
            wf.tasks[i].endTime = ctx.now
        }
    }

    static func recordFailedNames(_ wf: inout WorkflowModel) {
        for t in wf.tasks where t.status == .failed || t.status == .failedWithTerminalError {
            if !wf.failedReferenceTaskNames.contains(t.referenceTaskName) { wf.failedReferenceTaskNames.append(t.referenceTaskName) }
            if !wf.failedTaskNames.contains(t.taskDefName) { wf.failedTaskNames.append(t.taskDefName) }
        }
    }

    /// OSS `updateWorkflowOutput`: a TERMINATE task's output, else the resolved `outputParameters`, else
    /// the last task's output.
    static func output(of wf: WorkflowModel) -> JSONObject {
        guard let last = wf.tasks.last else { return wf.output }
        if let terminate = Terminate.succeeded(in: wf) { return terminate.outputData }
        if !wf.definition.outputParameters.isEmpty {
            return InputResolution(workflow: wf, taskId: nil).resolve(wf.definition.outputParameters)
        }
        return last.outputData
    }
}
