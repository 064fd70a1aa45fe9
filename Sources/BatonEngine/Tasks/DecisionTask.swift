import BatonSupport

/// DECISION, SWITCH's older form (OSS `DecisionTaskMapper`): the case is the value of the input
/// parameter `caseValueParam` or of the JavaScript `caseExpression`; an empty matching case falls back
/// to the default case. Named `DecisionTask` because `Decision` is what a decide pass returns.
struct DecisionTask: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        var errors: [String] = []
        if node.caseValueParam == nil && node.caseExpression == nil {
            errors.append(Validation.required("caseValueParam or caseExpression", node))
        }
        if node.decisionCases.isEmpty { errors.append("decisionCases should have atleast one task for taskType: \(node.type) taskName: \(node.name)") }
        return errors
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        let t = Attempts.system(node, type: .decision, defName: TaskType.decision.rawValue, status: .inProgress, request, ctx)
        let value: JSONValue
        if let param = node.caseValueParam {
            value = t.inputData[param] ?? .null
        } else {
            do {
                value = try ctx.scripts.javascript(node.caseExpression ?? "", input: .object(t.inputData))
            } catch {
                return Switch.failed(t, reason: "Error while evaluating script: \(node.caseExpression ?? "")")
            }
        }
        let key = Switch.caseKey(value)
        var chosen = t
        chosen.inputData["case"] = .string(key)
        chosen.outputData = ["caseOutput": [.string(key)]]
        return Switch.branch(chosen, node, key: key, emptyCaseFallsBack: true)
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        Switch.completeDecision(i, &wf, ctx)
    }

    var isRetriedOnFailure: Bool { false }
}
