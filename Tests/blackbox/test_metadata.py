"""Metadata API driven through conductor-python 2.0.0, plus plain HTTP where the SDK hides the wire."""
import json
import time

import pytest
import requests
from conductor.client.http.models import TaskDef, WorkflowDef, WorkflowTask
from conductor.client.http.rest import ApiException
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.simple_task import SimpleTask

T = 10  # seconds; every plain HTTP call is bounded


def simple(name, ref=None):
    return WorkflowTask(name=name, task_reference_name=ref or name, type="SIMPLE")


def workflow(name, *tasks, version=1, **kw):
    return WorkflowDef(name=name, version=version, tasks=list(tasks), **kw)


def api_error(call):
    """Run a client call that must fail; return its ApiException."""
    with pytest.raises(ApiException) as info:
        call()
    return info.value


def validation_errors(exc):
    body = exc.body if isinstance(exc.body, str) else exc.body.decode()
    return json.loads(body)["validationErrors"]


# ---- task definitions -------------------------------------------------------------------------

def test_task_def_register_fills_defaults(clients, unique):
    name = unique("td")
    before = int(time.time() * 1000)
    clients.metadata.register_task_def(TaskDef(name=name))
    got = clients.metadata.get_task_def(name)
    assert got.name == name
    # Defaults a minimal TaskDef gets on the server (notes §4).
    assert (got.retry_count, got.timeout_seconds, got.response_timeout_seconds) == (3, 0, 3600)
    assert (got.timeout_policy, got.retry_logic, got.retry_delay_seconds) == ("TIME_OUT_WF", "FIXED", 60)
    assert (got.rate_limit_per_frequency, got.rate_limit_frequency_in_seconds) == (0, 1)
    assert got.backoff_scale_factor == 1 and got.total_timeout_seconds == 0
    assert got.input_keys == [] and got.output_keys == [] and got.input_template == {}
    assert before - 5000 <= got.create_time <= int(time.time() * 1000) + 5000
    assert got.update_time == 0


def test_task_def_update_and_list(clients, unique):
    name = unique("td")
    clients.metadata.register_task_def(TaskDef(name=name, retry_count=1))
    created = clients.metadata.get_task_def(name).create_time
    clients.metadata.update_task_def(TaskDef(name=name, retry_count=7, description="changed"))
    got = clients.metadata.get_task_def(name)
    assert (got.retry_count, got.description) == (7, "changed")
    assert got.create_time == created          # PUT keeps the original createTime
    assert got.update_time > 0
    assert name in [t.name for t in clients.metadata.get_all_task_defs()]


def test_task_def_register_again_overwrites(clients, unique):
    name = unique("td")
    clients.metadata.register_task_def(TaskDef(name=name, retry_count=1))
    clients.metadata.register_task_def(TaskDef(name=name, retry_count=2))   # POST is an upsert, no 409
    assert clients.metadata.get_task_def(name).retry_count == 2


def test_task_def_unregister(clients, unique):
    name = unique("td")
    clients.metadata.register_task_def(TaskDef(name=name))
    clients.metadata.unregister_task_def(name)
    assert api_error(lambda: clients.metadata.get_task_def(name)).status == 404
    assert name not in [t.name for t in clients.metadata.get_all_task_defs()]


def test_task_def_missing_is_404(clients, unique):
    name = unique("absent")
    exc = api_error(lambda: clients.metadata.get_task_def(name))
    assert exc.status == 404 and exc.message == f"No such taskType found by name: {name}"
    assert api_error(lambda: clients.metadata.update_task_def(TaskDef(name=name))).status == 404
    assert api_error(lambda: clients.metadata.unregister_task_def(name)).status == 404


def test_task_def_response_timeout_above_timeout_is_400(clients, unique):
    name = unique("td")
    exc = api_error(lambda: clients.metadata.register_task_def(
        TaskDef(name=name, timeout_seconds=10, response_timeout_seconds=20)))
    assert exc.status == 400
    assert validation_errors(exc) == [{
        "path": "registerTaskDef.arg0[0]",
        "message": f"TaskDef: {name} responseTimeoutSeconds: 20 must be less than timeoutSeconds: 10"}]
    assert api_error(lambda: clients.metadata.get_task_def(name)).status == 404   # nothing stored


