"""FORK_JOIN_DYNAMIC (all three input styles), EVENT tasks and /api/event handlers, black-box."""
import time

import pytest
import requests

from conductor.client.workflow.task.dynamic_fork_task import DynamicForkTask
from conductor.client.workflow.task.event_task import ConductorEventTask
from conductor.client.workflow.task.inline import InlineTask
from conductor.client.workflow.task.join_task import JoinTask
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.wait_task import WaitTask

from execution_support import (complete, get_wf, poll_until, register_taskdefs, register_workflow, start, taskdef,
                               wait_status, wait_until, wf_def)
from systask_support import build, by_ref, ordered, summary, wt


def dyn_fork_node(ref, **inputs):
    return {"name": ref, "taskReferenceName": ref, "type": "FORK_JOIN_DYNAMIC", "inputParameters": inputs}


def join_node(ref="join", join_on=None):
    return {"name": ref, "taskReferenceName": ref, "type": "JOIN", "inputParameters": {}, "joinOn": join_on or []}


def js(ref, expr, **inputs):
    return {"name": ref, "taskReferenceName": ref, "type": "INLINE",
            "inputParameters": {"evaluatorType": "javascript", "expression": expr, **inputs}}


# ============================================================================ FORK_JOIN_DYNAMIC

def test_dynamic_fork_simple_form_worker_tasks(clients, unique):
    tname = unique("dfs_w")
    register_taskdefs(clients.api, taskdef(tname))
    d = wf_def(unique("dfork_simple"), [
        dyn_fork_node("dfork", forkTaskName=tname, forkTaskInputs="${workflow.input.items}"),
        join_node("join"), js("after", "$.j", j="${join.output}")])
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"items": [{"a": 1}, {"a": 2}, 3]})
    wf = get_wf(clients.api, wid)
    refs = [f"_{tname}_{i}" for i in range(3)]
    assert [(t["referenceTaskName"], t["taskType"], t["status"]) for t in ordered(wf)] == (
        [("dfork", "FORK", "COMPLETED")] + [(r, tname, "SCHEDULED") for r in refs] +
        [("join", "JOIN", "IN_PROGRESS")]), summary(wf)
    fork = by_ref(wf, "dfork")
    assert fork["inputData"]["forkedTasks"] == refs, fork["inputData"]
    assert [x["taskReferenceName"] for x in fork["inputData"]["forkedTaskDefs"]] == refs
    assert by_ref(wf, refs[0])["inputData"] == {"a": 1, "__index": 0}
    assert by_ref(wf, refs[1])["inputData"] == {"a": 2, "__index": 1}
    assert by_ref(wf, refs[2])["inputData"] == {"input": 3, "__index": 2}
    assert by_ref(wf, "join")["inputData"]["joinOn"] == refs

    for _ in range(3):
        t = poll_until(clients.api, tname)
        complete(clients.api, t, {"got": t["inputData"]["__index"]})
    wf = wait_status(clients.api, wid, "COMPLETED")
    expected = {r: {"got": i} for i, r in enumerate(refs)}
    assert by_ref(wf, "join")["outputData"] == expected
    assert wf["output"] == {"result": expected}


