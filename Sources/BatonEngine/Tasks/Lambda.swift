import BatonSupport

/// LAMBDA (deprecated in OSS in favour of INLINE): runs `scriptExpression` as a function body; its
/// return value is `output.result`.
struct Lambda: TaskBehavior {
    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .lambda, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        let script = t.inputData["scriptExpression"]?.stringValue ?? ""
        if script.trimmingCharacters(in: .whitespaces).isEmpty {
            t.status = .failed
            t.reasonForIncompletion = "Empty 'scriptExpression' in Lambda task's input parameters. A non-empty String value must be provided."
        } else {
            do {
                t.outputData = ["result": try ctx.scripts.javascript("(function(){ \(script) })()", input: .object(t.inputData))]
                t.status = .completed
            } catch {
                Scripts.fail(&t, .failed, error.message)
            }
        }
        t.endTime = ctx.now
        wf.tasks[i] = t
        return .changed
    }
}
