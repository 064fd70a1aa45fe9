import BatonSupport

/// SWITCH (OSS `SwitchTaskMapper`): evaluates `expression` with its evaluator (`value-param`, or
/// `javascript`/`graaljs`) when scheduled, records the case taken, and schedules that case's first
/// node (the default case when none matches; nothing for an empty case).
struct Switch: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        var errors: [String] = []
        if node.evaluatorType == nil {
            errors.append(Validation.required("evaluatorType", node))
        } else if node.expression == nil {
            errors.append(Validation.required("expression", node))
        }
        if node.decisionCases.isEmpty { errors.append("decisionCases should have atleast one task for taskType: \(node.type) taskName: \(node.name)") }
        return errors
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        let t = Attempts.system(node, type: .switchTask, defName: TaskType.switchTask.rawValue, status: .inProgress, request, ctx)
        let value: JSONValue
        switch node.evaluatorType ?? "" {
        case "value-param":
            value = t.inputData[node.expression ?? ""] ?? .null
        case "javascript", "graaljs":
            do {
                value = try ctx.scripts.javascript(node.expression ?? "", input: .object(t.inputData))
            } catch {
                return Self.failed(t, reason: error.message)
            }
        default:
            return .end(.failed("No evaluator registered for type: \(node.evaluatorType ?? "null")"))
        }
        let key = Self.caseKey(value)
        var chosen = t
        chosen.inputData["case"] = .string(key)
        chosen.outputData = ["evaluationResult": [.string(key)], "selectedCase": .string(key)]
        return Self.branch(chosen, node, key: key, emptyCaseFallsBack: false)
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        Self.completeDecision(i, &wf, ctx)
    }

    var isRetriedOnFailure: Bool { false }

    // MARK: Shared with DECISION

    /// A decision whose expression failed: the task fails (never retried), which fails the workflow.
    static func failed(_ task: TaskModel, reason: String) -> Mapping {
        var t = task
        t.status = .failed
        t.reasonForIncompletion = reason
        return Mapping(tasks: [t])
    }

    /// The decision task and the head of the branch `key` selects.
    static func branch(_ task: TaskModel, _ node: WorkflowTask, key: String, emptyCaseFallsBack: Bool) -> Mapping {
        var t = task
        var branch = node.decisionCases.first { $0.caseValue == key }?.tasks
        if branch == nil || (emptyCaseFallsBack && branch?.isEmpty == true) { branch = node.defaultCase }
        guard let head = branch?.first else { return Mapping(tasks: [t]) }
        // The branch's successors come from the branch, not from the node after the decision.
        t.inputData["hasChildren"] = "true"
        return Mapping(tasks: [t], next: [head])
    }

    static func completeDecision(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        wf.tasks[i].status = .completed
        wf.tasks[i].endTime = ctx.now
        return .changed
    }

    /// Whether a finished decision already scheduled its branch (its successor is the branch's).
    static func scheduledBranch(_ task: TaskModel) -> Bool { task.inputData["hasChildren"] != nil }

    /// The text a case key is matched by: null → "null", booleans and numbers as Java prints them.
    static func caseKey(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? "\(Int64(d)).0" : "\(d)"
        default: return JSONWriter.string(v)
        }
    }
}
