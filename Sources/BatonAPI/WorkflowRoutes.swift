import BatonEngine
import BatonHTTP
import BatonSupport

/// `/api/workflow/...`: starting, executing and reading workflows.
enum WorkflowRoutes {
    static func register(on router: inout Router, _ executions: WorkflowService) {
        let h = API.handler

        router.add("POST", "/api/workflow", h { req in
            let request = try StartRequest(json: try req.jsonBody())
            return .text(try executions.start(request))
        })
        router.add("POST", "/api/workflow/{name}", h { req in
            let body = req.body.isEmpty ? JSONValue.object(JSONObject()) : try req.jsonBody()
            let id = try executions.start(name: req.pathParameter("name"), version: try req.queryInt("version"),
                                          correlationId: req.queryValue("correlationId"), priority: try req.queryInt("priority"),
                                          input: body)
            return .text(id)
        })
        router.add("POST", "/api/workflow/execute/{name}/{version}", h { req in
            var request = try StartRequest(json: try req.jsonBody(), path: "executeWorkflow.arg0")
            // The path names the workflow; version 0 means the latest.
            request.name = req.pathParameter("name")
            let version = try req.pathInt("version")
            request.version = version == 0 ? nil : version
            let strategy = try StateRoutes.returnStrategy(req)
            let (start, options) = (request, try StateRoutes.waitOptions(req))
            return API.later(req, { done in executions.execute(start, options: options, done: done) }, respond: { run in
                ExecutionResponses.body(run, requestId: req.queryValue("requestId") ?? IDs.uuid(), strategy: strategy).map { .json(.object($0)) } ?? .ok
            })
        })
        router.add("POST", "/api/workflow/test", h { req in
            .json(try executions.test(try WorkflowTestRequest(json: try req.jsonBody())))
        })
        router.add("GET", "/api/workflow/{workflowId}", h { req in
            let bytes = try executions.workflowJSON(id: req.pathParameter("workflowId"), includeTasks: try req.queryBool("includeTasks", default: true))
            return .json(bytes)
        })
        router.add("GET", "/api/workflow/{workflowId}/status", h { req in
            let id = req.pathParameter("workflowId")
            guard let wf = try executions.workflow(id: id) else { throw EngineError.workflowNotFound(workflowId: id) }
            return .json(.object(ExecutionResponses.status(wf, includeOutput: try req.queryBool("includeOutput", default: false),
                                                           includeVariables: try req.queryBool("includeVariables", default: false))))
        })
        router.add("GET", "/api/workflow/{workflowId}/tasks", h { req in
            let (total, page) = try executions.tasks(workflowId: req.pathParameter("workflowId"), start: try req.queryInt("start") ?? 0,
                                                     count: try req.queryInt("count") ?? 15, statuses: req.query.list("status"))
            var body = Array(#"{"totalHits":\#(total),"results":["#.utf8)
            for (i, t) in page.enumerated() {
                if i > 0 { body.append(UInt8(ascii: ",")) }
                body += t
            }
            body += Array("]}".utf8)
            return .json(body)
        })
        router.add("PUT", "/api/workflow/decide/{workflowId}", h { req in
            try executions.decide(workflowId: req.pathParameter("workflowId"))
            return .ok
        })
    }
}
