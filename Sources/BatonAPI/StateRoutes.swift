import BatonEngine
import BatonHTTP
import BatonSupport

/// Changing a running workflow from outside without a task id: Orkes' variables and state updates,
/// and OSS's signals to the blocked task (`/api/tasks/{workflowId}/{status}/signal`).
enum StateRoutes {
    static let returnStrategies = ["TARGET_WORKFLOW", "BLOCKING_WORKFLOW", "BLOCKING_TASK", "BLOCKING_TASK_INPUT"]

    /// `returnStrategy` as Spring binds the enum: absent → TARGET_WORKFLOW, unknown → 400.
    static func returnStrategy(_ req: HTTPRequest) throws -> String {
        let strategy = req.queryValue("returnStrategy") ?? "TARGET_WORKFLOW"
        guard returnStrategies.contains(strategy) else { throw APIError.badRequest("Invalid returnStrategy '\(strategy)'") }
        return strategy
    }

    /// `waitUntilTaskRef` (comma list) and `waitForSeconds` (absent or 0 → 10, at most 300).
    static func waitOptions(_ req: HTTPRequest) throws -> WorkflowService.ExecuteOptions {
        let wait = try req.queryInt("waitForSeconds") ?? 0
        return WorkflowService.ExecuteOptions(waitUntilTaskRefs: Set(req.query.list("waitUntilTaskRef").filter { $0 != "None" }),
                                              waitForSeconds: wait <= 0 ? 10 : min(wait, 300))
    }

    static func taskStatus(_ req: HTTPRequest) throws -> TaskResultStatus {
        let text = req.pathParameter("status")
        guard let status = TaskResultStatus(rawValue: text) else {
            throw APIError.badRequest("Invalid task status '\(text)': use IN_PROGRESS, COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR")
        }
        return status
    }

    static func objectBody(_ req: HTTPRequest, what: String) throws -> JSONObject {
        let body = req.body.contains(where: { $0 > 0x20 }) ? try req.jsonBody() : .object(JSONObject())
        guard case .object(let o) = body else { throw APIError.badRequest("the body must be a JSON object (\(what))") }
        return o
    }

    static func register(on router: inout Router, _ executions: WorkflowService) {
        let h = API.handler

        router.add("POST", "/api/workflow/{workflowId}/variables", h { req in
            .json(try executions.updateVariables(req.pathParameter("workflowId"), try objectBody(req, what: "the variables")))
        })
        router.add("POST", "/api/workflow/{workflowId}/state", h { req in
            let update = try WorkflowStateUpdate(json: try req.jsonBody())
            let options = try waitOptions(req)
            return API.later(req, { done in
                executions.updateState(req.pathParameter("workflowId"), update, options: options, done: done)
            }, respond: { run in
                .json(.object(ExecutionResponses.workflowRun(run.workflow, requestId: req.queryValue("requestId") ?? IDs.uuid(), timedOut: run.timedOut)))
            })
        })
        router.add("POST", "/api/workflow/{workflowId}/messages", h { req in
            .text(try executions.sendMessage(req.pathParameter("workflowId"), payload: try objectBody(req, what: "the message payload")))
        })
        router.add("POST", "/api/tasks/{workflowId}/{status}/signal", h { req in
            try executions.signal(req.pathParameter("workflowId"), status: try taskStatus(req), output: try objectBody(req, what: "the task output"))
            return .ok
        })
        router.add("POST", "/api/tasks/{workflowId}/{status}/signal/sync", h { req in
            let id = req.pathParameter("workflowId")
            let strategy = try returnStrategy(req)
            let timeout = try req.queryInt64("timeoutMillis") ?? 5000
            let (status, output) = (try taskStatus(req), try objectBody(req, what: "the task output"))
            return API.later(req, { done in
                executions.signalAndAwait(id, status: status, output: output, timeoutMillis: min(max(timeout, 0), 300_000), done: done)
            }, respond: { run in
                guard let run else { throw EngineError.notFound("Found no blocked task in workflow \(id) to signal") }
                return ExecutionResponses.body(run, requestId: IDs.uuid(), strategy: strategy).map { .json(.object($0)) } ?? .ok
            })
        })
    }
}
