import BatonSupport

extension APIOperations {
    static let management: [APIOperation] = {
        var g = Group("workflow-resource")
        let failureWorkflow = query("triggerFailureWorkflow", S.bool(default: false))
        let latest = query("useLatestDefinitions", S.bool(default: false))
        g.add("PUT", "/api/workflow/{workflowId}/pause", "pauseWorkflow", "Pauses a running workflow", empty)
        g.add("PUT", "/api/workflow/{workflowId}/resume", "resumeWorkflow", "Resumes a paused workflow", empty,
              json(S.ref("Error"), status: "500", "The workflow is not PAUSED: OSS answers 500 (an IllegalStateException), so does Baton"))
        g.add("DELETE", "/api/workflow/{workflowId}", "terminate", "Terminates a workflow", [reason, failureWorkflow], empty)
        g.add("POST", "/api/workflow/{workflowId}/restart", "restart", "Restarts an ended workflow from the start", [latest], noContent)
        g.add("POST", "/api/workflow/{workflowId}/retry", "retry", "Retries the last failed task of an ended workflow",
              [query("resumeSubworkflowTasks", S.bool(default: false))], noContent)
        g.add("PUT", "/api/workflow/{workflowId}/skiptask/{taskReferenceName}", "skipTaskFromWorkflow",
              "Skips a task of a running workflow (the SkipTaskRequest in the body or, as python sends it, the query)",
              [query("skipTaskRequest", S.string, "JSON or a Python dict literal"), query("taskInput", S.string, "JSON object"),
               query("taskOutput", S.string, "JSON object")],
              body: .json(S.ref("SkipTaskRequest"), required: false), empty,
              json(S.ref("Error"), status: "500",
                   "The workflow is not running, or the task does not exist or was already processed: OSS answers 500, so does Baton"))
        g.add("POST", "/api/workflow/{workflowId}/rerun", "rerun", "Reruns a workflow from a task; answers the workflow id",
              body: .json(S.ref("RerunWorkflowRequest"), required: false), text)
        g.add("DELETE", "/api/workflow/{workflowId}/remove", "delete", "Removes a workflow", [archiveWorkflow], empty)
        g.add("DELETE", "/api/workflow/{workflowId}/terminate-remove", "terminateRemove", "Terminates and removes a workflow",
              [reason, archiveWorkflow], empty)
        g.add("POST", "/api/workflow/{workflowId}/resetcallbacks", "resetWorkflow", "Clears callback delays of the workflow's tasks",
              noContent)

        var bulk = Group("workflow-bulk-resource")
        let bulkResult = json(S.ref("BulkResponse"))
        bulk.add("PUT", "/api/workflow/bulk/pause", "pauseWorkflow_1", "Pauses workflows", body: idList, bulkResult)
        bulk.add("PUT", "/api/workflow/bulk/resume", "resumeWorkflow_1", "Resumes workflows", body: idList, bulkResult)
        bulk.add("POST", "/api/workflow/bulk/restart", "restart_1", "Restarts workflows", [latest], body: idList, bulkResult)
        bulk.add("POST", "/api/workflow/bulk/retry", "retry_1", "Retries workflows", body: idList, bulkResult)
        bulk.add("POST", "/api/workflow/bulk/terminate", "terminate_1", "Terminates workflows", [reason, failureWorkflow],
                 body: idList, bulkResult)
        bulk.add("DELETE", "/api/workflow/bulk/remove", "delete_1", "Removes workflows", [archiveWorkflow], body: idList, bulkResult)
        bulk.add("DELETE", "/api/workflow/bulk/terminate-remove", "terminateRemove_1", "Terminates and removes workflows",
                 [reason, archiveWorkflow], body: idList, bulkResult)
        bulk.add("POST", "/api/workflow/bulk/search", "search_bulk", "Reads workflows by id", [includeTasks], body: idList,
                 json(S.ref("BulkWorkflowResponse")))
        return g.operations + bulk.operations
    }()

