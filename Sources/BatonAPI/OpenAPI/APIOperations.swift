import BatonSupport

/// Every route Baton serves, as the document describes it. Tags and operation ids follow OSS's
/// controllers (`rest/` in conductor-oss/conductor) where the route is OSS's.
enum APIOperations {
    static let all: [APIOperation] = server + metadata + workflows + tasks + management + search + state + admin + testing
        + events + scheduler

    /// Operations of one tag, added in the order they appear in the document.
    struct Group {
        let tag: String
        private(set) var operations: [APIOperation] = []

        init(_ tag: String) { self.tag = tag }

        mutating func add(_ method: String, _ path: String, _ operationId: String, _ summary: String,
                          _ parameters: [APIOperation.Parameter], body: APIOperation.Body? = nil, _ responses: APIOperation.Response...) {
            operations.append(APIOperation(method: method, path: path, tag: tag, operationId: operationId, summary: summary,
                                           parameters: parameters, body: body, responses: responses))
        }

        /// The same without parameters (a defaulted list before the variadic would be ambiguous).
        mutating func add(_ method: String, _ path: String, _ operationId: String, _ summary: String,
                          body: APIOperation.Body? = nil, _ responses: APIOperation.Response...) {
            operations.append(APIOperation(method: method, path: path, tag: tag, operationId: operationId, summary: summary,
                                           parameters: [], body: body, responses: responses))
        }
    }

    typealias S = Schema

    static func query(_ name: String, _ schema: JSONValue, required: Bool = false, _ description: String? = nil) -> APIOperation.Parameter {
        APIOperation.Parameter(name: name, location: "query", schema: schema, required: required, description: description)
    }

    static func path(_ name: String, _ schema: JSONValue) -> APIOperation.Parameter {
        APIOperation.Parameter(name: name, location: "path", schema: schema, required: true, description: nil)
    }

    static func json(_ schema: JSONValue, status: String = "200", _ description: String = "OK") -> APIOperation.Response {
        APIOperation.Response(status: status, description: description, content: [.json(schema)])
    }

    static let empty = APIOperation.Response(status: "200", description: "Done; no body.", content: [])
    static let text = APIOperation.Response(status: "200", description: "OK", content: [.text])
    static let noContent = APIOperation.Response(status: "204", description: "Done; no body.", content: [])

    /// A JSON list of strings, e.g. workflow ids for the bulk routes (at most 1000).
    static let idList: APIOperation.Body = .json(["type": "array", "items": S.string, "maxItems": 1000])
    /// A JSON object taken as a task's output, a message or variables; an empty body is `{}`.
    static let optionalObject: APIOperation.Body = .json(S.anyObject, required: false)

    // Paging and flags shared by many routes.
    static let start = query("start", S.int32(default: 0, minimum: 0))
    static let includeTasks = query("includeTasks", S.bool(default: true))
    static let archiveWorkflow = query("archiveWorkflow", S.bool(default: true))
    static let reason = query("reason", S.string)
    static let searchParameters = [
        start, query("size", S.int32(default: 100, minimum: 0)),
        query("sort", S.string, "field:ASC|DESC, comma-separated"),
        query("freeText", S.string, "text matched anywhere; * for all"),
        query("query", S.string, "field IN (a,b) AND field > value ..."),
    ]
    static let waitParameters = [
        query("requestId", S.string),
        query("waitUntilTaskRef", S.string, "comma-separated task reference names"),
        query("waitForSeconds", S.int32(default: 10, minimum: 0, maximum: 300), "0 means 10; at most 300"),
    ]
    static let returnStrategy = query("returnStrategy", S.enumeration(StateRoutes.returnStrategies, default: "TARGET_WORKFLOW"))
    static let taskResultStatus = path("status", APISchemas.taskResultStatus)

