"""Definitions and behaviours where Baton follows Conductor OSS exactly (issue: OSS parity)."""
import json

import pytest
from conductor.client.http.models.workflow_def import WorkflowDef
from conductor.client.http.rest import ApiException
from conductor.client.http.models.workflow_task import WorkflowTask

from execution_support import (get_wf, poll_until, register_taskdefs, register_workflow, start, taskdef,
                               wait_status, wait_until, wf_def)


def test_null_input_values_and_embedded_task_definitions_are_accepted_as_oss_does(clients, unique):
    name = unique("parity_nulls")
    task = WorkflowTask(name=unique("parity_w"), task_reference_name="a", type="SIMPLE",
                        input_parameters={"someNullKey": None, "nested": {"n": None}, "kept": "${workflow.input.x}"})
    # OSS's WorkflowTask declares taskDefinition without @Valid: an embedded one is not validated.
    task.task_definition = {"name": "", "responseTimeoutSeconds": 0}
    clients.metadata.register_workflow_def(WorkflowDef(name=name, version=1, tasks=[task], timeout_seconds=0),
                                           overwrite=True)
    stored = clients.metadata.get_workflow_def(name, version=1)
    assert stored.tasks[0].input_parameters == {"someNullKey": None, "nested": {"n": None}, "kept": "${workflow.input.x}"}


def test_a_wait_until_that_is_no_date_is_refused_at_registration(clients, unique):
    # OSS's isWaitTaskValid parses a literal `until` (leniently): text no date pattern can read is a 400.
    name = unique("parity_until")
    wait = WorkflowTask(name="w", task_reference_name="w", type="WAIT", input_parameters={"until": "next tuesday"})
    with pytest.raises(ApiException) as err:
        clients.metadata.register_workflow_def(WorkflowDef(name=name, version=1, tasks=[wait], timeout_seconds=0),
                                               overwrite=True)
    assert err.value.status == 400
    body = err.value.body if isinstance(err.value.body, str) else err.value.body.decode()
    assert [e["message"] for e in json.loads(body)["validationErrors"]] == ["Unable to parse date "]
    with pytest.raises(ApiException) as missing:
        clients.metadata.get_workflow_def(name, version=1)
    assert missing.value.status == 404   # nothing stored
    # A date, even one a lenient parser rolls over, and an expression are accepted as OSS accepts them.
    for until in ("2030-01-01 10:00 PST", "2030-13-45", "${workflow.input.at}"):
        wait.input_parameters = {"until": until}
        clients.metadata.register_workflow_def(WorkflowDef(name=name, version=1, tasks=[wait], timeout_seconds=0),
                                               overwrite=True)


def dyn_fork(ref, worker):
    return [{"name": ref, "taskReferenceName": ref, "type": "FORK_JOIN_DYNAMIC",
             "dynamicForkTasksParam": "tasks", "dynamicForkTasksInputParamName": "inputs",
             "inputParameters": {"tasks": "${workflow.input.tasks}", "inputs": "${workflow.input.inputs}"}},
            {"name": "join", "taskReferenceName": "join", "type": "JOIN"}]


def test_dynamic_fork_input_that_is_not_an_object_fails_the_workflow(clients, unique):
    worker = unique("parity_dyn")
    register_taskdefs(clients.api, taskdef(worker))
    d = wf_def(unique("parity_dyn_wf"), dyn_fork("dfork", worker))
    register_workflow(clients.api, d)
    tasks = [{"name": worker, "taskReferenceName": "b1", "type": "SIMPLE"},
             {"name": worker, "taskReferenceName": "b2", "type": "SIMPLE"}]
    wid = start(clients.api, d["name"], {"tasks": tasks, "inputs": {"b1": {"k": 1}, "b2": "not a map"}})
    wf = wait_status(clients.api, wid, "FAILED")
    assert wf["reasonForIncompletion"].startswith(
        "Tasks could not be dynamically forked due to invalid input: class java.lang.String cannot be cast to class java.util.Map"), wf
    assert not [t for t in wf["tasks"] if t["referenceTaskName"] in ("b1", "b2")]
    # A missing or null entry is an empty input, as before.
    wid = start(clients.api, d["name"], {"tasks": tasks, "inputs": {"b1": None}})
    wf = wait_until(lambda: (lambda w: w if len(w["tasks"]) >= 4 else None)(get_wf(clients.api, wid)), 10, what="the fork")
    assert wf["status"] == "RUNNING"
    assert {t["referenceTaskName"]: t["inputData"] for t in wf["tasks"] if t["referenceTaskName"] in ("b1", "b2")} == \
        {"b1": {}, "b2": {}}


