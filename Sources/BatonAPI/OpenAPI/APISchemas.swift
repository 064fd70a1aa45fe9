import BatonEngine
import BatonSupport

/// The document's component schemas: Conductor's models by their field names and types
/// (conductor-oss/conductor `common/.../metadata`, `run`; `schemas/*.json`), and the shapes of
/// Baton's own routes. Objects allow fields beyond those listed, as Conductor keeps unknown fields a
/// client sends; `required` lists only what Baton always writes.
enum APISchemas {
    typealias S = Schema

    // The engine's own enums, so the document lists exactly the values the server accepts and writes.
    static let taskStatus = S.enumeration(TaskStatus.self)
    static let workflowStatus = S.enumeration(WorkflowStatus.self)
    static let taskResultStatus = S.enumeration(TaskResultStatus.self)
    static let returnStrategy = S.enumeration(StateRoutes.returnStrategies)

    static let components: JSONObject = {
        var c = JSONObject()
        for (name, schema) in models + requests + results + baton { c[name] = schema }
        return c
    }()

    static func searchResult(of item: String) -> JSONValue {
        S.object(["totalHits": S.int64, "results": S.array(S.ref(item))], required: ["totalHits", "results"])
    }

    // MARK: Conductor's models

    static let models: [(String, JSONValue)] = [
        ("Error", S.object([
            "status": S.int32, "message": S.string, "instance": S.string, "retryable": S.boolean,
            "validationErrors": S.array(S.ref("ValidationError")),
        ], required: ["status", "message"], description: "Conductor's error body.")),
        ("ValidationError", S.object(["path": S.string, "message": S.string, "invalidValue": S.any])),
        ("SchemaDef", S.object([
            "name": S.string, "version": S.int32, "type": S.enumeration(["JSON", "AVRO", "PROTOBUF"]), "data": S.anyObject,
            "externalRef": S.string,
        ])),
        ("RateLimitConfig", S.object(["rateLimitKey": S.string, "concurrentExecLimit": S.int32])),
        ("CacheConfig", S.object(["key": S.string, "ttlInSecond": S.int32])),
        ("TaskDef", S.object([
            "name": S.name, "description": S.string, "retryCount": S.int32, "timeoutSeconds": S.int64,
            "inputKeys": S.strings, "outputKeys": S.strings,
            "timeoutPolicy": S.enumeration(TaskTimeoutPolicy.self),
            "retryLogic": S.enumeration(RetryLogic.self),
            "retryDelaySeconds": S.int32, "responseTimeoutSeconds": S.int64, "concurrentExecLimit": S.int32,
            "inputTemplate": S.anyObject, "rateLimitPerFrequency": S.int32, "rateLimitFrequencyInSeconds": S.int32,
            "isolationGroupId": S.string, "executionNameSpace": S.string, "ownerEmail": S.string,
            "pollTimeoutSeconds": S.int32, "backoffScaleFactor": S.int32, "maxRetryDelaySeconds": S.int32,
            "backoffJitterMs": S.int32, "totalTimeoutSeconds": S.int64, "enforceSchema": S.boolean,
            "inputSchema": S.ref("SchemaDef"), "outputSchema": S.ref("SchemaDef"),
            "createTime": S.int64, "updateTime": S.int64,
        ], required: ["name"])),
        ("SubWorkflowParams", S.object([
            "name": S.string, "version": S.int32, "taskToDomain": S.map(S.string), "workflowDefinition": S.any,
            "idempotencyKey": S.string, "idempotencyStrategy": S.enumeration(["FAIL", "RETURN_EXISTING", "FAIL_ON_RUNNING"]),
        ])),
        ("WorkflowTask", S.object([
            "name": S.name, "taskReferenceName": S.name, "description": S.string, "inputParameters": S.anyObject,
            "type": S.string, "dynamicTaskNameParam": S.string, "caseValueParam": S.string, "caseExpression": S.string,
            "scriptExpression": S.string, "decisionCases": S.map(S.array(S.ref("WorkflowTask"))),
            "dynamicForkTasksParam": S.string, "dynamicForkTasksInputParamName": S.string,
            "defaultCase": S.array(S.ref("WorkflowTask")), "forkTasks": S.array(S.array(S.ref("WorkflowTask"))),
            "startDelay": S.int32, "subWorkflowParam": S.ref("SubWorkflowParams"), "joinOn": S.strings, "sink": S.string,
            "optional": S.boolean, "taskDefinition": S.ref("TaskDef"), "rateLimited": S.boolean,
            "defaultExclusiveJoinTask": S.strings, "asyncComplete": S.boolean, "loopCondition": S.string,
            "loopOver": S.array(S.ref("WorkflowTask")), "retryCount": S.int32, "evaluatorType": S.string,
            "expression": S.string, "onStateChange": S.anyObject, "joinStatus": S.string, "cacheConfig": S.ref("CacheConfig"),
            "permissive": S.boolean,
        ], required: ["name", "taskReferenceName"])),
        ("WorkflowDef", S.object([
            "name": S.name, "description": S.string, "version": S.int32, "tasks": S.nonEmptyArray(S.ref("WorkflowTask")),
            "inputParameters": S.strings, "outputParameters": S.anyObject, "failureWorkflow": S.string,
            "schemaVersion": S.int32, "restartable": S.boolean, "workflowStatusListenerEnabled": S.boolean,
            "workflowStatusListenerSink": S.string, "ownerEmail": S.string,
            "timeoutPolicy": S.enumeration(WorkflowTimeoutPolicy.self), "timeoutSeconds": S.int64,
            "variables": S.anyObject, "inputTemplate": S.anyObject, "rateLimitConfig": S.ref("RateLimitConfig"),
            "inputSchema": S.ref("SchemaDef"), "outputSchema": S.ref("SchemaDef"), "enforceSchema": S.boolean,
            "metadata": S.anyObject, "cacheConfig": S.ref("CacheConfig"), "maskedFields": S.strings,
            "createTime": S.int64, "updateTime": S.int64,
        ], required: ["name", "tasks"])),
        ("Task", S.object([
            "taskType": S.string, "status": taskStatus, "inputData": S.anyObject,
            "referenceTaskName": S.string, "retryCount": S.int32, "seq": S.int32, "correlationId": S.string,
            "pollCount": S.int32, "taskDefName": S.string, "scheduledTime": S.int64, "startTime": S.int64,
            "endTime": S.int64, "updateTime": S.int64, "startDelayInSeconds": S.int32, "retriedTaskId": S.string,
            "retried": S.boolean, "executed": S.boolean, "callbackFromWorker": S.boolean,
            "responseTimeoutSeconds": S.int64, "workflowInstanceId": S.string, "workflowType": S.string,
            "taskId": S.string, "reasonForIncompletion": S.string, "callbackAfterSeconds": S.int64,
            "workerId": S.string, "outputData": S.anyObject, "workflowTask": S.ref("WorkflowTask"), "domain": S.string,
            "rateLimitPerFrequency": S.int32, "rateLimitFrequencyInSeconds": S.int32, "workflowPriority": S.int32,
            "iteration": S.int32, "subWorkflowId": S.string, "subworkflowChanged": S.boolean, "parentTaskId": S.string,
            "firstStartTime": S.int64, "queueWaitTime": S.int64, "loopOverTask": S.boolean,
            // An Optional in OSS's Task: Jackson writes an empty one as null.
            "taskDefinition": ["allOf": [S.ref("TaskDef")], "nullable": true],
        ], required: ["taskType", "status", "referenceTaskName", "taskId", "workflowInstanceId"])),
        ("Workflow", S.object([
            "workflowId": S.string, "status": workflowStatus, "workflowName": S.string,
            "workflowVersion": S.int32, "correlationId": S.string, "input": S.anyObject, "output": S.anyObject,
            "tasks": S.array(S.ref("Task")), "parentWorkflowId": S.string, "parentWorkflowTaskId": S.string,
            "reRunFromWorkflowId": S.string, "reasonForIncompletion": S.string, "event": S.string,
            "taskToDomain": S.map(S.string), "failedReferenceTaskNames": S.strings, "failedTaskNames": S.strings,
            "workflowDefinition": S.ref("WorkflowDef"), "priority": S.int32, "variables": S.anyObject,
            "lastRetriedTime": S.int64, "idempotencyKey": S.string, "rateLimitKey": S.string, "rateLimited": S.boolean,
            "history": S.array(S.any), "createTime": S.int64, "updateTime": S.int64, "startTime": S.int64,
            "endTime": S.int64, "createdBy": S.string,
        ], required: ["workflowId", "status"])),
        ("WorkflowSummary", S.object([
            "workflowType": S.string, "version": S.int32, "workflowId": S.string, "correlationId": S.string,
            "startTime": S.string, "updateTime": S.string, "endTime": S.string, "status": workflowStatus,
            "input": S.string, "output": S.string, "reasonForIncompletion": S.string, "executionTime": S.int64,
            "event": S.string, "failedReferenceTaskNames": S.string, "failedTaskNames": S.strings, "priority": S.int32,
            "taskToDomain": S.map(S.string), "createdBy": S.string, "idempotencyKey": S.string,
            "parentWorkflowId": S.string, "inputSize": S.int64, "outputSize": S.int64,
        ], required: ["workflowId", "status"], description: "Times are ISO-8601 strings, inputs and outputs JSON text, as OSS's index.")),
        ("TaskSummary", S.object([
            "workflowId": S.string, "workflowType": S.string, "correlationId": S.string, "scheduledTime": S.string,
            "startTime": S.string, "updateTime": S.string, "endTime": S.string, "status": taskStatus,
            "reasonForIncompletion": S.string, "executionTime": S.int64, "queueWaitTime": S.int64,
            "taskDefName": S.string, "taskType": S.string, "input": S.string, "output": S.string, "taskId": S.string,
            "workflowPriority": S.int32, "domain": S.string,
        ], required: ["taskId", "status"])),
        ("TaskExecLog", S.object(["log": S.string, "taskId": S.string, "createdTime": S.int64])),
        ("PollData", S.object(["queueName": S.string, "domain": S.string, "workerId": S.string, "lastPollTime": S.int64])),
        ("EventHandler", S.object([
            "name": S.name, "event": S.name, "condition": S.string, "actions": S.nonEmptyArray(S.ref("EventHandlerAction")),
            "active": S.boolean, "evaluatorType": S.string,
        ], required: ["name", "event", "actions"])),
        ("EventHandlerAction", S.object([
            "action": S.enumeration(["start_workflow", "complete_task", "fail_task", "terminate_workflow", "update_workflow_variables"]),
            "start_workflow": S.anyObject, "complete_task": S.anyObject, "fail_task": S.anyObject, "terminate_workflow": S.anyObject,
            "update_workflow_variables": S.anyObject, "expandInlineJSON": S.boolean,
        ], required: ["action"])),
        ("Tag", S.object(["key": S.name, "value": S.string, "type": S.string], required: ["key"])),
        ("WorkflowSchedule", S.object([
            "name": S.name, "cronExpression": S.name, "runCatchupScheduleInstances": S.boolean, "paused": S.boolean,
            "pausedReason": S.string, "startWorkflowRequest": S.ref("StartWorkflowRequest"), "zoneId": S.string,
            "scheduleStartTime": S.int64, "scheduleEndTime": S.int64, "createTime": S.int64, "updatedTime": S.int64,
            "createdBy": S.string, "updatedBy": S.string, "description": S.string,
            "nextRunTime": ["type": "integer", "format": "int64", "nullable": true], "tags": S.array(S.ref("Tag")),
        ], required: ["name", "cronExpression", "startWorkflowRequest"])),
        ("WorkflowScheduleExecution", S.object([
            "executionId": S.string, "scheduleName": S.string, "scheduledTime": S.int64, "executionTime": S.int64,
            "workflowName": S.string, "workflowId": S.string, "reason": S.string,
            "startWorkflowRequest": S.ref("StartWorkflowRequest"), "state": S.enumeration(ScheduleExecution.State.self),
            "zoneId": S.string,
        ], required: ["executionId", "scheduleName", "state"])),
    ]