    static let server: [APIOperation] = {
        var g = Group("health")
        g.add("GET", "/health", "health", "Whether the server is up", json(S.ref("HealthResponse")))
        g.add("GET", "/api/health", "apiHealth", "Whether the server is up", json(S.ref("HealthResponse")))
        g.add("GET", "/api/version", "version", "Baton's version", text)
        g.add("GET", "/api-docs", "apiDocs", "This document", json(S.anyObject))
        let prometheus = APIOperation.Response(status: "200", description: "Prometheus text format 0.0.4", content: [.text])
        g.add("GET", "/metrics", "metrics", "Prometheus metrics", prometheus)
        g.add("GET", "/actuator/prometheus", "prometheus", "Prometheus metrics at OSS's path", prometheus)
        return g.operations
    }()

    static let metadata: [APIOperation] = {
        var g = Group("metadata-resource")
        let def = S.ref("WorkflowDef")
        g.add("POST", "/api/metadata/workflow", "create", "Registers a workflow definition",
              [query("overwrite", S.bool(default: false))], body: .json(def), empty)
        g.add("PUT", "/api/metadata/workflow", "update", "Creates or updates workflow definitions",
              body: .json(S.array(def)), json(S.ref("BulkResponse")))
        g.add("POST", "/api/metadata/workflow/validate", "validate", "Validates a workflow definition without saving it",
              body: .json(def), empty)
        g.add("GET", "/api/metadata/workflow", "getAll", "Every version of every workflow definition", json(S.array(def)))
        g.add("GET", "/api/metadata/workflow/latest-versions", "getAllWorkflowsWithLatestVersions",
              "The latest version of each workflow definition", json(S.array(def)))
        g.add("GET", "/api/metadata/workflow/names", "getWorkflowNames", "Workflow definition names", json(S.strings))
        g.add("GET", "/api/metadata/workflow/names-and-versions", "getWorkflowNamesAndVersions",
              "Each workflow name with its versions", json(S.map(S.array(S.ref("WorkflowDefSummary")))))
        g.add("GET", "/api/metadata/workflow/{name}/versions", "getWorkflowVersions", "The versions of one workflow definition",
              json(S.array(S.ref("WorkflowDefSummary"))))
        g.add("GET", "/api/metadata/workflow/{name}", "get", "A workflow definition, the latest version unless one is given",
              [query("version", S.int32)], json(def))
        g.add("DELETE", "/api/metadata/workflow/{name}/{version}", "unregisterWorkflowDef", "Removes one version of a workflow definition",
              [path("version", S.int32)], empty)
        let taskDef = S.ref("TaskDef")
        g.add("POST", "/api/metadata/taskdefs", "registerTaskDef", "Registers (or replaces) task definitions",
              body: .json(S.array(taskDef)), empty)
        g.add("PUT", "/api/metadata/taskdefs", "updateTaskDef", "Updates an existing task definition", body: .json(taskDef), empty)
        g.add("GET", "/api/metadata/taskdefs", "getTaskDefs", "Every task definition", json(S.array(taskDef)))
        g.add("GET", "/api/metadata/taskdefs/{tasktype}", "getTaskDef", "A task definition", json(taskDef))
        g.add("DELETE", "/api/metadata/taskdefs/{tasktype}", "unregisterTaskDef", "Removes a task definition", empty)
        return g.operations
    }()

    static let workflows: [APIOperation] = {
        var g = Group("workflow-resource")
        g.add("POST", "/api/workflow", "startWorkflow", "Starts a workflow; answers its id",
              body: .json(S.ref("StartWorkflowRequest")), text)
        g.add("POST", "/api/workflow/{name}", "startWorkflow_1", "Starts the named workflow with the body as its input; answers its id",
              [query("version", S.int32), query("correlationId", S.string), query("priority", S.int32)], body: optionalObject, text)
        g.add("POST", "/api/workflow/execute/{name}/{version}", "executeWorkflow",
              "Starts a workflow and waits for it (or a task) as the return strategy says; empty when BLOCKING_TASK finds none",
              [path("version", S.int32)] + waitParameters + [returnStrategy], body: .json(S.ref("StartWorkflowRequest")),
              json(S.ref("SignalResponse")))
        g.add("POST", "/api/workflow/test", "testWorkflow", "Runs a workflow with mocked task outputs",
              body: .json(S.ref("WorkflowTestRequest")), json(S.ref("Workflow")))
        g.add("GET", "/api/workflow/{workflowId}", "getExecutionStatus", "A workflow execution", [includeTasks], json(S.ref("Workflow")))
        g.add("GET", "/api/workflow/{workflowId}/status", "getWorkflowStatusSummary", "A workflow's status",
              [query("includeOutput", S.bool(default: false)), query("includeVariables", S.bool(default: false))],
              json(S.ref("WorkflowStatus")))
        g.add("GET", "/api/workflow/{workflowId}/tasks", "getExecutionStatusTaskList", "A page of a workflow's tasks",
              [start, query("count", S.int32(default: 15, minimum: 0)), query("status", S.strings)], json(S.ref("TaskList")))
        g.add("PUT", "/api/workflow/decide/{workflowId}", "decide", "Runs the decider on a workflow now", empty)
        return g.operations
    }()