    static let search: [APIOperation] = {
        var g = Group("workflow-resource")
        g.add("GET", "/api/workflow/search", "search", "Searches workflows", searchParameters, json(S.ref("SearchResultWorkflowSummary")))
        g.add("GET", "/api/workflow/search-v2", "searchV2", "Searches workflows", searchParameters, json(S.ref("SearchResultWorkflow")))
        g.add("GET", "/api/workflow/search-by-tasks", "searchWorkflowsByTasks", "Searches workflows by their tasks",
              searchParameters, json(S.ref("SearchResultWorkflowSummary")))
        g.add("GET", "/api/workflow/search-by-tasks-v2", "searchWorkflowsByTasksV2", "Searches workflows by their tasks",
              searchParameters, json(S.ref("SearchResultWorkflow")))
        g.add("GET", "/api/workflow/running/{name}", "getRunningWorkflow", "Ids of running workflows of a name and version",
              [query("version", S.int32(default: 1)), query("startTime", S.int64), query("endTime", S.int64)], json(S.strings))
        let closed = query("includeClosed", S.bool(default: false)), tasks = query("includeTasks", S.bool(default: false))
        g.add("GET", "/api/workflow/{name}/correlated/{correlationId}", "getWorkflows_1", "Workflows of a name with a correlation id",
              [closed, tasks], json(S.array(S.ref("Workflow"))))
        g.add("POST", "/api/workflow/correlated/batch", "getWorkflowsByNamesAndCorrelationIds",
              "Workflows of the given names by each correlation id", [closed, tasks],
              body: .json(S.ref("CorrelationIdsSearchRequest")), json(S.map(S.array(S.ref("Workflow")))))
        g.add("POST", "/api/workflow/{name}/correlated", "getWorkflows", "Workflows of a name by each correlation id in the body",
              [closed, tasks], body: .json(S.strings), json(S.map(S.array(S.ref("Workflow")))))

        var t = Group("task-resource")
        t.add("GET", "/api/tasks/search", "search_1", "Searches tasks", searchParameters, json(S.ref("SearchResultTaskSummary")))
        t.add("GET", "/api/tasks/search-v2", "searchV2_1", "Searches tasks", searchParameters, json(S.ref("SearchResultTask")))
        return g.operations + t.operations
    }()

    static let state: [APIOperation] = {
        var g = Group("workflow-resource")
        g.add("POST", "/api/workflow/{workflowId}/variables", "updateWorkflowVariables", "Merges variables into a running workflow",
              body: optionalObject, json(S.ref("Workflow")))
        g.add("POST", "/api/workflow/{workflowId}/state", "updateWorkflowAndTaskState",
              "Updates variables and a task, then waits as an execute does", waitParameters,
              body: .json(S.ref("WorkflowStateUpdate")), json(S.ref("SignalResponse")))
        g.add("POST", "/api/workflow/{workflowId}/messages", "sendMessage", "Queues a message for the workflow's PULL_WORKFLOW_MESSAGES task",
              body: optionalObject, text)
        var t = Group("task-resource")
        t.add("POST", "/api/tasks/{workflowId}/{status}/signal", "signal", "Completes the workflow's blocked task with the body as output",
              [taskResultStatus], body: optionalObject, empty)
        t.add("POST", "/api/tasks/{workflowId}/{status}/signal/sync", "signalSync",
              "Signals the blocked task and waits as the return strategy says",
              [taskResultStatus, returnStrategy, query("timeoutMillis", S.int64)], body: optionalObject, json(S.ref("SignalResponse")))
        return g.operations + t.operations
    }()