def test_task_def_without_name_is_400(clients):
    exc = api_error(lambda: clients.metadata.register_task_def(TaskDef(description="no name")))
    assert exc.status == 400
    assert [e["path"] for e in validation_errors(exc)] == ["registerTaskDef.arg0[0].name"]


# ---- workflow definitions ---------------------------------------------------------------------

def test_workflow_register_fills_defaults(clients, unique):
    name, step = unique("wf"), unique("step")
    before = int(time.time() * 1000)
    clients.metadata.register_workflow_def(workflow(name, simple(step)), overwrite=False)
    got = clients.metadata.get_workflow_def(name)
    assert (got.name, got.version, got.schema_version) == (name, 1, 2)
    assert got.restartable is True and got.workflow_status_listener_enabled is False
    assert (got.timeout_policy, got.timeout_seconds) == ("ALERT_ONLY", 0)
    assert got.input_parameters == [] and got.variables == {} and got.input_template == {}
    assert got.enforce_schema is False            # the SDK sends enforceSchema:false explicitly
    assert before - 5000 <= got.create_time <= int(time.time() * 1000) + 5000
    task = got.tasks[0]
    assert (task.name, task.task_reference_name, task.type) == (step, step, "SIMPLE")
    assert task.input_parameters == {} and task.decision_cases == {} and task.optional is False


def test_workflow_register_existing_without_overwrite_is_409(clients, unique):
    name = unique("wf")
    clients.metadata.register_workflow_def(workflow(name, simple("a")), overwrite=False)
    exc = api_error(lambda: clients.metadata.register_workflow_def(workflow(name, simple("b")), overwrite=False))
    assert exc.status == 409 and exc.message == f"Workflow with {name}.1 already exists!"
    assert clients.metadata.get_workflow_def(name).tasks[0].name == "a"   # unchanged


def test_workflow_register_with_overwrite_replaces(clients, unique):
    name = unique("wf")
    clients.metadata.register_workflow_def(workflow(name, simple("a")), overwrite=False)
    clients.metadata.register_workflow_def(workflow(name, simple("b"), description="v1 again"), overwrite=True)
    got = clients.metadata.get_workflow_def(name, version=1)
    assert got.tasks[0].name == "b" and got.description == "v1 again"
    assert got.update_time > 0


def test_workflow_versions_latest_and_specific(clients, unique):
    name = unique("wf")
    for v in (1, 3, 2):
        clients.metadata.register_workflow_def(workflow(name, simple(f"s{v}"), version=v), overwrite=False)
    assert clients.metadata.get_workflow_def(name).version == 3          # latest without ?version
    assert clients.metadata.get_workflow_def(name, version=2).tasks[0].name == "s2"
    versions = sorted(w.version for w in clients.metadata.get_all_workflow_defs() if w.name == name)
    assert versions == [1, 2, 3]


def test_workflow_update_is_bulk_upsert(clients, unique):
    name = unique("wf")
    clients.metadata.update_workflow_def(workflow(name, simple("a")))            # creates
    clients.metadata.update_workflow_def(workflow(name, simple("b")))            # replaces, no 409
    assert clients.metadata.get_workflow_def(name).tasks[0].name == "b"
    # The wire answer is a BulkResponse naming the def.
    r = requests.put(f"{clients.api}/metadata/workflow",
                     json=[{"name": name, "version": 2, "tasks": [{"name": "c", "taskReferenceName": "c"}]}], timeout=T)
    assert r.status_code == 200
    assert r.json() == {"bulkErrorResults": {}, "bulkSuccessfulResults": [name]}


