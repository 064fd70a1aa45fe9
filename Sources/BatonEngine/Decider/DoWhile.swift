import BatonSupport

/// DO_WHILE (OSS `DoWhile`): the body runs at least once; after each complete iteration the loop
/// condition (JavaScript) decides whether another runs. Body tasks are suffixed `ref__N`.
extension Decider {
    /// Tasks of this loop's body in the loop's current iteration (latest attempt per reference name).
    private func iterationTasks(of loop: TaskModel, in wf: WorkflowModel) -> [String: TaskModel] {
        var relevant: [String: TaskModel] = [:]
        for t in wf.tasks where t.referenceTaskName != loop.referenceTaskName && t.iteration == loop.iteration
            && loop.workflowTask.has(baseReferenceName(t.referenceTaskName)) {
            if let existing = relevant[t.referenceTaskName], existing.retryCount > t.retryCount { continue }
            relevant[t.referenceTaskName] = t
        }
        return relevant
    }

    func runDoWhile(_ wf: inout WorkflowModel, at i: Int) throws -> Bool {
        var loop = wf.tasks[i]
        let relevant = iterationTasks(of: loop, in: wf)
        if relevant.isEmpty {
            if isListIteration(loop) && items(of: loop, in: wf).isEmpty {
                loop.outputData["iteration"] = 0
                loop.status = .completed
                wf.tasks[i] = loop
                return true
            }
            loop.iteration = 1
            loop.outputData["iteration"] = 1
            injectLoopVariables(&loop, in: wf)
            wf.tasks[i] = loop
            try scheduleIteration(of: loop, in: &wf)
            return true
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
        guard let index = wf.index(ofTask: loop.taskId) else { return false }
        if let failure {
            loop.status = .failed
            loop.reasonForIncompletion = failure
            wf.tasks[index] = loop
            return true
        }
        guard isIterationComplete(loop, relevant) else {
            let changed = wf.tasks[index] != loop
            wf.tasks[index] = loop
            return changed
        }
        do {
            if try shouldContinue(loop, in: wf) {
                loop.iteration += 1
                loop.outputData["iteration"] = .int(Int64(loop.iteration))
                injectLoopVariables(&loop, in: wf)
                wf.tasks[index] = loop
                try scheduleIteration(of: loop, in: &wf)
            } else {
                loop.status = .completed
                wf.tasks[index] = loop
            }
        } catch let t as Termination {
            throw t
        } catch {
            loop.status = .failedWithTerminalError
            loop.reasonForIncompletion = "Unable to evaluate condition \(loop.workflowTask.loopCondition ?? ""), exception \((error as? ScriptError)?.message ?? "\(error)")"
            wf.tasks[index] = loop
        }
        return true
    }

    /// Every body node has a terminal execution in this iteration and nothing is left to schedule.
    private func isIterationComplete(_ loop: TaskModel, _ relevant: [String: TaskModel]) -> Bool {
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

    /// Schedules the first body node with the iteration suffix.
    private func scheduleIteration(of loop: TaskModel, in wf: inout WorkflowModel) throws {
        guard let head = loop.workflowTask.loopOver.first else { return }
        var tasks = try tasksToSchedule(head, in: wf, retryCount: loop.retryCount)
        for j in tasks.indices {
            tasks[j].referenceTaskName = "\(tasks[j].referenceTaskName)__\(loop.iteration)"
            tasks[j].iteration = loop.iteration
        }
        schedule(tasks, in: &wf)
    }

    /// Suffixes the successors of a finished body task for its iteration, dropping refs that exist.
    func loopSuccessors(_ next: [TaskModel], after task: TaskModel, in wf: WorkflowModel) -> [TaskModel] {
        let present = Set(wf.tasks.filter { $0.status == .inProgress || $0.status.isTerminal }.map(\.referenceTaskName))
        return next.map { t in
            var t = t
            t.referenceTaskName = "\(t.referenceTaskName)__\(task.iteration)"
            t.iteration = task.iteration
            return t
        }.filter { !present.contains($0.referenceTaskName) }
    }

    private func isListIteration(_ loop: TaskModel) -> Bool {
        if let items = loop.workflowTask.json["items"]?.stringValue, !items.trimmingCharacters(in: .whitespaces).isEmpty { return true }
        switch loop.workflowTask.inputParameters["_items"] {
        case .string(let s)?: return !s.trimmingCharacters(in: .whitespaces).isEmpty
        case .array?: return true
        default: return false
        }
    }

    private func items(of loop: TaskModel, in wf: WorkflowModel) -> [JSONValue] {
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

    private func injectLoopVariables(_ loop: inout TaskModel, in wf: WorkflowModel) {
        guard isListIteration(loop) else { return }
        let list = items(of: loop, in: wf)
        let index = loop.iteration - 1
        loop.outputData["loopIndex"] = .int(Int64(index))
        if index >= 0 && index < list.count { loop.outputData["loopItem"] = list[index] }
    }

    /// The loop condition over the loop's inputs, its own output and each body task's latest output.
    private func shouldContinue(_ loop: TaskModel, in wf: WorkflowModel) throws -> Bool {
        var input = InputResolution(workflow: wf, taskId: loop.taskId).resolve(loop.workflowTask.inputParameters)
        input[loop.referenceTaskName] = .object(loop.outputData)
        for t in wf.tasks where t.referenceTaskName != loop.referenceTaskName && loop.workflowTask.has(baseReferenceName(t.referenceTaskName)) {
            input[baseReferenceName(t.referenceTaskName)] = .object(t.outputData)
        }
        let condition = loop.workflowTask.loopCondition ?? ""
        if isListIteration(loop) {
            let list = items(of: loop, in: wf)
            let index = loop.iteration - 1
            input["loopIndex"] = .int(Int64(index))
            if index >= 0 && index < list.count { input["loopItem"] = list[index] }
            let hasMore = index < list.count - 1
            if condition.trimmingCharacters(in: .whitespaces).isEmpty { return hasMore }
            return try Self.isTruthy(JavaScript.evaluate(condition, input: .object(input))) && hasMore
        }
        guard !condition.isEmpty else { return false }
        return Self.isTruthy(try JavaScript.evaluate(condition, input: .object(input)))
    }

    static func isTruthy(_ v: JSONValue) -> Bool {
        switch v {
        case .bool(let b): return b
        case .int(let i): return i > 0
        case .double(let d): return d > 0
        default: return false
        }
    }
}
