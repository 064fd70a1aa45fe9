import BatonEngine
import BatonSupport

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
