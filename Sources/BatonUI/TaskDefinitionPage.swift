import BatonEngine
import BatonSupport

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
