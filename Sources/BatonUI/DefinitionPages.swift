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

/// `/definitions/workflow/{name}?version=`: one version's diagram and JSON, with editing, a start
/// form and removal.
struct WorkflowDefinitionPage {
    let ui: UIContext
    let name: String
    let version: Int?

    init(_ ui: UIContext, name: String, version: Int?) {
        self.ui = ui
        self.name = name
        self.version = version
    }

    func render() throws -> Page {
        let def = try ui.metadata.workflowDef(name: name, version: version)
        let versions = Markup.join(try ui.metadata.workflowVersions(name: name).map { v in
            v.version == def.version ? "<strong>v\(v.version)</strong>"
                : "<a href=\"/definitions/workflow/\(url: name)?version=\(v.version)\">v\(v.version)</a>"
        }, separator: " ")
        var input = JSONObject()
        for case .string(let key) in def.json["inputParameters"]?.arrayValue ?? [] { input[key] = .null }
        let content: Markup = """
            <h1>\(def.name) <span class="muted">v\(def.version)</span></h1>
            <p>Versions: \(versions) · <a href="/executions?name=\(url: def.name)">executions</a></p>
            <p>\(def.json["description"]?.stringValue)</p>
            <section><h2>Start a run</h2>
            <form class="start" data-api="/api/workflow/\(url: def.name)" data-method="POST" data-then="goto:/execution/{response}">
            <input type="hidden" name="version" value="\(def.version)">
            <label>Input (JSON) <textarea name="input" data-role="body" rows="5" spellcheck="false">\(JSONWriter.pretty(.object(input)))</textarea></label>
            <label>Correlation id <input name="correlationId"></label>
            <button>Start</button><output class="result" aria-live="polite"></output></form></section>
            <section><h2>Diagram</h2><div class="scroll diagram-box">\(Diagram.svg(def))</div></section>
            <section><h2>Definition</h2>
            \(JSONEditor(json: .object(def.json), api: "/api/metadata/workflow", method: "PUT", wrap: true, then: "reload").render())
            <form data-api="/api/metadata/workflow/\(url: def.name)/\(def.version)" data-method="DELETE" data-confirm="Delete version \(def.version) of \(def.name)?"
             data-then="goto:/definitions"><button class="danger">Delete this version</button><output class="result"></output></form></section>
            """
        return Page(title: def.name, section: .definitions, content: content)
    }
}

/// `/definitions/task/{name}`: a task definition's JSON, editable, and its removal.
struct TaskDefinitionPage {
    let ui: UIContext
    let name: String

    init(_ ui: UIContext, name: String) {
        self.ui = ui
        self.name = name
    }

    func render() throws -> Page {
        let def = try ui.metadata.taskDef(named: name)
        let content: Markup = """
            <h1>\(def.name) <span class="muted">task definition</span></h1>
            <p><a href="/queues">queue</a></p>
            \(JSONEditor(json: .object(def.json), api: "/api/metadata/taskdefs", method: "PUT", then: "reload").render())
            <form data-api="/api/metadata/taskdefs/\(url: def.name)" data-method="DELETE" data-confirm="Delete task definition \(def.name)?"
             data-then="goto:/definitions"><button class="danger">Delete</button><output class="result"></output></form>
            """
        return Page(title: def.name, section: .definitions, content: content)
    }
}

/// `/definitions/new/{workflow|task|event|schedule}`: a starting JSON to edit, created through the API.
struct NewDefinitionPage {
    let ui: UIContext
    let kind: String

    init(_ ui: UIContext, kind: String) {
        self.ui = ui
        self.kind = kind
    }

    func render() throws -> Page {
        let template: (title: String, json: String, api: String, wrap: Bool, then: String)
        switch kind {
        case "workflow":
            template = ("New workflow definition", #"{"name": "my_workflow", "version": 1, "schemaVersion": 2, "ownerEmail": "dev@example.com", "inputParameters": [], "tasks": [{"name": "wait", "taskReferenceName": "wait_ref", "type": "WAIT", "inputParameters": {"duration": "1 s"}}]}"#,
                        "/api/metadata/workflow", false, "goto:/definitions/workflow/{body.name}")
        case "task":
            template = ("New task definition", #"{"name": "my_task", "ownerEmail": "dev@example.com", "retryCount": 3, "timeoutSeconds": 3600, "responseTimeoutSeconds": 600}"#,
                        "/api/metadata/taskdefs", true, "goto:/definitions/task/{body.name}")
        case "event":
            template = ("New event handler", #"{"name": "my_handler", "event": "conductor:my_workflow:done", "active": true, "actions": [{"action": "start_workflow", "start_workflow": {"name": "my_workflow"}}]}"#,
                        "/api/event", false, "goto:/definitions")
        case "schedule":
            template = ("New schedule", #"{"name": "my_schedule", "cronExpression": "0 0 * * * ?", "zoneId": "UTC", "startWorkflowRequest": {"name": "my_workflow", "version": 1, "input": {}}}"#,
                        "/api/scheduler/schedules", false, "goto:/definitions")
        default:
            throw EngineError.notFound("No definition kind \(kind): use workflow, task, event or schedule")
        }
        let json = (try? JSONParser.parse(template.json)) ?? .object(JSONObject())
        let content: Markup = """
            <h1>\(template.title)</h1>
            \(JSONEditor(json: json, api: template.api, method: "POST", wrap: template.wrap, then: template.then, button: "Create").render())
            """
        return Page(title: template.title, section: .definitions, content: content)
    }
}

/// A JSON text area sent to an API route; the API's validation errors are listed under it, each
/// with the path of the field it is about.
struct JSONEditor {
    var json: JSONValue
    var api: String
    var method: String
    /// Send the object inside a one-element list (`PUT /metadata/workflow` takes a list).
    var wrap = false
    var then: String
    var button = "Save"

    func render() -> Markup {
        let lines = JSONWriter.pretty(json).split(separator: "\n", omittingEmptySubsequences: false).count
        let wrapping: Markup = wrap ? " data-wrap=\"array\"" : .empty
        return """
            <form class="editor" data-api="\(api)" data-method="\(method)"\(wrapping) data-then="\(then)">
            <textarea name="definition" data-role="body" rows="\(min(max(lines, 6), 40))" spellcheck="false" aria-label="definition JSON">\(JSONWriter.pretty(json))</textarea>
            <div><button>\(button)</button></div><output class="result" aria-live="polite"></output></form>
            """
    }
}
