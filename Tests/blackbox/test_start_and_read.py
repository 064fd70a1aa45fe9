"""Starting workflows (embedded and registered definitions) and reading executions back."""
import pytest
import requests

from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.rest import ApiException
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.simple_task import SimpleTask

from execution_support import (complete, get_wf, poll_until, register_taskdefs, register_workflow, simple,
                               start, taskdef, wf_def)


def test_embedded_definition_first_task_scheduled_with_resolved_inputs(clients, unique):
    tname, wname = unique("emb_task"), unique("emb_wf")
    register_taskdefs(clients.api, taskdef(tname))
    task = SimpleTask(task_def_name=tname, task_reference_name="calc")
    task.input_parameters.update({
        "a": "${workflow.input.a}",
        "b": "${workflow.input.b}",
        "text": "${workflow.input.a} over ${workflow.input.b}",
        "literal": 42,
    })
    workflow = ConductorWorkflow(executor=clients.executor, name=wname, version=1)
    workflow.add(task)
    request = StartWorkflowRequest(name=wname, version=1, input={"a": 15, "b": 3},
                                   workflow_def=workflow.to_workflow_def())

    wid = clients.workflows.start_workflow(request)
    assert isinstance(wid, str) and len(wid) == 36, wid

    # The first task is already SCHEDULED when the id comes back (first decide runs before the reply).
    wf = clients.workflows.get_workflow(wid, include_tasks=True)
    assert wf.status == "RUNNING"
    assert wf.workflow_name == wname and wf.workflow_version == 1
    assert wf.input == {"a": 15, "b": 3}
    assert len(wf.tasks) == 1
    first = wf.tasks[0]
    assert first.status == "SCHEDULED"
    assert first.reference_task_name == "calc"
    assert first.task_def_name == tname and first.task_type == tname
    assert first.input_data == {"a": 15, "b": 3, "text": "15 over 3", "literal": 42}

    # An embedded definition is used as is, never stored in metadata.
    r = requests.get(f"{clients.api}/metadata/workflow/{wname}", timeout=10)
    assert r.status_code == 404, f"embedded definition must not be registered: {r.status_code} {r.text[:300]}"


def test_start_by_name_keeps_input_types(clients, unique):
    tname, wname = unique("types_task"), unique("types_wf")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t1", {
        "a": "${workflow.input.a}", "b": "${workflow.input.b}", "c": "${workflow.input.c}",
        "c1": "${workflow.input.c[1]}", "missing": "${workflow.input.nope}"})]))

    wid = clients.workflows.start_workflow_by_name(wname, {"a": 5, "b": "+", "c": [7, 8]})

    wf = get_wf(clients.api, wid)
    assert wf["input"] == {"a": 5, "b": "+", "c": [7, 8]}
    assert type(wf["input"]["a"]) is int
    data = wf["tasks"][0]["inputData"]
    assert data == {"a": 5, "b": "+", "c": [7, 8], "c1": 8, "missing": None}, data
    assert type(data["a"]) is int and type(data["c1"]) is int, f"numbers must stay integers: {data}"
    assert "missing" in data, "a missing expression value resolves to null, the key is kept"


def test_version_latest_and_explicit(clients, unique):
    tname, wname = unique("ver_task"), unique("ver_wf")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t", {"v": 1})], version=1))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t", {"v": 2})], version=2))

    latest = get_wf(clients.api, clients.workflows.start_workflow_by_name(wname, {}))
    assert latest["workflowVersion"] == 2 and latest["tasks"][0]["inputData"] == {"v": 2}

    v1 = get_wf(clients.api, clients.workflows.start_workflow_by_name(wname, {}, version=1))
    assert v1["workflowVersion"] == 1 and v1["tasks"][0]["inputData"] == {"v": 1}

    via_request = get_wf(clients.api, clients.workflows.start_workflow(
        StartWorkflowRequest(name=wname, version=1, input={})))
    assert via_request["workflowVersion"] == 1

    via_request_latest = get_wf(clients.api, clients.workflows.start_workflow(StartWorkflowRequest(name=wname, input={})))
    assert via_request_latest["workflowVersion"] == 2

    with pytest.raises(ApiException) as err:
        clients.workflows.start_workflow_by_name(wname, {}, version=3)
    assert err.value.status == 404
    with pytest.raises(ApiException) as err:
        clients.workflows.start_workflow(StartWorkflowRequest(name=wname, version=3, input={}))
    assert err.value.status == 404