    static let admin: [APIOperation] = {
        var g = Group("admin-resource")
        g.add("GET", "/api/admin/config", "getAllConfig", "The server's settings", json(S.anyObject))
        g.add("GET", "/api/admin/task/{tasktype}", "view", "Pending tasks of a type",
              [start, query("count", S.int32(default: 100, minimum: 0))], json(S.array(S.ref("Task"))))
        g.add("POST", "/api/admin/sweep/requeue/{workflowId}", "requeueSweep", "Queues a workflow for the sweeper", text)
        g.add("POST", "/api/admin/consistency/verifyAndRepair/{workflowId}", "verifyAndRepairWorkflowConsistency",
              "Checks a workflow's queues against its tasks", text)
        g.add("GET", "/api/admin/queues", "getEventQueues", "Event queues", [query("verbose", S.bool(default: false))], json(S.anyObject))

        var q = Group("queue-admin-resource")
        q.add("GET", "/api/queue/size", "size_1", "Sizes of the status queues", json(S.map(S.int64)))
        q.add("GET", "/api/queue/", "names", "Names of the status queues", json(S.map(S.string)))
        let queueStatus = path("status", S.enumeration(AdminRoutes.statusQueues.map(\.status.rawValue)))
        q.add("POST", "/api/queue/update/{workflowId}/{taskRefName}/{status}", "update_1", "Updates a task by reference name",
              [queueStatus], body: optionalObject, empty)
        q.add("POST", "/api/queue/update/{workflowId}/task/{taskId}/{status}", "updateByTaskId", "Updates a task by id",
              [queueStatus], body: optionalObject, empty)

        var e = Group("environment")
        e.add("GET", "/api/environment", "getAllEnvironmentVariables", "CONDUCTOR_ENV_ variables of the server's environment",
              json(S.array(S.ref("EnvironmentVariable"))))
        e.add("GET", "/api/environment/{key}", "getEnvironmentVariable", "One variable; empty when it is not set", text)
        e.add("GET", "/api/secrets", "listAllSecretNames", "Names of the CONDUCTOR_SECRET_ variables", json(S.strings))
        e.add("POST", "/api/secrets", "listAllSecretNames_1", "Names of the CONDUCTOR_SECRET_ variables", json(S.strings))

        let location = [query("path", S.string, required: true),
                        query("operation", S.enumeration(AdminRoutes.storageOperations), required: true),
                        query("payloadType", S.enumeration(AdminRoutes.payloadTypes), required: true)]
        let result = json(S.ref("ExternalStorageLocation"))
        var storage: [APIOperation] = []
        for (tag, prefix, noun) in [("workflow-resource", "/api/workflow", "Workflow"), ("task-resource", "/api/tasks", "Task")] {
            var s = Group(tag)
            for (path, suffix) in [("/externalstoragelocation", ""), ("/external-storage-location", "_1")] {
                s.add("GET", prefix + path, "getExternalStorageLocation\(noun)\(suffix)",
                      "Where to put a large payload (no external storage here: a path nothing reads)", location, result)
            }
            storage += s.operations
        }
        return g.operations + q.operations + e.operations + storage
    }()

    static let testing: [APIOperation] = {
        var g = Group("baton-testing")
        g.add("GET", "/api/admin/clock", "getClock", "The server's clock", json(S.ref("Clock")))
        g.add("POST", "/api/admin/clock/advance", "advanceClock",
              "Moves the manual clock forward and fires what fell due; answers when all of it is committed",
              [query("millis", S.int64), query("seconds", S.number), query("duration", S.string, "e.g. 90s, 10m, 1h 30m, 2 days")],
              body: .json(S.ref("ClockAdvance"), required: false), json(S.ref("Clock")))
        g.add("POST", "/api/admin/reset", "reset", "Removes every execution (and with definitions=true every definition)",
              [query("definitions", S.bool(default: false))],
              body: .json(S.object(["definitions": S.boolean]), required: false), json(S.ref("ResetResult")))
        let file = APIOperation.Content.media("application/vnd.sqlite3", ["type": "string", "format": "binary"])
        g.add("POST", "/api/admin/snapshot", "snapshot",
              "Writes a consistent copy of the database to path, or answers the copy itself when no path is given",
              [query("path", S.string)], body: .json(S.object(["path": S.string]), required: false),
              APIOperation.Response(status: "200", description: "Where it was written, or the file",
                                    content: [.json(S.ref("SnapshotResult")), file]))
        return g.operations
    }()

