"""JSON Schemas of Conductor's Workflow, Task, TaskDef, WorkflowDef and WorkflowTask, written from the
field names and types of Conductor's models (`schemas/*.json` in conductor-oss/conductor lists them).

Conductor's JSON leaves null fields out (Jackson NON_NULL), so a field that can be null is optional and
one that cannot (numbers, booleans, collections the model initialises) is required. Beyond the model
files, the fields OSS's getters add on the wire (`Workflow.startTime`, `workflowName`,
`workflowVersion`; `Task.queueWaitTime`, `loopOverTask`, `taskDefinition`, `firstScheduledTime`) and
today's TaskDef fields the files predate (`runtimeMetadata`, `maxRetryDelaySeconds`,
`backoffJitterMs`, `taskStatusListenerEnabled`) are allowed; nothing else is.
"""

I, S, B, O, A = "integer", "string", "boolean", "object", "array"
STRINGS = {"type": A, "items": {"type": S}}


def shape(required, optional, extra_allowed=()):
    """An object schema: `required` and `optional` map names to a type name or a schema."""
    def schema(t):
        return t if isinstance(t, dict) else {"type": t}
    props = {k: schema(t) for k, t in {**required, **optional}.items()}
    for k in extra_allowed:
        props.setdefault(k, {})
    return {"type": O, "properties": props, "required": sorted(required), "additionalProperties": False}


TASK_STATUSES = ["IN_PROGRESS", "CANCELED", "FAILED", "FAILED_WITH_TERMINAL_ERROR", "COMPLETED",
                 "COMPLETED_WITH_ERRORS", "SCHEDULED", "TIMED_OUT", "SKIPPED"]
WORKFLOW_STATUSES = ["RUNNING", "COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED", "PAUSED"]

SCHEMA_DEF = shape({"name": S, "type": {"enum": ["JSON", "AVRO", "PROTOBUF"]}},
                   {"version": I, "data": O, "externalRef": S, "ownerApp": S, "createTime": I, "updateTime": I,
                    "createdBy": S, "updatedBy": S})

TASK_DEF = shape(
    {"name": S, "retryCount": I, "timeoutSeconds": I, "inputKeys": STRINGS, "outputKeys": STRINGS,
     "timeoutPolicy": {"enum": ["RETRY", "TIME_OUT_WF", "ALERT_ONLY"]},
     "retryLogic": {"enum": ["FIXED", "EXPONENTIAL_BACKOFF", "LINEAR_BACKOFF"]},
     "retryDelaySeconds": I, "responseTimeoutSeconds": I, "inputTemplate": O, "rateLimitPerFrequency": I,
     "rateLimitFrequencyInSeconds": I, "backoffScaleFactor": I, "totalTimeoutSeconds": I, "enforceSchema": B,
     "createTime": I, "updateTime": I},
    {"description": S, "concurrentExecLimit": I, "isolationGroupId": S, "executionNameSpace": S, "ownerEmail": S,
     "pollTimeoutSeconds": I, "baseType": S, "inputSchema": SCHEMA_DEF, "outputSchema": SCHEMA_DEF, "ownerApp": S,
     "createdBy": S, "updatedBy": S,
     "runtimeMetadata": A, "maxRetryDelaySeconds": I, "backoffJitterMs": I, "taskStatusListenerEnabled": B})


def workflow_task(depth=3):
    """WorkflowTask; nested task lists (forks, cases, loops) hold WorkflowTasks again."""
    inner = workflow_task(depth - 1) if depth > 0 else {"type": O}
    tasks = {"type": A, "items": inner}
    return shape(
        {"name": S, "taskReferenceName": S, "inputParameters": O, "type": S, "decisionCases": {"type": O, "additionalProperties": tasks},
         "defaultCase": tasks, "forkTasks": {"type": A, "items": tasks}, "startDelay": I, "joinOn": STRINGS, "optional": B,
         "defaultExclusiveJoinTask": STRINGS, "asyncComplete": B, "loopOver": tasks, "onStateChange": O, "permissive": B},
        {"description": S, "dynamicTaskNameParam": S, "caseValueParam": S, "caseExpression": S, "scriptExpression": S,
         "dynamicForkJoinTasksParam": S, "dynamicForkTasksParam": S, "dynamicForkTasksInputParamName": S,
         "subWorkflowParam": shape({}, {"name": S, "version": I, "taskToDomain": O, "workflowDefinition": O,
                                        "idempotencyKey": S, "idempotencyStrategy": S, "priority": {}}),
         "sink": S, "taskDefinition": TASK_DEF, "rateLimited": B, "loopCondition": S, "retryCount": I,
         "evaluatorType": S, "expression": S, "joinStatus": S, "cacheConfig": shape({}, {"key": S, "ttlInSecond": I}),
         "metadata": O})