def test_dynamic_fork_simple_form_system_type_and_empty_list(clients, unique):
    d = wf_def(unique("dfork_inline"), [
        dyn_fork_node("dfork", forkTaskType="INLINE", forkTaskInputs="${workflow.input.items}"),
        join_node("join")])
    register_workflow(clients.api, d)
    items = [{"evaluatorType": "javascript", "expression": "$.v * 2", "v": v} for v in (1, 5)]
    wf = wait_status(clients.api, start(clients.api, d["name"], {"items": items}), "COMPLETED")
    assert by_ref(wf, "join")["outputData"] == {"_INLINE_0": {"result": 2}, "_INLINE_1": {"result": 10}}, summary(wf)
    assert by_ref(wf, "_INLINE_0")["taskType"] == "INLINE"

    wf = wait_status(clients.api, start(clients.api, d["name"], {"items": []}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["dfork", "join"], summary(wf)
    assert by_ref(wf, "join")["outputData"] == {}


def test_dynamic_fork_simple_form_sub_workflows(clients, unique):
    child = wf_def(unique("dfork_child"), [js("c", "$.x + 1", x="${workflow.input.x}")],
                   outputParameters={"y": "${c.output.result}"})
    register_workflow(clients.api, child)
    d = wf_def(unique("dfork_subwf"), [
        dyn_fork_node("dfork", forkTaskName="kid", forkTaskWorkflow=child["name"], forkTaskWorkflowVersion="1",
                      forkTaskInputs=[{"x": 1}, {"x": 10}]),
        join_node("join")])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "COMPLETED")
    k0, k1 = by_ref(wf, "_kid_0"), by_ref(wf, "_kid_1")
    assert k0["taskType"] == "SUB_WORKFLOW" and k1["taskType"] == "SUB_WORKFLOW", summary(wf)
    assert k0["outputData"]["y"] == 2 and k1["outputData"]["y"] == 11
    assert get_wf(clients.api, k0["outputData"]["subWorkflowId"])["workflowName"] == child["name"]


def test_dynamic_fork_task_list_form(clients, unique):
    tname = unique("dfl_w")
    register_taskdefs(clients.api, taskdef(tname))
    fork = DynamicForkTask("dfork", "dynamicTasks", "dynamicTasksInput")
    fork.input_parameter("dynamicTasks", "${workflow.input.tasks}")
    fork.input_parameter("dynamicTasksInput", "${workflow.input.inputs}")
    tasks = wt(fork) + [join_node("join")]
    d = wf_def(unique("dfork_list"), tasks)
    register_workflow(clients.api, d)
    dyn_tasks = [{"name": tname, "taskReferenceName": "x1", "type": "SIMPLE", "inputParameters": {"own": "o"}},
                 {"name": "calc", "taskReferenceName": "x2", "type": "INLINE",
                  "inputParameters": {"evaluatorType": "javascript", "expression": "$.v * 2"}}]
    wid = start(clients.api, d["name"], {"tasks": dyn_tasks, "inputs": {"x1": {"p": 1}, "x2": {"v": 21}}})
    wf = get_wf(clients.api, wid)
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["dfork", "x1", "x2", "join"], summary(wf)
    fork_t = by_ref(wf, "dfork")
    assert fork_t["taskType"] == "FORK" and fork_t["status"] == "COMPLETED"
    assert fork_t["inputData"]["forkedTasks"] == ["x1", "x2"]
    assert by_ref(wf, "x1")["inputData"] == {"own": "o", "p": 1}
    assert by_ref(wf, "x2")["outputData"] == {"result": 42}
    assert by_ref(wf, "join")["inputData"]["joinOn"] == ["x1", "x2"]
    complete(clients.api, poll_until(clients.api, tname), {"w": True})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "join")["outputData"] == {"x1": {"w": True}, "x2": {"result": 42}}


def test_dynamic_fork_bad_inputs_fail_workflow(clients, unique):
    fork = dyn_fork_node("dfork", dynamicTasks="${workflow.input.tasks}", dynamicTasksInput="${workflow.input.inputs}")
    fork.update(dynamicForkTasksParam="dynamicTasks", dynamicForkTasksInputParamName="dynamicTasksInput")
    d = wf_def(unique("dfork_bad"), [fork, join_node("join")])
    register_workflow(clients.api, d)
    tasks = [{"name": "n", "taskReferenceName": "r1", "type": "INLINE",
              "inputParameters": {"evaluatorType": "javascript", "expression": "1"}}]
    wf = wait_status(clients.api, start(clients.api, d["name"], {"tasks": tasks, "inputs": "not a map"}), "FAILED")
    assert "Input to the dynamically forked tasks is not a map -> expecting a map of K,V  but found" in \
        wf["reasonForIncompletion"], wf["reasonForIncompletion"]
    wf = wait_status(clients.api, start(clients.api, d["name"], {"tasks": "garbage", "inputs": {}}), "FAILED")
    assert "Input 'dynamicTasks' is invalid. Cannot deserialize a list of Workflow Tasks from" in \
        wf["reasonForIncompletion"], wf["reasonForIncompletion"]