    static let events: [APIOperation] = {
        var g = Group("event-resource")
        let handler = S.ref("EventHandler")
        g.add("POST", "/api/event", "addEventHandler", "Adds an event handler", body: .json(handler), empty)
        g.add("PUT", "/api/event", "updateEventHandler", "Updates an event handler", body: .json(handler), empty)
        g.add("GET", "/api/event", "getEventHandlers", "Every event handler", json(S.array(handler)))
        g.add("GET", "/api/event/{event}", "getEventHandlersForEvent", "The handlers of an event",
              [query("activeOnly", S.bool(default: true))], json(S.array(handler)))
        g.add("DELETE", "/api/event/{name}", "removeEventHandlerStatus", "Removes an event handler", empty)
        return g.operations
    }()

    static let scheduler: [APIOperation] = {
        var g = Group("scheduler-resource")
        let schedule = S.ref("WorkflowSchedule")
        g.add("POST", "/api/scheduler/schedules", "saveSchedule", "Creates or updates a schedule", body: .json(schedule), json(schedule))
        g.add("GET", "/api/scheduler/schedules", "getAllSchedules", "Every schedule (of a workflow)",
              [query("workflowName", S.string)], json(S.array(schedule)))
        g.add("GET", "/api/scheduler/schedules/search", "searchSchedules", "Searches schedules",
              [query("workflowName", S.string), query("scheduleName", S.string, "matched anywhere in the name"),
               query("paused", S.boolean), start, query("size", S.int32(default: 100, minimum: 0))],
              json(S.ref("SearchResultWorkflowSchedule")))
        g.add("GET", "/api/scheduler/schedules/{name}", "getSchedule", "A schedule", json(schedule))
        g.add("DELETE", "/api/scheduler/schedules/{name}", "deleteSchedule", "Removes a schedule", empty)
        // OSS maps pause and resume PUT, Orkes GET; conductor-python tries one and then the other.
        for method in ["PUT", "GET"] {
            let suffix = method == "GET" ? "_1" : ""
            g.add(method, "/api/scheduler/schedules/{name}/pause", "pauseSchedule\(suffix)", "Pauses a schedule", [reason], empty)
            g.add(method, "/api/scheduler/schedules/{name}/resume", "resumeSchedule\(suffix)", "Resumes a schedule", empty)
        }
        let tags = S.array(S.ref("Tag"))
        g.add("GET", "/api/scheduler/schedules/{name}/tags", "getTagsForSchedule", "A schedule's tags", json(tags))
        g.add("PUT", "/api/scheduler/schedules/{name}/tags", "putTagForSchedule", "Adds tags to a schedule", body: .json(tags), empty)
        g.add("DELETE", "/api/scheduler/schedules/{name}/tags", "deleteTagForSchedule", "Removes tags from a schedule",
              body: .json(tags), empty)
        g.add("GET", "/api/scheduler/nextFewSchedules", "getNextFewSchedules", "The next fire times of a cron expression (at most 5)",
              [query("cronExpression", S.string, required: true), query("scheduleStartTime", S.int64), query("scheduleEndTime", S.int64),
               query("limit", S.int32(default: 5))], json(S.array(S.int64)))
        g.add("GET", "/api/scheduler/search/executions", "searchExecutions", "What schedules started, when, with what result",
              [query("query", S.string), query("sort", S.string), start, query("size", S.int32(default: 100, minimum: 0))],
              json(S.ref("SearchResultWorkflowScheduleExecution")))
        g.add("GET", "/api/scheduler/admin/pause", "pauseAllSchedules", "Pauses the scheduler", json(S.object(["status": S.string])))
        g.add("GET", "/api/scheduler/admin/resume", "resumeAllSchedules", "Resumes the scheduler", json(S.object(["status": S.string])))
        g.add("GET", "/api/scheduler/admin/requeue", "requeueAllExecutionRecords", "Re-sends lost fire records (Baton loses none)",
              json(S.anyObject))

        var bulk = Group("scheduler-bulk-resource")
        bulk.add("PUT", "/api/scheduler/bulk/pause", "pauseSchedules", "Pauses schedules by name", body: .json(S.strings),
                 json(S.ref("BulkResponse")))
        bulk.add("PUT", "/api/scheduler/bulk/resume", "resumeSchedules", "Resumes schedules by name", body: .json(S.strings),
                 json(S.ref("BulkResponse")))
        return g.operations + bulk.operations
    }()
}