def test_correlation_id_and_priority(clients, unique):
    tname, wname = unique("corr_task"), unique("corr_wf")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t")]))

    wid = clients.workflows.start_workflow_by_name(wname, {"x": 1}, correlationId="order-7", priority=7)
    wf = get_wf(clients.api, wid)
    assert wf["correlationId"] == "order-7"
    assert wf["priority"] == 7
    t = wf["tasks"][0]
    assert t["correlationId"] == "order-7"
    assert t["workflowPriority"] == 7

    wid2 = clients.workflows.start_workflow(StartWorkflowRequest(name=wname, input={}, correlation_id="c-2",
                                                                 priority=99))
    wf2 = get_wf(clients.api, wid2)
    assert (wf2["correlationId"], wf2["priority"]) == ("c-2", 99)

    # Higher priority is handed out first.
    polled = poll_until(clients.api, tname)
    assert polled["workflowInstanceId"] == wid2, "priority 99 task must come before priority 7"
    complete(clients.api, polled)


def test_unknown_workflow_name_is_404(clients, unique):
    name = unique("no_such_wf")
    with pytest.raises(ApiException) as err:
        clients.workflows.start_workflow_by_name(name, {"a": 1})
    assert err.value.status == 404
    assert name in (err.value.message or ""), err.value.body

    with pytest.raises(ApiException) as err:
        clients.workflows.start_workflow(StartWorkflowRequest(name=name, input={}))
    assert err.value.status == 404
    assert name in (err.value.message or ""), err.value.body


def test_null_input_is_400(clients, unique):
    tname, wname = unique("null_task"), unique("null_wf")
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t")]))
    r = requests.post(f"{clients.api}/workflow", json={"name": wname, "input": None}, timeout=10)
    assert r.status_code == 400, f"input null must be rejected: {r.status_code} {r.text}"
    assert r.json()["status"] == 400


def test_priority_out_of_range_is_400(clients, unique):
    tname, wname = unique("prio_task"), unique("prio_wf")
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t")]))

    with pytest.raises(ApiException) as err:
        clients.workflows.start_workflow_by_name(wname, {}, priority=100)
    assert err.value.status == 400, err.value.body

    with pytest.raises(ApiException) as err:
        clients.workflows.start_workflow(StartWorkflowRequest(name=wname, input={}, priority=100))
    assert err.value.status == 400, err.value.body

    r = requests.post(f"{clients.api}/workflow", json={"name": wname, "input": {}, "priority": -1}, timeout=10)
    assert r.status_code == 400, r.text

    # Boundaries are accepted.
    assert get_wf(clients.api, start(clients.api, wname, priority=99))["priority"] == 99
    assert get_wf(clients.api, start(clients.api, wname, priority=0))["priority"] == 0


def test_get_workflow_with_and_without_tasks_and_status(clients, unique):
    tname, wname = unique("read_task"), unique("read_wf")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t1"), simple(tname, "t2")]))
    wid = clients.workflows.start_workflow_by_name(wname, {"k": "v"}, correlationId="read-corr")

    with_tasks = get_wf(clients.api, wid, include_tasks=True)
    assert [t["referenceTaskName"] for t in with_tasks["tasks"]] == ["t1"]
    without = get_wf(clients.api, wid, include_tasks=False)
    assert without["tasks"] == [], "includeTasks=false must return an empty task list"
    assert without["workflowId"] == wid and without["status"] == "RUNNING"

    # Python cannot ask for "no tasks" (it omits the parameter): server default is true.
    sdk_wf = clients.workflows.get_workflow(wid, include_tasks=False)
    assert len(sdk_wf.tasks) == 1

    status = clients.workflows.get_workflow_status(wid)
    assert status.workflow_id == wid and status.status == "RUNNING"
    assert status.correlation_id == "read-corr"

    raw = requests.get(f"{clients.api}/workflow/{wid}/status", timeout=10).json()
    assert raw["status"] == "RUNNING" and raw["workflowId"] == wid
    assert "output" not in raw and "variables" not in raw, raw
    raw = requests.get(f"{clients.api}/workflow/{wid}/status",
                       params={"includeOutput": "true", "includeVariables": "true"}, timeout=10).json()
    assert raw["output"] == {} and raw["variables"] == {}, raw

    # Finish the first task; the list grows in seq order.
    complete(clients.api, poll_until(clients.api, tname), output={"o": 1})
    wf = get_wf(clients.api, wid)
    assert [(t["referenceTaskName"], t["seq"], t["status"]) for t in wf["tasks"]] == [
        ("t1", 1, "COMPLETED"), ("t2", 2, "SCHEDULED")]

    listed = requests.get(f"{clients.api}/workflow/{wid}/tasks", timeout=10)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["totalHits"] == 2 and [t["referenceTaskName"] for t in body["results"]] == ["t1", "t2"], body

    for path in (f"/workflow/{'0' * 8}-0000-4000-8000-{'0' * 12}", f"/workflow/{'0' * 8}-0000-4000-8000-{'0' * 12}/status"):
        r = requests.get(clients.api + path, timeout=10)
        assert r.status_code == 404, f"GET {path}: {r.status_code} {r.text}"
    with pytest.raises(ApiException) as err:
        clients.workflows.get_workflow("00000000-0000-4000-8000-000000000000")
    assert err.value.status == 404