def test_dynamic_fork_legacy_form(clients, unique):
    tname = unique("dfleg_w")
    register_taskdefs(clients.api, taskdef(tname))
    fork = dyn_fork_node("dfork", spec="${workflow.input.spec}")
    fork["dynamicForkJoinTasksParam"] = "spec"
    d = wf_def(unique("dfork_legacy"), [fork, join_node("join")])
    register_workflow(clients.api, d)
    spec = {"dynamicTasks": [{"taskName": tname, "referenceName": "l1", "type": "SIMPLE", "input": {"k": 1}},
                             {"taskName": tname, "referenceName": "l2", "type": "SIMPLE", "input": {"k": 2}}]}
    wid = start(clients.api, d["name"], {"spec": spec})
    wf = get_wf(clients.api, wid)
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["dfork", "l1", "l2", "join"], summary(wf)
    assert by_ref(wf, "l1")["inputData"]["k"] == 1
    for _ in range(2):
        t = poll_until(clients.api, tname)
        complete(clients.api, t, {"k": t["inputData"]["k"]})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "join")["outputData"] == {"l1": {"k": 1}, "l2": {"k": 2}}


def test_dynamic_fork_branch_failure_fails_workflow(clients, unique):
    tname = unique("dff_w")
    register_taskdefs(clients.api, taskdef(tname))
    d = wf_def(unique("dfork_fail"), [dyn_fork_node("dfork", forkTaskName=tname, forkTaskInputs=[{}, {}]),
                                      join_node("join")])
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    t = poll_until(clients.api, tname)
    complete(clients.api, t, {}, status="FAILED", reasonForIncompletion="one branch failed")
    wf = wait_status(clients.api, wid, "FAILED")
    statuses = sorted(x["status"] for x in wf["tasks"] if x["referenceTaskName"].startswith("_"))
    assert statuses == ["CANCELED", "FAILED"], summary(wf)
    assert by_ref(wf, "join")["status"] == "CANCELED"


# ============================================================================ EVENT task

def test_event_task_conductor_sink_output(clients, unique):
    name = unique("event_wf")
    ev1 = ConductorEventTask("ev1", "myevent")
    ev1.input_parameter("payload", "${workflow.input.p}")
    ev2 = {"name": "ev2", "taskReferenceName": "ev2", "type": "EVENT", "sink": "conductor",
           "inputParameters": {"k": 1}}
    d = build(clients, name, ev1)
    d["tasks"].append(ev2)
    register_workflow(clients.api, d)
    wid = start(clients.api, name, {"p": {"x": 1}}, correlationId="ev-corr")
    wf = wait_status(clients.api, wid, "COMPLETED")
    t1, t2 = by_ref(wf, "ev1"), by_ref(wf, "ev2")
    assert t1["taskType"] == "EVENT" and t1["status"] == "COMPLETED", summary(wf)
    out = t1["outputData"]
    assert out["payload"] == {"x": 1} and out["event_produced"] == f"conductor:{name}:myevent", out
    assert out["workflowInstanceId"] == wid and out["workflowType"] == name and out["workflowVersion"] == 1
    assert out["correlationId"] == "ev-corr"
    assert t2["outputData"]["event_produced"] == f"conductor:{name}:ev2" and t2["outputData"]["k"] == 1


def test_event_task_unsupported_sink_fails(clients, unique):
    d = wf_def(unique("event_sqs"), [{"name": "ev", "taskReferenceName": "ev", "type": "EVENT",
                                      "sink": "sqs:some_queue", "inputParameters": {}}])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED")
    assert by_ref(wf, "ev")["status"] == "FAILED" and by_ref(wf, "ev")["reasonForIncompletion"]


# ============================================================================ event handlers

def _post_handler(api, handler):
    r = requests.post(f"{api}/event", json=handler, timeout=30)
    assert r.status_code == 200, f"POST /event: {r.status_code} {r.text}"


@pytest.fixture
def handlers(clients):
    created = []

    def add(handler):
        _post_handler(clients.api, handler)
        created.append(handler["name"])
        return handler

    yield add
    for n in created:
        requests.delete(f"{clients.api}/event/{n}", timeout=30)


def emitter(clients, unique, ref="ev"):
    """Workflow that publishes one EVENT (sink conductor) carrying its input; returns (name, queue)."""
    name = unique("emitter")
    d = wf_def(name, [{"name": ref, "taskReferenceName": ref, "type": "EVENT", "sink": "conductor",
                       "inputParameters": {"target": "${workflow.input.target}", "val": "${workflow.input.val}"}}])
    register_workflow(clients.api, d)
    return name, f"conductor:{name}:{ref}"


def waiter(clients, unique):
    name = unique("waiter")
    d = wf_def(name, [{"name": "hold", "taskReferenceName": "hold", "type": "WAIT", "inputParameters": {}},
                      js("after", "$.v", v="${hold.output.val}")])
    register_workflow(clients.api, d)
    return name