    // MARK: Request bodies

    static let requests: [(String, JSONValue)] = [
        ("StartWorkflowRequest", S.object([
            "name": S.name, "version": S.int32, "correlationId": S.string, "input": S.anyObject,
            "taskToDomain": S.map(S.string), "workflowDef": S.ref("WorkflowDef"), "priority": S.int32,
            "createdBy": S.string, "idempotencyKey": S.string,
            "idempotencyStrategy": S.enumeration(["FAIL", "RETURN_EXISTING", "FAIL_ON_RUNNING"]),
            "externalInputPayloadStoragePath": S.string,
        ], required: ["name"])),
        ("TaskResult", S.object([
            "workflowInstanceId": S.name, "taskId": S.name, "reasonForIncompletion": S.string,
            "callbackAfterSeconds": S.int64, "workerId": S.string,
            "status": taskResultStatus, "outputData": S.anyObject, "logs": S.array(S.ref("TaskExecLog")),
            "extendLease": S.boolean,
        ], required: ["workflowInstanceId", "taskId", "status"])),
        ("RerunWorkflowRequest", S.object([
            "reRunFromWorkflowId": S.string, "workflowInput": S.anyObject, "reRunFromTaskId": S.string,
            "taskInput": S.anyObject, "correlationId": S.string,
        ])),
        ("SkipTaskRequest", S.object([
            "taskInput": S.anyObject, "taskOutput": S.anyObject,
        ])),
        ("WorkflowStateUpdate", S.object([
            "taskReferenceName": S.string, "taskResult": S.ref("TaskResult"), "variables": S.anyObject,
        ])),
        ("WorkflowTestRequest", S.object([
            "name": S.name, "version": S.int32, "input": S.anyObject, "workflowDef": S.ref("WorkflowDef"),
            "taskRefToMockOutput": S.map(S.array(S.object(["status": taskResultStatus, "output": S.anyObject,
                                                            "executionTime": S.int64, "queueWaitTime": S.int64]))),
            "subWorkflowTestRequest": S.map(S.any),
        ], required: ["name"])),
        ("CorrelationIdsSearchRequest", S.object([
            "correlationIds": S.nonEmptyArray(S.string), "workflowNames": S.nonEmptyArray(S.string),
        ], required: ["correlationIds", "workflowNames"])),
    ]