def test_a_terminate_that_completes_the_workflow_terminates_open_children(clients, unique):
    worker, child, parent = unique("parity_cw"), unique("parity_child"), unique("parity_parent")
    register_taskdefs(clients.api, taskdef(worker))
    register_workflow(clients.api, wf_def(child, [{"name": worker, "taskReferenceName": "cw", "type": "SIMPLE"}]))
    register_workflow(clients.api, wf_def(parent, [
        {"name": "fork", "taskReferenceName": "fork", "type": "FORK_JOIN", "forkTasks": [
            [{"name": "sub", "taskReferenceName": "sub", "type": "SUB_WORKFLOW", "subWorkflowParam": {"name": child, "version": 1}}],
            [{"name": "wait", "taskReferenceName": "gate", "type": "WAIT"},
             {"name": "stop", "taskReferenceName": "stop", "type": "TERMINATE",
              "inputParameters": {"terminationStatus": "COMPLETED", "terminationReason": "done early"}}]]},
        {"name": "join", "taskReferenceName": "join", "type": "JOIN", "joinOn": ["sub", "stop"]}]))
    pid = start(clients.api, parent)
    cid = wait_until(lambda: next((t.get("subWorkflowId") for t in get_wf(clients.api, pid)["tasks"]
                                   if t["referenceTaskName"] == "sub"), None), 10, what="the child")
    poll_until(clients.api, worker)   # the child's task is in a worker's hands
    clients.tasks.update_task_by_ref_name(pid, "gate", "COMPLETED", {})
    wf = wait_status(clients.api, pid, "COMPLETED")
    assert next(t for t in wf["tasks"] if t["referenceTaskName"] == "sub")["status"] == "CANCELED"
    child_wf = wait_status(clients.api, cid, "TERMINATED")
    assert child_wf["reasonForIncompletion"] == "Parent workflow has been terminated with reason: done early"


def test_jq_written_for_jackson_jq_runs_as_on_oss(clients, unique):
    # OSS runs jackson-jq, which takes `a // b` and `a + b` as object values without parentheses; libjq does not.
    # The first transform builds the second one's program, as OSS's own harness chains them.
    defaults = ('{ method: .input.method // "GET", target: .input.target // "/items",'
                ' program: .input.program // ".", size: (.input.items | length) + 0 }')
    d = wf_def(unique("parity_jq"), [
        {"name": "defaults", "taskReferenceName": "defaults", "type": "JSON_JQ_TRANSFORM",
         "inputParameters": {"input": "${workflow.input}", "queryExpression": defaults}},
        {"name": "shape", "taskReferenceName": "shape", "type": "JSON_JQ_TRANSFORM",
         "inputParameters": {"body": "${workflow.input.body}",
                             "queryExpression": "${defaults.output.result.program}"}}])
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"method": "POST", "items": [1, 2],
                                         "body": {"first": "Ada", "last": "Lovelace"},
                                         "program": '{ greeting: "Hello " + .body.first + " " + .body.last }'})
    wf = wait_status(clients.api, wid, "COMPLETED")
    first, second = wf["tasks"]
    assert first["outputData"]["result"] == {"method": "POST", "target": "/items",
                                             "program": '{ greeting: "Hello " + .body.first + " " + .body.last }',
                                             "size": 2}
    assert second["outputData"]["result"] == {"greeting": "Hello Ada Lovelace"}
    assert second["outputData"]["resultList"] == [{"greeting": "Hello Ada Lovelace"}]


def test_jq_reads_as_jackson_jq_where_both_dialects_accept_the_text(clients, unique):
    # `//` binds more tightly than `=` in jackson-jq; 64-bit ids stay exact; jackson-jq's sort(f) exists.
    program = ('.order.channel = .order.channel // "web" | .order.lines |= sort(.sku) '
               '| {order, key: (.order.id | tostring)}')
    d = wf_def(unique("parity_jq_dialect"), [
        {"name": "fill", "taskReferenceName": "fill", "type": "JSON_JQ_TRANSFORM",
         "inputParameters": {"order": "${workflow.input.order}", "queryExpression": program}}])
    register_workflow(clients.api, d)
    order = {"id": 1234567890123456789, "channel": None, "lines": [{"sku": "b"}, {"sku": "a"}]}
    wf = wait_status(clients.api, start(clients.api, d["name"], {"order": order}), "COMPLETED")
    assert wf["tasks"][0]["outputData"]["result"] == {
        "order": {"id": 1234567890123456789, "channel": "web", "lines": [{"sku": "a"}, {"sku": "b"}]},
        "key": "1234567890123456789"}
