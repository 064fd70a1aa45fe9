import BatonEngine
import BatonHTTP
import BatonSupport

/// Search, running ids and correlation lookups.
enum SearchRoutes {
    static func register(on router: inout Router, _ executions: WorkflowService) {
        let h = API.handler

        @Sendable func query(_ req: HTTPRequest) throws -> SearchQuery {
            try SearchQuery(query: req.queryValue("query"), freeText: req.queryValue("freeText"), sort: req.queryValue("sort"),
                            start: try req.queryInt("start") ?? 0, size: try req.queryInt("size") ?? 100)
        }
        @Sendable func workflowJSON(_ wf: WorkflowModel, includeTasks: Bool) -> JSONValue {
            .object(wf.json(includeTasks: includeTasks))
        }

        router.add("GET", "/api/workflow/search", h { req in
            let (total, found) = try executions.search(try query(req))
            return .json(["totalHits": .int(Int64(total)), "results": .array(found.map { .object(WorkflowSummary.json($0)) })])
        })
        router.add("GET", "/api/workflow/search-v2", h { req in
            let (total, found) = try executions.search(try query(req))
            return .json(["totalHits": .int(Int64(total)), "results": .array(found.map { workflowJSON($0, includeTasks: false) })])
        })
        router.add("GET", "/api/workflow/running/{name}", h { req in
            let ids = try executions.runningWorkflowIds(name: req.pathParameter("name"), version: try req.queryInt("version") ?? 1,
                                                        startTime: try req.queryInt64("startTime"), endTime: try req.queryInt64("endTime"))
            return .json(.array(ids.map(JSONValue.string)))
        })
        router.add("GET", "/api/workflow/{name}/correlated/{correlationId}", h { req in
            let includeTasks = try req.queryBool("includeTasks", default: false)
            let found = try executions.correlated(name: req.pathParameter("name"), correlationId: req.pathParameter("correlationId"),
                                                  includeClosed: try req.queryBool("includeClosed", default: false))
            return .json(.array(found.map { workflowJSON($0, includeTasks: includeTasks) }))
        })
        router.add("POST", "/api/workflow/{name}/correlated", h { req in
            guard case .array(let ids) = try req.jsonBody() else { throw APIError.badRequest("expected a JSON array of correlation ids") }
            let includeTasks = try req.queryBool("includeTasks", default: false)
            let includeClosed = try req.queryBool("includeClosed", default: false)
            var out = JSONObject()
            for case .string(let c) in ids {
                let found = try executions.correlated(name: req.pathParameter("name"), correlationId: c, includeClosed: includeClosed)
                out[c] = .array(found.map { workflowJSON($0, includeTasks: includeTasks) })
            }
            return .json(.object(out))
        })
    }
}
