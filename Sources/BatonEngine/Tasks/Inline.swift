import BatonSupport

/// INLINE: evaluates `expression` with its `evaluatorType` (`javascript`/`graaljs`, or `value-param`)
/// over the task input; the value is `output.result`. A script error fails the task terminally; a
/// timeout fails it retryably.
struct Inline: TaskBehavior {
    var isOperator: Bool { true }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .inline, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        let evaluator = t.inputData["evaluatorType"]?.stringValue ?? "javascript"
        let expression = t.inputData["expression"]?.stringValue ?? ""
        if evaluator.trimmingCharacters(in: .whitespaces).isEmpty || expression.trimmingCharacters(in: .whitespaces).isEmpty {
            Scripts.fail(&t, .failedWithTerminalError, "Empty 'evaluatorType' or 'expression' in INLINE task's input parameters. A non-empty String value must be provided.")
        } else {
            switch evaluator {
            case "javascript", "graaljs":
                do {
                    t.outputData = ["result": try ctx.scripts.javascript(expression, input: .object(t.inputData))]
                    t.status = .completed
                } catch {
                    // A timeout may pass on a retry; a script error will not.
                    if case .timeout = error { Scripts.fail(&t, .failed, error.message) } else { Scripts.fail(&t, .failedWithTerminalError, error.message) }
                }
            case "value-param":
                t.outputData = ["result": t.inputData[expression] ?? .null]
                t.status = .completed
            default:
                Scripts.fail(&t, .failedWithTerminalError, "Unknown evaluator '\(evaluator)' in INLINE task.")
            }
        }
        t.endTime = ctx.now
        wf.tasks[i] = t
        return .changed
    }
}

/// The shape of a script task's failure, shared by INLINE, LAMBDA and JSON_JQ_TRANSFORM.
enum Scripts {
    /// The reason, and the same text as `output.error` (OSS's shape).
    static func fail(_ t: inout TaskModel, _ status: TaskStatus, _ message: String) {
        t.status = status
        t.reasonForIncompletion = message
        t.outputData = ["error": .string(message)]
    }
}
