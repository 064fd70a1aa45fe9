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