def test_workflow_unregister(clients, unique):
    name = unique("wf")
    clients.metadata.register_workflow_def(workflow(name, simple("a"), version=1), overwrite=False)
    clients.metadata.register_workflow_def(workflow(name, simple("a"), version=2), overwrite=False)
    clients.metadata.unregister_workflow_def(name, 2)
    assert clients.metadata.get_workflow_def(name).version == 1
    assert api_error(lambda: clients.metadata.get_workflow_def(name, version=2)).status == 404
    assert api_error(lambda: clients.metadata.unregister_workflow_def(name, 2)).status == 404


def test_workflow_missing_is_404_with_oss_message(clients, unique):
    name = unique("absent")
    exc = api_error(lambda: clients.metadata.get_workflow_def(name))
    assert exc.status == 404 and exc.message == f"No such workflow found by name: {name}, version: null"
    exc = api_error(lambda: clients.metadata.get_workflow_def(name, version=3))
    assert exc.status == 404 and exc.message == f"No such workflow found by name: {name}, version: 3"


def test_workflow_without_name_is_400(clients):
    exc = api_error(lambda: clients.metadata.register_workflow_def(WorkflowDef(tasks=[simple("a")])))
    assert exc.status == 400
    assert validation_errors(exc) == [{"path": "registerWorkflowDef.arg0.name",
                                       "message": "WorkflowDef name cannot be null or empty"}]


def test_workflow_duplicate_reference_name_is_400(clients, unique):
    name = unique("wf")
    exc = api_error(lambda: clients.metadata.register_workflow_def(
        workflow(name, simple("a", "same"), simple("b", "same"))))
    assert exc.status == 400
    assert validation_errors(exc) == [{
        "path": "registerWorkflowDef.arg0",
        "message": f"taskReferenceName: same should be unique across tasks for a given workflowDefinition: {name}"}]
    assert api_error(lambda: clients.metadata.get_workflow_def(name)).status == 404


def test_switch_without_decision_cases_is_400(clients, unique):
    name = unique("wf")
    switch = WorkflowTask(name="sw", task_reference_name="sw", type="SWITCH",
                          evaluator_type="value-param", expression="x", input_parameters={"x": "${workflow.input.x}"})
    exc = api_error(lambda: clients.metadata.register_workflow_def(workflow(name, switch)))
    assert exc.status == 400
    assert validation_errors(exc) == [{
        "path": "registerWorkflowDef.arg0.tasks[0]",
        "message": "decisionCases should have atleast one task for taskType: SWITCH taskName: sw"}]


def test_validate_endpoint_stores_nothing(server, unique):
    name = unique("wf")
    ok = {"name": name, "tasks": [{"name": "a", "taskReferenceName": "a"}]}
    assert requests.post(f"{server}/api/metadata/workflow/validate", json=ok, timeout=T).status_code == 200
    bad = requests.post(f"{server}/api/metadata/workflow/validate", json={"name": name, "tasks": []}, timeout=T)
    assert bad.status_code == 400
    assert bad.json()["validationErrors"][0]["path"] == "validateWorkflowDef.arg0.tasks"
    assert requests.get(f"{server}/api/metadata/workflow/{name}", timeout=T).status_code == 404


def test_conductor_workflow_to_workflow_def(clients, unique):
    name, step = unique("cw"), unique("step")
    wf = ConductorWorkflow(executor=clients.executor, name=name, version=1, description="built by the SDK")
    wf >> SimpleTask(step, "first") >> SimpleTask(step, "second")
    clients.metadata.register_workflow_def(wf.to_workflow_def(), overwrite=True)
    got = clients.metadata.get_workflow_def(name)
    assert [t.task_reference_name for t in got.tasks] == ["first", "second"]
    assert got.description == "built by the SDK" and got.timeout_seconds == 60
    # ConductorWorkflow.register goes through PUT with a list (WorkflowExecutor).
    wf2 = ConductorWorkflow(executor=clients.executor, name=name, version=2)
    wf2 >> SimpleTask(step, "only")
    wf2.register(overwrite=True)
    assert [t.task_reference_name for t in clients.metadata.get_workflow_def(name, version=2).tasks] == ["only"]


