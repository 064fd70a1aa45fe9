import BatonSupport

/// JSON_JQ_TRANSFORM: runs `queryExpression` (jq) over the task input; the first value is
/// `output.result`, all of them `output.resultList`.
struct JSONJQTransform: TaskBehavior {
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        if node.inputParameters["queryExpression"] == nil && context.taskDef?.inputTemplate["queryExpression"] == nil {
            return [Validation.required("inputParameters.queryExpression", node)]
        }
        return []
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .jsonJQTransform, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        if let program = t.inputData["queryExpression"]?.stringValue {
            do {
                let results = try ctx.scripts.jq(program, input: .object(t.inputData))
                t.outputData = ["result": results.first ?? .null, "resultList": .array(results)]
                t.status = .completed
            } catch {
                Scripts.fail(&t, .failed, error.message)
            }
        } else {
            t.status = .failed
            t.reasonForIncompletion = "Missing 'queryExpression' in input parameters"
        }
        t.endTime = ctx.now
        wf.tasks[i] = t
        return .changed
    }
}