def test_event_handler_crud(clients, unique):
    name, event = unique("h_crud"), f"conductor:{unique('x')}:y"
    h = {"name": name, "event": event, "active": True,
         "actions": [{"action": "start_workflow", "start_workflow": {"name": "whatever"}}]}
    _post_handler(clients.api, h)
    try:
        r = requests.post(f"{clients.api}/event", json=h, timeout=30)
        assert r.status_code == 409, (r.status_code, r.text)
        got = requests.get(f"{clients.api}/event/{event}", timeout=30).json()
        assert [x["name"] for x in got] == [name] and got[0]["actions"][0]["action"] == "start_workflow"
        h["active"] = False
        assert requests.put(f"{clients.api}/event", json=h, timeout=30).status_code == 200
        assert requests.get(f"{clients.api}/event/{event}", params={"activeOnly": "true"}, timeout=30).json() == []
        assert [x["name"] for x in requests.get(f"{clients.api}/event", timeout=30).json()].count(name) == 1
    finally:
        assert requests.delete(f"{clients.api}/event/{name}", timeout=30).status_code == 200
    assert requests.delete(f"{clients.api}/event/{name}", timeout=30).status_code == 404


def test_event_handler_complete_task(clients, unique, handlers):
    ename, queue = emitter(clients, unique)
    wname = waiter(clients, unique)
    handlers({"name": unique("h_complete"), "event": queue, "active": True,
              "actions": [{"action": "complete_task",
                           "complete_task": {"workflowId": "${target}", "taskRefName": "hold",
                                             "output": {"val": "${val}", "via": "event"}}}]})
    target = start(clients.api, wname)
    start(clients.api, ename, {"target": target, "val": 7})
    wf = wait_status(clients.api, target, "COMPLETED", timeout=10)
    out = by_ref(wf, "hold")["outputData"]
    assert out["via"] == "event" and out["val"] == 7, out
    assert wf["output"] == {"result": 7}


def test_event_handler_fail_task_and_condition(clients, unique, handlers):
    ename, queue = emitter(clients, unique)
    wname = waiter(clients, unique)
    handlers({"name": unique("h_fail"), "event": queue, "active": True, "condition": "$.val > 100",
              "actions": [{"action": "fail_task",
                           "fail_task": {"workflowId": "${target}", "taskRefName": "hold", "output": {"why": "big"}}}]})
    target = start(clients.api, wname)
    # Condition false: nothing happens.
    start(clients.api, ename, {"target": target, "val": 1})
    time.sleep(1.0)
    assert get_wf(clients.api, target)["status"] == "RUNNING"
    start(clients.api, ename, {"target": target, "val": 500})
    wf = wait_status(clients.api, target, "FAILED", timeout=10)
    assert by_ref(wf, "hold")["status"] == "FAILED"
    assert by_ref(wf, "hold")["outputData"].get("why") == "big"


def test_event_handler_start_workflow_and_inactive(clients, unique, handlers):
    ename, queue = emitter(clients, unique)
    started = unique("started_by_event")
    register_workflow(clients.api, wf_def(started, [js("s", "$.v", v="${workflow.input.fromEvent}")]))
    corr = unique("evcorr")
    handlers({"name": unique("h_inactive"), "event": queue, "active": False,
              "actions": [{"action": "start_workflow",
                           "start_workflow": {"name": started, "input": {"fromEvent": "inactive"}}}]})
    handlers({"name": unique("h_start"), "event": queue, "active": True,
              "actions": [{"action": "start_workflow",
                           "start_workflow": {"name": started, "correlationId": corr,
                                              "input": {"fromEvent": "${val}"}}}]})
    start(clients.api, ename, {"val": "hello"})

    def found():
        r = requests.get(f"{clients.api}/workflow/search", params={"query": f"workflowType IN ({started})"},
                         timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["results"]

    results = wait_until(found, 10, interval=0.2, what=f"a {started} workflow started by the handler")
    time.sleep(0.5)
    results = found()
    assert len(results) == 1, f"only the active handler may act: {results}"
    wf = wait_status(clients.api, results[0]["workflowId"], "COMPLETED")
    assert wf["input"]["fromEvent"] == "hello" and wf["correlationId"] == corr
    assert wf["output"] == {"result": "hello"}
