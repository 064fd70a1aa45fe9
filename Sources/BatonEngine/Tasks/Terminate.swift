import BatonSupport

/// TERMINATE: ends the workflow with the status its input names (OSS `Terminate`). The task itself
/// completes with the workflow output it was given; the decide pass that sees it ends the workflow.
struct Terminate: TaskBehavior {
    var isOperator: Bool { true }

    static let statuses = ["COMPLETED", "FAILED", "TERMINATED"]

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        var errors: [String] = []
        if node.optional { errors.append("terminate task cannot be optional, taskName: \(node.name)") }
        if !Self.statuses.contains(node.inputParameters["terminationStatus"]?.stringValue ?? "") {
            errors.append("terminate task must have an terminationStatus parameter and must be set to COMPLETED or FAILED, taskName: \(node.name)")
        }
        return errors
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .terminate, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        let status = t.inputData["terminationStatus"]?.stringValue ?? ""
        if !Self.statuses.contains(status) {
            t.status = .failed
            t.reasonForIncompletion = "given termination status is not valid"
        } else {
            switch t.inputData["workflowOutput"] {
            case .object(let o)?: t.outputData = o
            case .none, .null?: t.outputData = JSONObject()
            case let other?: t.outputData = ["output": other]
            }
            t.status = .completed
        }
        t.endTime = ctx.now
        wf.tasks[i] = t
        return .changed
    }

    /// The successful TERMINATE attempt of a workflow, if one ran: it decides how the workflow ends.
    static func succeeded(in wf: WorkflowModel) -> TaskModel? {
        wf.tasks.first { $0.kind == .terminate && $0.status.isTerminal && $0.status.isSuccessful }
    }
}