WORKFLOW_TASK = workflow_task()

WORKFLOW_DEF = shape(
    {"name": S, "version": I, "tasks": {"type": A, "items": WORKFLOW_TASK}, "inputParameters": STRINGS, "outputParameters": O,
     "schemaVersion": I, "restartable": B, "workflowStatusListenerEnabled": B,
     "timeoutPolicy": {"enum": ["TIME_OUT_WF", "ALERT_ONLY"]}, "timeoutSeconds": I, "variables": O, "inputTemplate": O,
     "enforceSchema": B, "createTime": I, "updateTime": I},
    {"description": S, "failureWorkflow": S, "ownerEmail": S, "workflowStatusListenerSink": S,
     "rateLimitConfig": shape({}, {"rateLimitKey": S, "concurrentExecLimit": I}), "inputSchema": SCHEMA_DEF,
     "outputSchema": SCHEMA_DEF, "metadata": O, "cacheConfig": shape({}, {"key": S, "ttlInSecond": I}),
     "maskedFields": STRINGS, "ownerApp": S, "createdBy": S, "updatedBy": S})

TASK = shape(
    {"taskType": S, "status": {"enum": TASK_STATUSES}, "inputData": O, "referenceTaskName": S, "retryCount": I, "seq": I,
     "pollCount": I, "taskDefName": S, "scheduledTime": I, "startTime": I, "endTime": I, "updateTime": I,
     "startDelayInSeconds": I, "retried": B, "executed": B, "callbackFromWorker": B, "responseTimeoutSeconds": I,
     "workflowInstanceId": S, "workflowType": S, "taskId": S, "callbackAfterSeconds": I, "outputData": O,
     "workflowTask": WORKFLOW_TASK, "rateLimitPerFrequency": I, "rateLimitFrequencyInSeconds": I, "workflowPriority": I,
     "iteration": I, "subworkflowChanged": B, "firstStartTime": I,
     "queueWaitTime": I, "loopOverTask": B},
    {"correlationId": S, "retriedTaskId": S, "reasonForIncompletion": S, "workerId": S, "domain": S,
     "inputMessage": {}, "outputMessage": {}, "externalInputPayloadStoragePath": S, "externalOutputPayloadStoragePath": S,
     "executionNameSpace": S, "isolationGroupId": S, "subWorkflowId": S, "parentTaskId": S,
     "executionMetadata": shape({}, {"serverSendTime": I, "clientReceiveTime": I, "executionStartTime": I,
                                     "executionEndTime": I, "clientSendTime": I, "pollNetworkLatency": I,
                                     "updateNetworkLatency": I, "additionalContext": O}),
     "taskDefinition": TASK_DEF, "firstScheduledTime": I})

WORKFLOW = shape(
    {"status": {"enum": WORKFLOW_STATUSES}, "endTime": I, "workflowId": S, "input": O, "output": O, "taskToDomain": O,
     "failedReferenceTaskNames": STRINGS, "failedTaskNames": STRINGS, "workflowDefinition": WORKFLOW_DEF, "priority": I,
     "variables": O, "lastRetriedTime": I, "history": A, "rateLimited": B, "createTime": I, "updateTime": I,
     "startTime": I, "workflowName": S, "workflowVersion": I},
    {"parentWorkflowId": S, "parentWorkflowTaskId": S, "tasks": {"type": A, "items": TASK}, "correlationId": S,
     "reRunFromWorkflowId": S, "reasonForIncompletion": S, "event": S, "externalInputPayloadStoragePath": S,
     "externalOutputPayloadStoragePath": S, "idempotencyKey": S, "rateLimitKey": S, "ownerApp": S,
     "createdBy": S, "updatedBy": S})
