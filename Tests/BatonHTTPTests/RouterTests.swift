@testable import BatonHTTP
import Testing

@Suite struct RouterTests {
    private func router() -> Router {
        var r = Router(notFound: { _ in HTTPResponse(status: 404) },
                       methodNotAllowed: { _, allowed in HTTPResponse(status: 405, headers: HTTPHeaders([("Allow", allowed.joined(separator: ","))])) })
        func echo(_ name: String) -> Router.Handler {
            { req in .text(name + ":" + req.pathParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) }
        }
        r.add("GET", "/api/workflow/{workflowId}", echo("get"))
        r.add("GET", "/api/workflow/search", echo("search"))
        r.add("PUT", "/api/workflow/{workflowId}/pause", echo("pause"))
        r.add("PUT", "/api/workflow/bulk/pause", echo("bulkPause"))
        r.add("PUT", "/api/workflow/decide/{workflowId}", echo("decide"))
        r.add("POST", "/api/workflow/{name}", echo("startByName"))
        r.add("GET", "/health", echo("health"))
        return r
    }

    private func call(_ method: String, _ target: String) throws -> (Int, String) {
        let response = router().handle(try HTTPRequest(method: method, target: target))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func literalSegmentsBeatVariables() throws {
        #expect(try call("GET", "/api/workflow/search") == (200, "search:"))
        #expect(try call("GET", "/api/workflow/abc") == (200, "get:workflowId=abc"))
        #expect(try call("PUT", "/api/workflow/bulk/pause") == (200, "bulkPause:"))
        #expect(try call("PUT", "/api/workflow/w1/pause") == (200, "pause:workflowId=w1"))
        #expect(try call("PUT", "/api/workflow/decide/w1") == (200, "decide:workflowId=w1"))
    }

    @Test func pathVariablesArePercentDecoded() throws {
        #expect(try call("POST", "/api/workflow/my%20flow%23") == (200, "startByName:name=my flow#"))
    }

    @Test func unknownPathIs404AndWrongMethodIs405() throws {
        #expect(try call("GET", "/api/nothing").0 == 404)
        #expect(try call("GET", "/health/").0 == 404)
        let r = router().handle(try HTTPRequest(method: "DELETE", target: "/health"))
        #expect(r.status == 405)
        #expect(r.headers["Allow"] == "GET")
    }
}
