import BatonAPI
import BatonEngine
import BatonHTTP
import BatonSupport

/// The web UI: server-rendered pages at `/`, next to the API under `/api`. Pages read through the
/// same services as the API; every action on a page is a plain `fetch` of the API route itself, so
/// the person sees exactly the API's checks and errors.
public enum WebUI {
    public static func register(on router: inout Router, _ services: Services) {
        router.add("GET", "/ui/baton.css", asset(Assets.stylesheet, type: "text/css; charset=utf-8"))
        router.add("GET", "/ui/baton.js", asset(Assets.script, type: "text/javascript; charset=utf-8"))
        guard let executions = services.executions else { return }
        let ui = UIContext(services: services, executions: executions, routes: router.statistics)
        router.add("GET", "/", { _ in redirect(to: "/executions") })
        router.add("GET", "/executions", page { try ExecutionsPage(ui, $0).render() })
        router.add("GET", "/execution/{workflowId}", page { try ExecutionPage(ui, id: $0.pathParameters["workflowId"] ?? "").render() })
        router.add("GET", "/definitions", page { _ in try DefinitionsPage(ui).render() })
        router.add("GET", "/definitions/workflow/{name}", page { req in
            try WorkflowDefinitionPage(ui, name: req.pathParameters["name"] ?? "", version: try UIQuery(req).int("version")).render()
        })
        router.add("GET", "/definitions/task/{name}", page { req in try TaskDefinitionPage(ui, name: req.pathParameters["name"] ?? "").render() })
        router.add("GET", "/definitions/new/{kind}", page { req in try NewDefinitionPage(ui, kind: req.pathParameters["kind"] ?? "").render() })
        router.add("GET", "/queues", page { _ in try QueuesPage(ui).render() })
        router.add("GET", "/server", page { _ in try ServerPage(ui).render() })
    }

    /// A page handler whose errors are shown as a page with the API's status and message.
    static func page(_ render: @escaping @Sendable (HTTPRequest) throws -> Page) -> Router.Handler {
        { request in
            do {
                return try render(request).response()
            } catch {
                let api = ErrorResponses.response(for: error, request: request)
                let message = (try? JSONParser.parse(api.body))?["message"]?.stringValue ?? "error"
                let content: Markup = """
                    <h1>\(HTTPResponse.reason(api.status))</h1><p class="error">\(message)</p><p><a href="/executions">Back to executions</a></p>
                    """
                return Page(title: "Error", section: .executions, content: content, status: api.status).response()
            }
        }
    }

    static func redirect(to path: String) -> HTTPResponse {
        var r = HTTPResponse(status: 302)
        r.headers.set("Location", path)
        return r
    }

    /// The stylesheet and script change only with the binary: cached for a day.
    static func asset(_ text: String, type: String) -> Router.Handler {
        var r = HTTPResponse(status: 200, body: Array(text.utf8))
        r.headers.set("Content-Type", type)
        r.headers.set("Cache-Control", "public, max-age=86400")
        r.headers.set("X-Content-Type-Options", "nosniff")
        let response = r
        return { _ in response }
    }
}

/// What every page reads from.
struct UIContext: Sendable {
    var services: Services
    var executions: WorkflowService
    var routes: RouterStatistics
    var metadata: MetadataService { services.metadata }
}

/// Query parameters of a page URL: empty values are absent; a malformed number is the API's 400.
struct UIQuery {
    var request: HTTPRequest
    init(_ request: HTTPRequest) { self.request = request }

    func string(_ name: String) -> String? {
        guard let v = request.query[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }

    func int(_ name: String) throws(APIError) -> Int? {
        guard let v = string(name) else { return nil }
        guard let i = Int(v), i >= 0, i <= Int(Int32.max) else { throw .badRequest("Invalid integer value '\(v)' for parameter '\(name)'") }
        return i
    }
}