# ---- wire details the SDK hides ---------------------------------------------------------------

def test_unknown_fields_are_kept(server, unique):
    name = unique("wf")
    body = {"name": name, "tasks": [{"name": "a", "taskReferenceName": "a", "custom": {"k": [1, 2.5, None]}}],
            "futureField": {"nested": True}, "ownerTeam": "blackbox"}
    assert requests.post(f"{server}/api/metadata/workflow", json=body, timeout=T).status_code == 200
    got = requests.get(f"{server}/api/metadata/workflow/{name}", timeout=T).json()
    assert got["futureField"] == {"nested": True} and got["ownerTeam"] == "blackbox"
    assert got["tasks"][0]["custom"] == {"k": [1, 2.5, None]}
    td = unique("td")
    assert requests.post(f"{server}/api/metadata/taskdefs", json=[{"name": td, "x-extra": 42}], timeout=T).status_code == 200
    assert requests.get(f"{server}/api/metadata/taskdefs/{td}", timeout=T).json()["x-extra"] == 42


def test_default_shape_of_minimal_workflow(server, unique):
    name = unique("wf")
    requests.post(f"{server}/api/metadata/workflow",
                  json={"name": name, "tasks": [{"name": "t", "taskReferenceName": "t"}]}, timeout=T).raise_for_status()
    got = requests.get(f"{server}/api/metadata/workflow/{name}", timeout=T).json()
    assert isinstance(got.pop("createTime"), int)
    # Exactly the OSS shape (notes §4), server defaults included (enforceSchema true).
    assert got == {
        "updateTime": 0, "name": name, "version": 1,
        "tasks": [{"name": "t", "taskReferenceName": "t", "inputParameters": {}, "type": "SIMPLE",
                   "decisionCases": {}, "defaultCase": [], "forkTasks": [], "startDelay": 0, "joinOn": [],
                   "optional": False, "defaultExclusiveJoinTask": [], "asyncComplete": False, "loopOver": [],
                   "onStateChange": {}, "permissive": False, "metadata": {}}],
        "inputParameters": [], "outputParameters": {}, "schemaVersion": 2, "restartable": True,
        "workflowStatusListenerEnabled": False, "timeoutPolicy": "ALERT_ONLY", "timeoutSeconds": 0,
        "variables": {}, "inputTemplate": {}, "enforceSchema": True, "metadata": {}, "maskedFields": []}


def test_list_endpoints(server, unique):
    base = f"{server}/api/metadata/workflow"
    a, b = unique("list_a"), unique("list_b")
    for name, version in ((a, 1), (a, 2), (b, 1)):
        requests.post(base, json={"name": name, "version": version,
                                  "tasks": [{"name": "t", "taskReferenceName": "t"}]}, timeout=T).raise_for_status()

    names = requests.get(f"{base}/names", timeout=T).json()
    assert a in names and b in names and names == sorted(names)

    latest = {w["name"]: w["version"] for w in requests.get(f"{base}/latest-versions", timeout=T).json()}
    assert latest[a] == 2 and latest[b] == 1

    nv = requests.get(f"{base}/names-and-versions", timeout=T).json()
    assert [e["version"] for e in nv[a]] == [1, 2]
    assert set(nv[a][0]) == {"name", "version", "createTime", "updateTime"} and nv[a][0]["name"] == a

    versions = requests.get(f"{base}/{a}/versions", timeout=T).json()
    assert [(v["name"], v["version"]) for v in versions] == [(a, 1), (a, 2)]
    assert "updateTime" not in versions[0] and versions[0]["createTime"] > 0
    assert requests.get(f"{base}/{unique('none')}/versions", timeout=T).json() == []


def test_error_body_shape(server, unique):
    r = requests.get(f"{server}/api/metadata/taskdefs/{unique('absent')}", timeout=T)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["status"] == 404 and body["retryable"] is False and body["instance"]
    assert set(body) == {"status", "message", "instance", "retryable"}
