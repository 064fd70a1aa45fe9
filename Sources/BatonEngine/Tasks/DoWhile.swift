import BatonSupport

/// DO_WHILE (OSS `DoWhile`): the body runs at least once; after each complete iteration the loop
/// condition (JavaScript) decides whether another runs. Body attempts are suffixed `ref__N`; `items`
/// (or `_items`) iterates over a list with `loopIndex`/`loopItem`; `keepLastN` drops old iterations.
/// It runs after the decide pass's scan, so a body task's failure has already been retried (or has
/// ended the workflow) when the loop looks at its iteration.
struct DoWhile: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        var errors: [String] = []
        if node.loopCondition == nil { errors.append(Validation.required("loopCondition", node)) }
        if node.loopOver.isEmpty { errors.append(Validation.required("loopOver", node)) }
        return errors
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        // Another attempt of this loop that already ended: nothing to do (OSS `DoWhileTaskMapper`).
        if let existing = request.workflow.task(ref: node.taskReferenceName), existing.status.isTerminal { return Mapping() }
        var t = Attempts.system(node, type: .doWhile, status: .inProgress, request, ctx)
        t.rateLimitPerFrequency = node.taskDefinition?.rateLimitPerFrequency ?? 0
        t.rateLimitFrequencyInSeconds = node.taskDefinition?.rateLimitFrequencyInSeconds ?? 1
        return Mapping(tasks: [t])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var loop = wf.tasks[i]
        let relevant = Self.iterationTasks(of: loop, in: wf)
        if relevant.isEmpty {
            if Self.isListIteration(loop) && Self.items(of: loop, in: wf).isEmpty {
                loop.outputData["iteration"] = 0
                loop.status = .completed
                loop.endTime = ctx.now
                wf.tasks[i] = loop
                return .changed
            }
            loop.iteration = 1
            loop.outputData["iteration"] = 1
            Self.injectLoopVariables(&loop, in: wf)
            wf.tasks[i] = loop
            return Self.startIteration(of: loop)
        }
        var output = JSONObject()
        var failure: String?
        for t in relevant.values.sorted(by: { $0.seq < $1.seq }) {
            output[baseReferenceName(t.referenceTaskName)] = .object(t.outputData)
            if !t.status.isSuccessful {
                failure = (t.reasonForIncompletion ?? "null") + " "
                break
            }
        }
        loop.outputData[String(loop.iteration)] = .object(output)
        if let keep = loop.workflowTask.inputParameters["keepLastN"]?.int64Value, keep >= 0, loop.iteration > Int(keep) {
            let drop = loop.iteration - Int(keep)
            for n in 1...drop { loop.outputData[String(n)] = nil }
            wf.tasks.removeAll { t in
                t.referenceTaskName != loop.referenceTaskName && t.iteration > 0 && t.iteration <= drop
                    && loop.workflowTask.has(baseReferenceName(t.referenceTaskName))
            }
        }
        guard let index = wf.index(ofTask: loop.taskId) else { return .unchanged }
        if let failure {
            loop.status = .failed
            loop.reasonForIncompletion = failure
            loop.endTime = ctx.now
            wf.tasks[index] = loop
            return .changed
        }
        guard Self.isIterationComplete(loop, relevant) else {
            let changed = wf.tasks[index] != loop
            wf.tasks[index] = loop
            return Execution(changed: changed)
        }
        switch Self.shouldContinue(loop, in: wf, ctx) {
        case .success(true):
            loop.iteration += 1
            loop.outputData["iteration"] = .int(Int64(loop.iteration))
            Self.injectLoopVariables(&loop, in: wf)
            wf.tasks[index] = loop
            return Self.startIteration(of: loop)
        case .success(false):
            loop.status = .completed
        case .failure(let error):
            loop.status = .failedWithTerminalError
            loop.reasonForIncompletion = "Unable to evaluate condition \(loop.workflowTask.loopCondition ?? ""), exception \(error.message)"
        }
        loop.endTime = ctx.now
        wf.tasks[index] = loop
        return .changed
    }

    func isAsyncComplete(_ task: TaskModel) -> Bool { true }
    var isRetriedOnFailure: Bool { false }
    var reopensInPlace: Bool { true }
    var reopensWhenCanceled: Bool { true }

    // MARK: Iterations

    private static func startIteration(of loop: TaskModel) -> Execution {
        guard let head = loop.workflowTask.loopOver.first else { return .changed }
        return Execution(changed: true, schedule: [IterationStart(node: head, iteration: loop.iteration, retryCount: loop.retryCount)])
    }

    /// Tasks of this loop's body in the loop's current iteration (latest attempt per reference name).
    private static func iterationTasks(of loop: TaskModel, in wf: WorkflowModel) -> [String: TaskModel] {
        var relevant: [String: TaskModel] = [:]
        for t in wf.tasks where t.referenceTaskName != loop.referenceTaskName && t.iteration == loop.iteration
            && loop.workflowTask.has(baseReferenceName(t.referenceTaskName)) {
            if let existing = relevant[t.referenceTaskName], existing.retryCount > t.retryCount { continue }
            relevant[t.referenceTaskName] = t
        }
        return relevant
    }

    /// Every body node has a terminal execution in this iteration and nothing is left to schedule.
    private static func isIterationComplete(_ loop: TaskModel, _ relevant: [String: TaskModel]) -> Bool {
        for node in loop.workflowTask.loopOver {
            guard let t = relevant["\(node.taskReferenceName)__\(loop.iteration)"], t.status.isTerminal else { return false }
        }
        if relevant.values.contains(where: { !$0.status.isTerminal }) { return false }
        for t in relevant.values where t.status.isTerminal {
            if let next = loop.workflowTask.next(after: baseReferenceName(t.referenceTaskName), parent: nil),
               next.taskReferenceName != loop.referenceTaskName, loop.workflowTask.has(next.taskReferenceName),
               relevant["\(next.taskReferenceName)__\(loop.iteration)"] == nil {
                return false
            }
        }
        return true
    }

    /// Suffixes the successors of a finished body task for its iteration, dropping refs that exist.
    static func successors(_ next: [TaskModel], after task: TaskModel, in wf: WorkflowModel) -> [TaskModel] {
        let present = Set(wf.tasks.filter { $0.status == .inProgress || $0.status.isTerminal }.map(\.referenceTaskName))
        return next.map { t in
            var t = t
            t.referenceTaskName = "\(t.referenceTaskName)__\(task.iteration)"
            t.iteration = task.iteration
            return t
        }.filter { !present.contains($0.referenceTaskName) }
    }

    private static func isListIteration(_ loop: TaskModel) -> Bool {
        if let items = loop.workflowTask.json["items"]?.stringValue, !items.trimmingCharacters(in: .whitespaces).isEmpty { return true }
        switch loop.workflowTask.inputParameters["_items"] {
        case .string(let s)?: return !s.trimmingCharacters(in: .whitespaces).isEmpty
        case .array?: return true
        default: return false
        }
    }

    private static func items(of loop: TaskModel, in wf: WorkflowModel) -> [JSONValue] {
        let resolution = InputResolution(workflow: wf, taskId: loop.taskId)
        var value: JSONValue?
        if let items = loop.workflowTask.json["items"], !items.isNull {
            value = resolution.resolve(["items": items])["items"]
        }
        if value == nil || value == .null {
            value = resolution.resolve(loop.workflowTask.inputParameters)["_items"]
        }
        switch value {
        case .array(let a)?: return a
        case .none, .null?: return []
        case let other?: return [other]
        }
    }

    private static func injectLoopVariables(_ loop: inout TaskModel, in wf: WorkflowModel) {
        guard isListIteration(loop) else { return }
        let list = items(of: loop, in: wf)
        let index = loop.iteration - 1
        loop.outputData["loopIndex"] = .int(Int64(index))
        if index >= 0 && index < list.count { loop.outputData["loopItem"] = list[index] }
    }

    /// The loop condition over the loop's inputs, its own output and each body task's latest output.
    private static func shouldContinue(_ loop: TaskModel, in wf: WorkflowModel, _ ctx: DecideContext) -> Result<Bool, ScriptError> {
        var input = InputResolution(workflow: wf, taskId: loop.taskId).resolve(loop.workflowTask.inputParameters)
        input[loop.referenceTaskName] = .object(loop.outputData)
        for t in wf.tasks where t.referenceTaskName != loop.referenceTaskName && loop.workflowTask.has(baseReferenceName(t.referenceTaskName)) {
            input[baseReferenceName(t.referenceTaskName)] = .object(t.outputData)
        }
        let condition = loop.workflowTask.loopCondition ?? ""
        return Result { () throws(ScriptError) -> Bool in
            if isListIteration(loop) {
                let list = items(of: loop, in: wf)
                let index = loop.iteration - 1
                input["loopIndex"] = .int(Int64(index))
                if index >= 0 && index < list.count { input["loopItem"] = list[index] }
                let hasMore = index < list.count - 1
                if condition.trimmingCharacters(in: .whitespaces).isEmpty { return hasMore }
                return try ctx.scripts.javascript(condition, input: .object(input)).isTruthy && hasMore
            }
            guard !condition.isEmpty else { return false }
            return try ctx.scripts.javascript(condition, input: .object(input)).isTruthy
        }
    }
}