    // MARK: Results

    static let results: [(String, JSONValue)] = [
        ("SearchResultWorkflow", searchResult(of: "Workflow")),
        ("SearchResultWorkflowSummary", searchResult(of: "WorkflowSummary")),
        ("SearchResultTask", searchResult(of: "Task")),
        ("SearchResultTaskSummary", searchResult(of: "TaskSummary")),
        ("SearchResultWorkflowSchedule", searchResult(of: "WorkflowSchedule")),
        ("SearchResultWorkflowScheduleExecution", searchResult(of: "WorkflowScheduleExecution")),
        ("WorkflowDefSummary", S.object(["name": S.string, "version": S.int32, "createTime": S.int64, "updateTime": S.int64],
                                        required: ["name", "version"])),
        ("BulkResponse", S.object([
            "bulkErrorResults": S.map(S.string), "bulkSuccessfulResults": S.strings, "message": S.string,
        ], required: ["bulkErrorResults", "bulkSuccessfulResults"])),
        ("BulkWorkflowResponse", S.object([
            "bulkErrorResults": S.map(S.string), "bulkSuccessfulResults": S.array(S.ref("Workflow")), "message": S.string,
        ], required: ["bulkErrorResults", "bulkSuccessfulResults"])),
        ("WorkflowStatus", S.object([
            "workflowId": S.string, "correlationId": S.string, "output": S.anyObject, "variables": S.anyObject,
            "status": workflowStatus,
        ], required: ["workflowId", "status"])),
        ("SignalResponse", S.object([
            "responseType": returnStrategy, "targetWorkflowId": S.string,
            "targetWorkflowStatus": workflowStatus, "requestId": S.string, "workflowId": S.string,
            "correlationId": S.string, "input": S.anyObject, "output": S.anyObject, "status": S.string,
            "tasks": S.array(S.ref("Task")), "variables": S.anyObject, "priority": S.int32, "createTime": S.int64,
            "updateTime": S.int64, "createdBy": S.string, "signalTimeout": S.boolean, "taskType": S.string,
            "taskId": S.string, "referenceTaskName": S.string, "retryCount": S.int32, "taskDefName": S.string,
            "retriedTaskId": S.string, "workflowType": S.string, "reasonForIncompletion": S.string,
        ], required: ["responseType", "workflowId"],
           description: "Conductor's WorkflowRun (TARGET_WORKFLOW, BLOCKING_WORKFLOW) or TaskRun (BLOCKING_TASK, BLOCKING_TASK_INPUT).")),
        ("TaskList", S.object(["totalHits": S.int64, "results": S.array(S.ref("Task"))], required: ["totalHits", "results"])),
        ("HealthResponse", S.object([
            "healthResults": S.array(S.any), "suppressedHealthResults": S.array(S.any), "healthy": S.boolean,
        ], required: ["healthy"])),
        ("ExternalStorageLocation", S.object(["path": S.string, "uri": S.string])),
        ("EnvironmentVariable", S.object(["name": S.string, "value": S.string], required: ["name", "value"])),
    ]

    // MARK: Baton's test controls

    static let baton: [(String, JSONValue)] = [
        ("Clock", S.object([
            "mode": S.enumeration(["wall", "manual"]), "now": S.int64, "nowIso": S.string,
            "from": S.int64, "advancedMillis": S.int64, "timersFired": S.int64, "stops": S.int64,
        ], required: ["mode", "now", "nowIso"], description: "The server's clock; an advance adds what it moved and fired.")),
        ("ClockAdvance", S.object([
            "millis": S.int64, "seconds": S.number, "duration": S.string,
        ], description: "Exactly one of millis, seconds (fractional allowed) or duration (30s, 10m, 1h 30m, 2 days).")),
        ("ResetResult", S.object(["removed": S.enumeration(["executions", "executions and definitions"]), "tookMillis": S.number],
                                 required: ["removed"])),
        ("SnapshotResult", S.object(["path": S.string, "bytes": S.int64], required: ["path", "bytes"])),
    ]
}
