import BatonEngine
import BatonSupport

/// `/definitions`: every workflow (all versions), task definition, event handler and schedule.
struct DefinitionsPage {
    let ui: UIContext
    init(_ ui: UIContext) { self.ui = ui }

    func render() throws -> Page {
        let latest = Dictionary(try ui.metadata.latestWorkflowDefs().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let workflows = Markup.join(try ui.metadata.workflowVersionsByName().map { entry in
            let versions = Markup.join(entry.versions.map {
                "<a href=\"/definitions/workflow/\(url: entry.name)?version=\($0.version)\">v\($0.version)</a>"
            }, separator: " ")
            let description = latest[entry.name]?.json["description"]?.stringValue
            return """
                <tr><td><a href="/definitions/workflow/\(url: entry.name)">\(entry.name)</a></td><td>\(versions)</td><td>\(description)</td>
                <td><a href="/executions?name=\(url: entry.name)">executions</a></td></tr>
                """
        })
        let tasks = Markup.join(try ui.metadata.allTaskDefs().map { d in
            let rate = d.rateLimitPerFrequency > 0 ? "\(d.rateLimitPerFrequency) per \(d.rateLimitFrequencyInSeconds) s" : "—"
            return """
                <tr><td><a href="/definitions/task/\(url: d.name)">\(d.name)</a></td><td>\(d.description)</td><td>\(d.retryCount) (\(d.retryLogic.rawValue))</td>
                <td>\(d.timeoutSeconds) s / response \(d.responseTimeoutSeconds) s</td><td>\(rate)</td><td>\(d.concurrentExecLimit.map(String.init) ?? "—")</td></tr>
                """
        })
        let events = Markup.join(try (ui.services.events?.all() ?? []).map { h in
            """
            <details class="item"><summary><strong>\(h.name)</strong> on <span class="mono">\(h.event)</span> \(h.active ? "active" : "inactive")</summary>
            \(JSONEditor(json: .object(h.json), api: "/api/event", method: "PUT", then: "reload").render())
            <form data-api="/api/event/\(url: h.name)" data-method="DELETE" data-confirm="Delete event handler \(h.name)?"><button class="danger">Delete</button><output class="result"></output></form>
            </details>
            """
        })
        let schedules = Markup.join(try (ui.services.scheduler?.schedules(workflowName: nil) ?? []).map { s in
            let name = s["name"]?.stringValue ?? ""
            let paused = s["paused"]?.boolValue ?? false
            let workflow = s["startWorkflowRequest"]?["name"]?.stringValue ?? ""
            let toggle: Markup = paused
                ? "<form data-api=\"/api/scheduler/schedules/\(url: name)/resume\" data-method=\"PUT\" data-confirm=\"Resume schedule \(name)?\"><button>Resume</button><output class=\"result\"></output></form>"
                : "<form data-api=\"/api/scheduler/schedules/\(url: name)/pause\" data-method=\"PUT\" data-confirm=\"Pause schedule \(name)?\"><button>Pause</button><output class=\"result\"></output></form>"
            return """
                <details class="item"><summary><strong>\(name)</strong> <span class="mono">\(s["cronExpression"]?.stringValue)</span> starts \(workflow)\(paused ? " · paused" : "")</summary>
                \(toggle)
                \(JSONEditor(json: .object(s), api: "/api/scheduler/schedules", method: "POST", then: "reload").render())
                <form data-api="/api/scheduler/schedules/\(url: name)" data-method="DELETE" data-confirm="Delete schedule \(name)?"><button class="danger">Delete</button><output class="result"></output></form>
                </details>
                """
        })
        let content: Markup = """
            <h1>Definitions</h1>
            <section><h2>Workflows</h2><p><a class="button" href="/definitions/new/workflow">New workflow definition</a></p>
            <table class="list"><thead><tr><th>Name</th><th>Versions</th><th>Description</th><th></th></tr></thead><tbody>\(workflows)</tbody></table></section>
            <section><h2>Task definitions</h2><p><a class="button" href="/definitions/new/task">New task definition</a></p>
            <table class="list"><thead><tr><th>Name</th><th>Description</th><th>Retries</th><th>Timeouts</th><th>Rate limit</th><th>Concurrency</th></tr></thead><tbody>\(tasks)</tbody></table></section>
            <section><h2>Event handlers</h2><p><a class="button" href="/definitions/new/event">New event handler</a></p>\(events)</section>
            <section><h2>Schedules</h2><p><a class="button" href="/definitions/new/schedule">New schedule</a></p>\(schedules)</section>
            """
        return Page(title: "Definitions", section: .definitions, content: content)
    }
}
