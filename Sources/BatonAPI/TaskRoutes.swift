import BatonEngine
import BatonHTTP
import BatonSupport

/// `/api/tasks/...`: the worker protocol, task reads, logs and queue information.
enum TaskRoutes {
    static func taskJSON(_ t: TaskModel) -> HTTPResponse { .json(t.jsonBytes()) }

    static func taskListJSON(_ tasks: [TaskModel]) -> HTTPResponse {
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (i, t) in tasks.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += t.jsonBytes()
        }
        body.append(UInt8(ascii: "]"))
        return .json(body)
    }

    static func register(on router: inout Router, _ executions: WorkflowService) {
        let h = API.handler

        @Sendable func pollParameters(_ req: HTTPRequest) throws -> (worker: String?, domain: String?) {
            (req.queryValue("workerid"), req.queryValue("domain"))
        }

        router.add("GET", "/api/tasks/poll/batch/{tasktype}", h { req in
            let (worker, domain) = try pollParameters(req)
            let timeout = try req.queryInt("timeout") ?? 100
            guard timeout <= 5000 else { throw APIError.badRequest("Long Poll Timeout value cannot be more than 5 seconds") }
            let count = min(max(try req.queryInt("count") ?? 1, 1), 1000)
            return API.later(req, { done in
                executions.poll(taskType: req.pathParameter("tasktype"), workerId: worker, domain: domain,
                                count: count, timeoutMillis: max(0, timeout), done: done)
            }, respond: taskListJSON)
        })
        router.add("GET", "/api/tasks/poll/{tasktype}", h { req in
            let (worker, domain) = try pollParameters(req)
            return API.later(req, { done in
                executions.poll(taskType: req.pathParameter("tasktype"), workerId: worker, domain: domain, count: 1, timeoutMillis: 100, done: done)
            }, respond: { $0.first.map(taskJSON) ?? .noContent })
        })
        router.add("POST", "/api/tasks", h { req in
            let result = try TaskResult(json: try req.jsonBody())
            return .text(try executions.update(result).taskId)
        })
        router.add("POST", "/api/tasks/update-v2", h { req in
            let result = try TaskResult(json: try req.jsonBody())
            return try executions.updateAndPollNext(result).map(taskJSON) ?? .noContent
        })
        @Sendable func updateByRef(_ req: HTTPRequest) throws -> TaskModel? {
            let statusText = req.pathParameter("status")
            guard let status = TaskResultStatus(rawValue: statusText) else {
                throw APIError.badRequest("Invalid task status '\(statusText)': use IN_PROGRESS, COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR")
            }
            let body = req.body.isEmpty ? JSONValue.object(JSONObject()) : try req.jsonBody()
            guard case .object(let output) = body else { throw APIError.badRequest("the body must be a JSON object (the task output)") }
            return try executions.update(workflowId: req.pathParameter("workflowId"), ref: req.pathParameter("taskRefName"),
                                         status: status, output: output, workerId: req.queryValue("workerid"))
        }
        router.add("POST", "/api/tasks/{workflowId}/{taskRefName}/{status}", h { req in
            .text(try updateByRef(req)?.taskId ?? "")
        })
        router.add("POST", "/api/tasks/{workflowId}/{taskRefName}/{status}/sync", h { req in
            let workflowId = req.pathParameter("workflowId")
            guard try updateByRef(req) != nil else {
                throw EngineError.notFound("Found no running task \(req.pathParameter("taskRefName")) of workflow \(workflowId) to update")
            }
            return .json(try executions.workflowJSON(id: workflowId, includeTasks: true))
        })
        router.add("GET", "/api/tasks/{taskId}", h { req in .json(try executions.taskJSON(id: req.pathParameter("taskId"))) })
        router.add("POST", "/api/tasks/{taskId}/log", h { req in
            // Stored verbatim: SDKs disagree on quoting, and each reads back what it sent.
            try executions.appendLog(taskId: req.pathParameter("taskId"), log: req.bodyText)
            return .ok
        })
        router.add("GET", "/api/tasks/{taskId}/log", h { req in
            let logs = try executions.logs(taskId: req.pathParameter("taskId"))
            return logs.isEmpty ? .noContent : .json(.array(logs.map(\.json)))
        })
        router.add("GET", "/api/tasks/queue/sizes", h { req in
            var o = JSONObject()
            for (type, n) in try executions.queueSizes(req.query.list("taskType")) { o[type] = .int(Int64(n)) }
            return .json(.object(o))
        })
        router.add("GET", "/api/tasks/queue/size", h { req in
            guard let type = req.queryValue("taskType") else { throw APIError.badRequest("taskType is required") }
            return .json(.int(Int64(try executions.queueSize(type: type, domain: req.queryValue("domain")))))
        })
        router.add("GET", "/api/tasks/queue/all", h { _ in
            var o = JSONObject()
            for (name, n) in try executions.allQueueSizes() { o[name] = .int(Int64(n)) }
            return .json(.object(o))
        })
        router.add("GET", "/api/tasks/queue/all/verbose", h { _ in
            var o = JSONObject()
            for (name, n) in try executions.allQueueSizes() {
                o[name] = .object(["a": .object(["size": .int(Int64(n)), "uacked": 0])])
            }
            return .json(.object(o))
        })
        router.add("GET", "/api/tasks/queue/polldata", h { req in
            guard let type = req.queryValue("taskType") else { throw APIError.badRequest("taskType is required") }
            return .json(.array(try executions.pollData(type: type).map(\.json)))
        })
        router.add("GET", "/api/tasks/queue/polldata/all", h { _ in
            .json(.array(try executions.allPollData().map(\.json)))
        })
        router.add("POST", "/api/tasks/queue/requeue/{taskType}", h { req in
            .text(String(try executions.requeue(taskType: req.pathParameter("taskType"))))
        })
        router.add("GET", "/api/admin/task/{tasktype}", h { req in
            let tasks = try executions.pendingTasks(taskType: req.pathParameter("tasktype"), start: try req.queryInt("start") ?? 0,
                                                    count: try req.queryInt("count") ?? 100)
            return .json(.array(tasks.map { .object($0.json()) }))
        })
    }
}