    static let tasks: [APIOperation] = {
        var g = Group("task-resource")
        let worker = [query("workerid", S.string), query("domain", S.string)]
        let task = S.ref("Task")
        g.add("GET", "/api/tasks/poll/batch/{tasktype}", "batchPoll", "Polls up to count tasks, waiting up to timeout ms for the first",
              worker + [query("count", S.int32(default: 1)), query("timeout", S.int32(default: 100, maximum: 5000))], json(S.array(task)))
        g.add("GET", "/api/tasks/poll/{tasktype}", "poll", "Polls one task", worker, json(task),
              APIOperation.Response(status: "204", description: "No task to hand out.", content: []))
        g.add("POST", "/api/tasks", "updateTask", "Updates a task; answers its id", body: .json(S.ref("TaskResult")), text)
        g.add("POST", "/api/tasks/update-v2", "updateTaskV2", "Updates a task and polls the next of its type",
              body: .json(S.ref("TaskResult")), json(task), APIOperation.Response(status: "204", description: "No next task.", content: []))
        g.add("POST", "/api/tasks/{workflowId}/{taskRefName}/{status}", "updateTask_1",
              "Updates a workflow's task by reference name; the body is its output; answers its id",
              [taskResultStatus, query("workerid", S.string)], body: optionalObject, text)
        g.add("POST", "/api/tasks/{workflowId}/{taskRefName}/{status}/sync", "updateTaskSync",
              "Updates a workflow's task by reference name and answers the workflow",
              [taskResultStatus, query("workerid", S.string)], body: optionalObject, json(S.ref("Workflow")))
        g.add("GET", "/api/tasks/{taskId}", "getTask", "A task", json(task))
        g.add("POST", "/api/tasks/{taskId}/log", "log", "Adds a line to a task's log", body: .text, empty)
        g.add("GET", "/api/tasks/{taskId}/log", "getTaskLogs", "A task's log", json(S.array(S.ref("TaskExecLog"))), noContent)
        g.add("GET", "/api/tasks/queue/sizes", "size", "Queue depth of the given task types",
              [query("taskType", S.strings)], json(S.map(S.int64)))
        g.add("GET", "/api/tasks/queue/size", "taskDepth", "Queue depth of one task type (in one domain)",
              [query("taskType", S.string, required: true), query("domain", S.string)], json(S.int64))
        g.add("GET", "/api/tasks/queue/all", "all", "Queue depth of every task type", json(S.map(S.int64)))
        g.add("GET", "/api/tasks/queue/all/verbose", "allVerbose", "Queue depth of every task type by shard",
              json(S.map(S.map(S.map(S.int64)))))
        g.add("GET", "/api/tasks/queue/polldata", "getPollData", "Last poll of a task type by domain",
              [query("taskType", S.string, required: true)], json(S.array(S.ref("PollData"))))
        g.add("GET", "/api/tasks/queue/polldata/all", "getAllPollData", "Last poll of every task type", json(S.array(S.ref("PollData"))))
        g.add("POST", "/api/tasks/queue/requeue/{taskType}", "requeuePendingTask", "Requeues a task type's pending tasks; answers how many",
              text)
        return g.operations
    }()
}
