import BatonEngine
import BatonHTTP
import BatonSupport

/// Search, running ids and correlation lookups.
enum SearchRoutes {
    static func register(on router: inout Router, _ executions: WorkflowService) {
        let h = API.handler

        @Sendable func query(_ req: HTTPRequest, fields: Set<String> = SearchQuery.fields) throws -> SearchQuery {
            try SearchQuery(query: req.queryValue("query"), freeText: req.queryValue("freeText"), sort: req.queryValue("sort"),
                            start: try req.queryInt("start") ?? 0, size: try req.queryInt("size") ?? 100, fields: fields)
        }
        @Sendable func page(_ total: Int, _ results: [JSONValue]) -> HTTPResponse {
            .json(["totalHits": .int(Int64(total)), "results": .array(results)])
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
        router.add("GET", "/api/workflow/search-by-tasks", h { req in
            let (total, found) = try executions.searchWorkflows(byTasks: try query(req, fields: SearchQuery.taskFields))
            return page(total, found.map { .object(WorkflowSummary.json($0)) })
        })
        router.add("GET", "/api/workflow/search-by-tasks-v2", h { req in
            let (total, found) = try executions.searchWorkflows(byTasks: try query(req, fields: SearchQuery.taskFields))
            return page(total, found.map { workflowJSON($0, includeTasks: false) })
        })
        router.add("GET", "/api/tasks/search", h { req in
            let (total, found) = try executions.searchTasks(try query(req, fields: SearchQuery.taskFields))
            return page(total, found.map { .object(TaskSummary.json($0)) })
        })
        router.add("GET", "/api/tasks/search-v2", h { req in
            let (total, found) = try executions.searchTasks(try query(req, fields: SearchQuery.taskFields))
            return page(total, found.map { .object($0.json()) })
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
        // Orkes: every workflow of the listed names with one of the listed correlation ids, by correlation id.
        router.add("POST", "/api/workflow/correlated/batch", h { req in
            guard case .object(let body) = try req.jsonBody() else { throw APIError.badRequest("expected a CorrelationIdsSearchRequest object") }
            func strings(_ key: String) throws -> [String] {
                guard let value = body[key], !value.isNull else { return [] }
                guard case .array(let items) = value else { throw APIError.badRequest("\(key): expected a list of strings") }
                return try items.map { item in
                    guard case .string(let s) = item else { throw APIError.badRequest("\(key): expected a list of strings") }
                    return s
                }
            }
            let ids = try strings("correlationIds")
            let names = try strings("workflowNames")
            guard !ids.isEmpty else { throw APIError.badRequest("correlationIds: must not be empty") }
            guard !names.isEmpty else { throw APIError.badRequest("workflowNames: must not be empty") }
            let includeTasks = try req.queryBool("includeTasks", default: false)
            let includeClosed = try req.queryBool("includeClosed", default: false)
            var out = JSONObject()
            for c in ids {
                var found: [JSONValue] = []
                for name in names.enumerated().filter({ names.firstIndex(of: $0.element) == $0.offset }).map(\.element) {
                    found += try executions.correlated(name: name, correlationId: c, includeClosed: includeClosed)
                        .map { workflowJSON($0, includeTasks: includeTasks) }
                }
                out[c] = .array(found)
            }
            return .json(.object(out))
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
