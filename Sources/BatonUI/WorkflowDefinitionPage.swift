import BatonEngine
import BatonSupport

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
