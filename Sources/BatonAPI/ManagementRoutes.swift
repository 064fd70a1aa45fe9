import BatonEngine
import BatonHTTP
import BatonSupport

/// Pause, resume, terminate, restart, retry, skip, rerun, remove, reset callbacks, and their bulk forms.
enum ManagementRoutes {
    static func register(on router: inout Router, _ executions: WorkflowService) {
        let h = API.handler
        let id: @Sendable (HTTPRequest) -> String = { $0.pathParameter("workflowId") }

        router.add("PUT", "/api/workflow/{workflowId}/pause", h { req in try executions.pause(id(req)); return .ok })
        router.add("PUT", "/api/workflow/{workflowId}/resume", h { req in try executions.resume(id(req)); return .ok })
        router.add("DELETE", "/api/workflow/{workflowId}", h { req in
            try executions.terminate(id(req), reason: req.queryValue("reason"),
                                     triggerFailureWorkflow: try req.queryBool("triggerFailureWorkflow", default: false))
            return .ok
        })
        router.add("POST", "/api/workflow/{workflowId}/restart", h { req in
            try executions.restart(id(req), useLatestDefinitions: try req.queryBool("useLatestDefinitions", default: false))
            return .noContent
        })
        router.add("POST", "/api/workflow/{workflowId}/retry", h { req in
            try executions.retry(id(req), resumeSubworkflowTasks: try req.queryBool("resumeSubworkflowTasks", default: false))
            return .noContent
        })
        router.add("PUT", "/api/workflow/{workflowId}/skiptask/{taskReferenceName}", h { req in
            try executions.skip(id(req), ref: req.pathParameter("taskReferenceName"), request: try skipRequest(req))
            return .ok
        })
        router.add("POST", "/api/workflow/{workflowId}/rerun", h { req in
            let body = req.body.isEmpty ? JSONValue.object(JSONObject()) : try req.jsonBody()
            return .text(try executions.rerun(id(req), try RerunRequest(json: body)))
        })
        router.add("DELETE", "/api/workflow/{workflowId}/remove", h { req in
            try executions.remove(id(req), archive: try req.queryBool("archiveWorkflow", default: true))
            return .ok
        })
        router.add("DELETE", "/api/workflow/{workflowId}/terminate-remove", h { req in
            try executions.terminateAndRemove(id(req), reason: req.queryValue("reason"),
                                              archive: try req.queryBool("archiveWorkflow", default: true))
            return .ok
        })
        router.add("POST", "/api/workflow/{workflowId}/resetcallbacks", h { req in
            try executions.resetCallbacks(id(req))
            return .noContent
        })

        // Bulk forms: per-id refusals are reported in the body; the status stays 200.
        func bulk(_ method: String, _ action: String, _ operation: @escaping @Sendable (HTTPRequest) throws -> WorkflowService.BulkOperation) {
            router.add(method, "/api/workflow/bulk/\(action)", h { req in
                let result = try executions.bulk(try bulkIds(req), try operation(req))
                var errors = JSONObject()
                for (id, message) in result.failed { errors[id] = .string(message) }
                return .json(["bulkErrorResults": .object(errors), "bulkSuccessfulResults": .array(result.succeeded.map(JSONValue.string)),
                              "message": "Bulk Request has been processed."])
            })
        }
        bulk("PUT", "pause") { _ in .pause }
        bulk("PUT", "resume") { _ in .resume }
        bulk("POST", "restart") { .restart(useLatestDefinitions: try $0.queryBool("useLatestDefinitions", default: false)) }
        bulk("POST", "retry") { _ in .retry }
        bulk("POST", "terminate") {
            .terminate(reason: $0.queryValue("reason"), triggerFailureWorkflow: try $0.queryBool("triggerFailureWorkflow", default: false))
        }
        bulk("DELETE", "remove") { .remove(archive: try $0.queryBool("archiveWorkflow", default: true)) }
        bulk("DELETE", "terminate-remove") {
            .terminateRemove(reason: $0.queryValue("reason"), archive: try $0.queryBool("archiveWorkflow", default: true))
        }
        router.add("POST", "/api/workflow/bulk/search", h { req in
            let ids = try bulkIds(req)
            let includeTasks = try req.queryBool("includeTasks", default: true)
            var found: [UInt8] = Array(#"{"bulkErrorResults":{"#.utf8)
            var successes: [[UInt8]] = []
            var firstError = true
            for wid in ids {
                do {
                    successes.append(try executions.workflowJSON(id: wid, includeTasks: includeTasks))
                } catch {
                    if !firstError { found.append(UInt8(ascii: ",")) }
                    firstError = false
                    JSONWriter.writeString(wid, into: &found)
                    found.append(UInt8(ascii: ":"))
                    JSONWriter.writeString((error as? EngineError)?.message ?? "\(error)", into: &found)
                }
            }
            found += Array(#"},"bulkSuccessfulResults":["#.utf8)
            for (i, s) in successes.enumerated() {
                if i > 0 { found.append(UInt8(ascii: ",")) }
                found += s
            }
            found += Array(#"],"message":"Bulk Request has been processed."}"#.utf8)
            return .json(found)
        })
    }

    /// A JSON array of workflow ids, at most 1000.
    static func bulkIds(_ req: HTTPRequest) throws -> [String] {
        guard case .array(let items) = try req.jsonBody() else { throw APIError.badRequest("expected a JSON array of workflow ids") }
        guard items.count <= 1000 else { throw APIError.badRequest("Cannot process more than 1000 workflows. Please use multiple requests.") }
        return try items.map { item in
            guard case .string(let s) = item else { throw APIError.badRequest("workflow ids must be strings") }
            return s
        }
    }

    /// The SkipTaskRequest from, first non-empty wins: the JSON body, python's `skipTaskRequest` query
    /// value (JSON, else a Python dict literal), then `taskInput`/`taskOutput` query values.
    static func skipRequest(_ req: HTTPRequest) throws -> SkipTaskRequest {
        if req.body.contains(where: { $0 > 0x20 }), case .object(let o) = try req.jsonBody(), !o.isEmpty {
            let r = try SkipTaskRequest(json: .object(o))
            if !r.isEmpty { return r }
        }
        if let text = req.queryValue("skipTaskRequest") {
            guard let value = (try? JSONParser.parse(text)) ?? PythonLiteral.parse(text) else {
                throw APIError.badRequest("skipTaskRequest is neither JSON nor a Python literal")
            }
            let r = try SkipTaskRequest(json: value)
            if !r.isEmpty { return r }
        }
        var r = SkipTaskRequest()
        for (name, path) in [("taskInput", \SkipTaskRequest.taskInput), ("taskOutput", \SkipTaskRequest.taskOutput)] {
            guard let text = req.queryValue(name) else { continue }
            guard case .object(let o)? = try? JSONParser.parse(text) else { throw APIError.badRequest("\(name) must be a JSON object") }
            r[keyPath: path] = o
        }
        return r
    }
}
