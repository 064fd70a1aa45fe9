import BatonEngine
import BatonSupport

/// The management actions an execution's state allows, each a form the page script sends to the
/// API route of the same name after a confirmation.
struct ExecutionActions {
    let wf: WorkflowModel
    init(_ wf: WorkflowModel) { self.wf = wf }

    func render() -> Markup {
        let base = "/api/workflow/" + Markup.urlComponent(wf.workflowId)
        var forms: [Markup] = []
        switch wf.status {
        case .running:
            forms.append("<form data-api=\"\(base)/pause\" data-method=\"PUT\" data-confirm=\"Pause this execution?\"><button>Pause</button></form>")
        case .paused:
            forms.append("<form data-api=\"\(base)/resume\" data-method=\"PUT\" data-confirm=\"Resume this execution?\"><button>Resume</button></form>")
        default:
            forms.append("""
                <form data-api="\(base)/restart" data-method="POST" data-confirm="Restart this execution from the beginning?"><button>Restart</button>
                <label><input type="checkbox" name="useLatestDefinitions"> with the latest definition</label></form>
                """)
            if wf.status != .completed {
                forms.append("""
                    <form data-api="\(base)/retry" data-method="POST" data-confirm="Retry the failed task?"><button>Retry</button>
                    <label><input type="checkbox" name="resumeSubworkflowTasks"> resume sub-workflow tasks</label></form>
                    """)
            }
            let attempts = Markup.join(wf.tasks.map { "<option value=\"\($0.taskId)\">\($0.referenceTaskName) (#\($0.seq), \($0.status.rawValue))</option>" })
            if !wf.tasks.isEmpty {
                forms.append("""
                    <form data-api="\(base)/rerun" data-method="POST" data-confirm="Rerun this execution from the chosen task?">
                    <label>Rerun from <select name="reRunFromTaskId" data-role="field">\(attempts)</select></label><button>Rerun</button></form>
                    """)
            }
        }
        if !wf.status.isTerminal {
            forms.append("""
                <form data-api="\(base)" data-method="DELETE" data-confirm="Terminate this execution?">
                <input name="reason" placeholder="reason" aria-label="termination reason"><button class="danger">Terminate</button></form>
                """)
            let refs = Markup.join(Self.references(wf.definition.tasks).map { "<option>\($0)</option>" })
            forms.append("""
                <form data-api="\(base)/skiptask/{ref}" data-method="PUT" data-confirm="Skip this task?">
                <label>Skip <select name="ref" data-role="path">\(refs)</select></label><button>Skip task</button></form>
                """)
        }
        if wf.status.isTerminal {  // removing archives, which a running execution refuses
            forms.append("<form data-api=\"\(base)/remove\" data-method=\"DELETE\" data-confirm=\"Remove this execution for good?\" data-then=\"goto:/executions\"><button class=\"danger\">Remove</button></form>")
        }
        let waiting = wf.tasks.filter { ($0.taskType == "WAIT" || $0.taskType == "HUMAN") && !$0.status.isTerminal }
        let completions = Markup.join(waiting.map { t in
            """
            <form class="complete" data-api="\(base.replacingOccurrences(of: "/api/workflow/", with: "/api/tasks/"))/\(url: t.referenceTaskName)/{status}" data-method="POST"
             data-confirm="Set \(t.referenceTaskName) to the chosen status?"><h3>\(t.taskType) task \(t.referenceTaskName) is waiting</h3>
            <label>Output (JSON) <textarea name="output" data-role="body" rows="3" spellcheck="false">{}</textarea></label>
            <label>Status <select name="status" data-role="path"><option>COMPLETED</option><option>FAILED</option><option>FAILED_WITH_TERMINAL_ERROR</option></select></label>
            <button>Update task</button><output class="result" aria-live="polite"></output></form>
            """
        })
        return """
            <section class="actions" aria-label="actions">\(Markup.join(forms))<output class="result" aria-live="polite"></output></section>\(completions)
            """
    }

    /// Every reference name in a definition, branches and loop bodies included, in order.
    static func references(_ tasks: [WorkflowTask]) -> [String] {
        tasks.flatMap { t in
            [t.taskReferenceName] + t.forkTasks.flatMap { references($0) } + t.decisionCases.flatMap { references($0.tasks) }
                + references(t.defaultCase) + references(t.loopOver)
        }
    }
}
