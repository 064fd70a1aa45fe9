import BatonEngine
import BatonSupport

/// `/execution/{id}`: what one execution did. Facts and actions, the diagram, a timeline, every task
/// attempt with its input, output, logs and reason, and the workflow's own input, output and variables.
/// While the execution runs, the page's script re-reads it and swaps in the new state.
struct ExecutionPage {
    let ui: UIContext
    let id: String

    init(_ ui: UIContext, id: String) {
        self.ui = ui
        self.id = id
    }

    func render() throws -> Page {
        guard let wf = try ui.executions.workflow(id: id) else { throw EngineError.workflowNotFound(workflowId: id) }
        let now = ui.executions.now
        let content: Markup = """
            <div id="live" data-workflow="\(wf.workflowId)" data-status="\(wf.status.rawValue)" data-update="\(wf.updateTime)">
            <h1>\(wf.workflowName) <span class="muted">v\(wf.workflowVersion)</span> \(Format.status(wf.status.rawValue))</h1>
            \(facts(wf, now: now))
            \(ExecutionActions(wf).render())
            <section><h2>Diagram</h2><div class="scroll diagram-box">\(Diagram.svg(wf.definition, run: wf))</div></section>
            <section><h2>Timeline</h2><div class="scroll timeline-box">\(Timeline.svg(wf, now: now))</div></section>
            <section><h2>Tasks <span class="muted">(\(wf.tasks.count))</span></h2>\(taskTable(wf, now: now))</section>
            <section><h2>Workflow data</h2>
            <details open><summary>Input</summary>\(Format.json(wf.input))</details>
            <details\(wf.status.isTerminal ? " open" : "")><summary>Output</summary>\(Format.json(wf.output))</details>
            <details><summary>Variables</summary>\(Format.json(wf.variables))</details>
            <details data-fetch-json="/api/workflow/\(url: wf.workflowId)?includeTasks=true"><summary>Raw JSON</summary><pre class="json">loading…</pre></details>
            </section></div>
            """
        return Page(title: "\(wf.workflowName) \(wf.workflowId)", section: .executions, content: content)
    }

    private func facts(_ wf: WorkflowModel, now: Int64) -> Markup {
        var items: [(String, Markup)] = [
            ("Workflow id", "<span class=\"mono\">\(wf.workflowId)</span>"),
            ("Definition", "<a href=\"/definitions/workflow/\(url: wf.workflowName)?version=\(wf.workflowVersion)\">\(wf.workflowName) v\(wf.workflowVersion)</a>"),
            ("Started", Format.time(wf.createTime)), ("Ended", Format.time(wf.endTime)),
            ("Duration", "\(Format.span(wf.createTime, wf.endTime, now: now))"),
            ("Updated", Format.time(wf.updateTime)),
        ]
        if let c = wf.correlationId { items.append(("Correlation id", "\(c)")) }
        if wf.priority != 0 { items.append(("Priority", "\(wf.priority)")) }
        if let p = wf.parentWorkflowId { items.append(("Parent", "<a class=\"mono\" href=\"/execution/\(url: p)\">\(p)</a>")) }
        if let r = wf.reRunFromWorkflowId { items.append(("Rerun of", "<a class=\"mono\" href=\"/execution/\(url: r)\">\(r)</a>")) }
        if let e = wf.event { items.append(("Event", "\(e)")) }
        if let reason = wf.reasonForIncompletion { items.append(("Reason", "<span class=\"error\">\(reason)</span>")) }
        if !wf.failedReferenceTaskNames.isEmpty { items.append(("Failed tasks", "\(wf.failedReferenceTaskNames.joined(separator: ", "))")) }
        return "<dl class=\"facts\">\(Markup.join(items.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>" }))</dl>"
    }

    private func taskTable(_ wf: WorkflowModel, now: Int64) -> Markup {
        guard !wf.tasks.isEmpty else { return "<p class=\"empty\">No tasks scheduled yet.</p>" }
        let rows = Markup.join(wf.tasks.map { t in
            let child: Markup = t.subWorkflowId.map { "<div>Sub-workflow: <a class=\"mono\" href=\"/execution/\(url: $0)\">\($0)</a></div>" } ?? .empty
            let reason: Markup = t.reasonForIncompletion.map { "<div class=\"error\">Reason: \($0)</div>" } ?? .empty
            var extra: [String] = ["task id \(t.taskId)", "definition \(t.taskDefName)"]
            if let d = t.domain { extra.append("domain \(d)") }
            if t.iteration > 0 { extra.append("iteration \(t.iteration)") }
            if t.callbackAfterSeconds > 0 { extra.append("callback after \(t.callbackAfterSeconds) s") }
            if let r = t.retriedTaskId { extra.append("retried as \(r)") }
            return """
                <tr id="task-\(t.taskId)" class="task-row"><td>\(t.seq)</td><td><strong>\(t.referenceTaskName)</strong></td><td>\(t.taskType)</td>
                <td>\(Format.status(t.status.rawValue))</td><td>\(t.retryCount)</td><td>\(t.pollCount)</td><td>\(t.workerId)</td>
                <td>\(Format.time(t.scheduledTime))</td><td>\(Format.time(t.startTime))</td><td>\(Format.time(t.endTime))</td>
                <td>\(Format.span(t.startTime, t.endTime, now: now))</td></tr>
                <tr class="task-detail"><td colspan="11"><details id="detail-\(t.taskId)" data-logs="/api/tasks/\(url: t.taskId)/log"><summary>input, output, logs</summary>
                <div class="muted">\(extra.joined(separator: " · "))</div>\(reason)\(child)
                <div class="cols"><div><h4>Input</h4>\(Format.json(t.inputData))</div><div><h4>Output</h4>\(Format.json(t.outputData))</div></div>
                <h4>Logs</h4><pre class="logs">loading…</pre></details></td></tr>
                """
        })
        return """
            <table class="list tasks"><thead><tr><th>#</th><th>Reference</th><th>Type</th><th>Status</th><th>Retries</th><th>Polls</th><th>Worker</th>
            <th>Scheduled (UTC)</th><th>Started (UTC)</th><th>Ended (UTC)</th><th>Took</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}

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
