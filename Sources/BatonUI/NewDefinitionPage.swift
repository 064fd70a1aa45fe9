import BatonEngine
import BatonSupport

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