WORKFLOW_FIELDS = {
    "workflowId": str, "status": str, "workflowName": str, "workflowVersion": int, "workflowDefinition": dict,
    "input": dict, "output": dict, "variables": dict, "tasks": list, "correlationId": str, "priority": int,
    "taskToDomain": dict, "failedReferenceTaskNames": list, "failedTaskNames": list, "createTime": int,
    "startTime": int, "updateTime": int, "endTime": int, "lastRetriedTime": int, "history": list,
    "rateLimited": bool,
}

TASK_FIELDS = {
    "taskId": str, "taskType": str, "taskDefName": str, "referenceTaskName": str, "status": str,
    "inputData": dict, "outputData": dict, "workflowInstanceId": str, "workflowType": str, "correlationId": str,
    "workflowPriority": int, "seq": int, "retryCount": int, "retried": bool, "executed": bool, "pollCount": int,
    "scheduledTime": int, "startTime": int, "endTime": int, "updateTime": int, "callbackAfterSeconds": int,
    "startDelayInSeconds": int, "responseTimeoutSeconds": int, "rateLimitPerFrequency": int,
    "rateLimitFrequencyInSeconds": int, "iteration": int, "subworkflowChanged": bool, "workflowTask": dict,
    "queueWaitTime": int, "loopOverTask": bool, "callbackFromWorker": bool, "firstStartTime": int,
}


def check_fields(obj, spec, what):
    problems = []
    for field, typ in spec.items():
        if field not in obj:
            problems.append(f"{field} missing")
        elif type(obj[field]) is not typ:
            problems.append(f"{field}={obj[field]!r} is {type(obj[field]).__name__}, want {typ.__name__}")
    assert not problems, f"{what}: {problems}"


def test_every_model_field_present_with_right_type(clients, unique):
    tname, wname = unique("fields_task"), unique("fields_wf")
    register_taskdefs(clients.api, taskdef(tname, responseTimeoutSeconds=77))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t1", {"x": "${workflow.input.x}"}),
                                                  simple(tname, "t2")]))
    wid = clients.workflows.start_workflow_by_name(wname, {"x": 1}, correlationId="fields-corr", priority=3)

    wf = get_wf(clients.api, wid)
    check_fields(wf, WORKFLOW_FIELDS, "fresh workflow")
    assert wf["createTime"] == wf["startTime"] > 1_600_000_000_000
    assert wf["endTime"] == 0 and wf["output"] == {}
    assert "reasonForIncompletion" not in wf, "null properties are omitted"
    t = wf["tasks"][0]
    check_fields(t, TASK_FIELDS, "scheduled task")
    assert "taskDefinition" in t, "taskDefinition is present (object or null)"
    assert t["seq"] == 1 and t["retryCount"] == 0 and t["pollCount"] == 0 and t["startTime"] == 0
    assert t["scheduledTime"] >= wf["createTime"]
    assert t["responseTimeoutSeconds"] == 77
    assert t["workflowTask"]["taskReferenceName"] == "t1"
    assert "workerId" not in t, "no worker yet: workerId omitted"

    polled = poll_until(clients.api, tname, worker="fields-worker")
    check_fields(polled, TASK_FIELDS, "polled task")
    assert polled["status"] == "IN_PROGRESS" and polled["workerId"] == "fields-worker"
    assert polled["pollCount"] == 1 and polled["startTime"] >= polled["scheduledTime"]
    assert polled["queueWaitTime"] == polled["startTime"] - polled["scheduledTime"]

    complete(clients.api, polled, output={"y": [1, 2]}, worker="fields-worker")
    second = poll_until(clients.api, tname, worker="fields-worker")
    complete(clients.api, second, output={"done": True}, worker="fields-worker")

    wf = get_wf(clients.api, wid)
    check_fields(wf, WORKFLOW_FIELDS, "completed workflow")
    assert wf["status"] == "COMPLETED"
    assert wf["endTime"] >= wf["createTime"] and wf["updateTime"] >= wf["createTime"]
    assert wf["output"] == {"done": True}, "no outputParameters: output is the last task's output"
    done = wf["tasks"][0]
    check_fields(done, TASK_FIELDS, "completed task")
    assert done["workerId"] == "fields-worker"
    assert done["endTime"] >= done["startTime"] > 0
    assert done["outputData"] == {"y": [1, 2]}
    assert [x["seq"] for x in wf["tasks"]] == [1, 2]

    # GET /tasks/{id} returns the same execution.
    single = requests.get(f"{clients.api}/tasks/{done['taskId']}", timeout=10).json()
    check_fields(single, TASK_FIELDS, "GET /tasks/{id}")
    assert single["status"] == "COMPLETED" and single["outputData"] == {"y": [1, 2]}
