import BatonEngine
import BatonHTTP
import BatonSupport

/// `/api/admin`, `/api/queue`, `/api/environment`, `/api/secrets` and the external storage locations,
/// answered as OSS answers them on a server with no external payload storage and no event queues
/// beyond Baton's in-process `conductor` one.
enum AdminRoutes {
    static let environmentPrefix = "CONDUCTOR_ENV_"
    static let secretPrefix = "CONDUCTOR_SECRET_"

    /// OSS's status queues of `/api/queue`: an update sent to them is applied at once here, so they
    /// never hold a message.
    static let statusQueues: [(status: TaskResultStatus, name: String)] = [(.completed, "conductor_COMPLETED"), (.failed, "conductor_FAILED")]
    /// What an external storage location may be asked for (OSS's `Operation` and `PayloadType`).
    static let storageOperations = ["READ", "WRITE"]
    static let payloadTypes = ["WORKFLOW_INPUT", "WORKFLOW_OUTPUT", "TASK_INPUT", "TASK_OUTPUT"]

    static func register(on router: inout Router, _ executions: WorkflowService, _ services: Services) {
        let h = API.handler
        let env = services.environment

        router.add("GET", "/api/admin/config", h { _ in
            var o = services.configuration
            o["version"] = .string(services.version)
            return .json(.object(o))
        })
        router.add("POST", "/api/admin/sweep/requeue/{workflowId}", h { req in
            let id = req.pathParameter("workflowId")
            return .text("\(try executions.requeueSweep(id)).\(id)")
        })
        router.add("POST", "/api/admin/consistency/verifyAndRepair/{workflowId}", h { req in
            .text(String(try executions.verifyAndRepair(req.pathParameter("workflowId"))))
        })
        router.add("GET", "/api/admin/queues", h { req in
            // Event handlers listen on Baton's in-process `conductor` queue: each event is a queue of its own.
            let verbose = try req.queryBool("verbose", default: false)
            var o = JSONObject()
            for handler in try services.events?.all() ?? [] where handler.active {
                o[handler.event] = verbose ? .object([handler.event: 0]) : .string(handler.event)
            }
            return .json(.object(o))
        })

        router.add("GET", "/api/queue/size", h { _ in
            var o = JSONObject()
            for q in statusQueues { o[q.name] = 0 }
            return .json(.object(o))
        })
        router.add("GET", "/api/queue/", h { _ in
            var o = JSONObject()
            for q in statusQueues { o[q.status.rawValue] = .string(q.name) }
            return .json(.object(o))
        })
        @Sendable func queueStatus(_ req: HTTPRequest) throws -> TaskResultStatus {
            let text = req.pathParameter("status")
            guard let q = statusQueues.first(where: { $0.status.rawValue == text }) else {
                throw APIError.badRequest("There is no queue for handling \(text) status")
            }
            return q.status
        }
        router.add("POST", "/api/queue/update/{workflowId}/{taskRefName}/{status}", h { req in
            try executions.updateFromQueue(workflowId: req.pathParameter("workflowId"), match: .reference(req.pathParameter("taskRefName")),
                                           status: try queueStatus(req), output: try StateRoutes.objectBody(req, what: "the task output"))
            return .ok
        })
        router.add("POST", "/api/queue/update/{workflowId}/task/{taskId}/{status}", h { req in
            try executions.updateFromQueue(workflowId: req.pathParameter("workflowId"), match: .taskId(req.pathParameter("taskId")),
                                           status: try queueStatus(req), output: try StateRoutes.objectBody(req, what: "the task output"))
            return .ok
        })

        router.add("GET", "/api/environment", h { _ in
            let vars = env.filter { $0.key.hasPrefix(environmentPrefix) }.sorted { $0.key < $1.key }
            return .json(.array(vars.map { .object(["name": .string(String($0.key.dropFirst(environmentPrefix.count))), "value": .string($0.value)]) }))
        })
        router.add("GET", "/api/environment/{key}", h { req in
            // OSS answers 200 with an empty body for a variable that is not set.
            .text(env[environmentPrefix + req.pathParameter("key")] ?? "")
        })
        // Names only, never values. OSS answers GET (`SecretResource`) and POST (its agent module's
        // `SecretController`, what conductor-python's `list_all_secret_names` calls) alike.
        let secretNames: Router.Handler = h { _ in
            .json(.array(env.keys.filter { $0.hasPrefix(secretPrefix) }.sorted().map { .string(String($0.dropFirst(secretPrefix.count))) }))
        }
        router.add("GET", "/api/secrets", secretNames)
        router.add("POST", "/api/secrets", secretNames)

        let location: Router.Handler = h { req in
            let path = req.query["path"] ?? "", operation = req.query["operation"] ?? "", type = req.query["payloadType"] ?? ""
            guard req.query["path"] != nil, req.query["operation"] != nil, req.query["payloadType"] != nil else {
                let missing = ["path", "operation", "payloadType"].first { req.query[$0] == nil } ?? "path"
                throw APIError.badRequest("Required request parameter '\(missing)' for method parameter type String is not present")
            }
            guard storageOperations.contains(operation.uppercased()), payloadTypes.contains(type.uppercased()) else {
                throw APIError.badRequest("Invalid input - Operation: \(operation), PayloadType: \(type)")
            }
            // OSS's default (dummy) storage: a fresh path under the one asked for. Baton reads payloads
            // inline only, so nothing is ever stored there.
            return .json(["path": .string(path + IDs.uuid() + ".json")])
        }
        for prefix in ["/api/workflow", "/api/tasks"] {
            router.add("GET", prefix + "/externalstoragelocation", location)
            router.add("GET", prefix + "/external-storage-location", location)
        }
    }
}
