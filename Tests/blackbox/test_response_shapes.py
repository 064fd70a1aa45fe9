"""What Baton answers for a workflow, its tasks, a task definition and a workflow definition has the shape
of Conductor's models (conductor_shapes.py): every field Conductor always sends, each with its JSON type,
and nothing Conductor does not send. Raw HTTP on purpose: the SDK's models would hide the wire shape."""
import jsonschema
import requests

from conductor_shapes import TASK, TASK_DEF, WORKFLOW, WORKFLOW_DEF
from execution_support import (batch_poll, complete, get_task, get_wf, register_taskdefs, register_workflow, simple, start,
                               taskdef, tasks_by_ref, update, wf_def)


def check(schema, value, what):
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    assert not errors, f"{what}: " + "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:8])


def test_shapes_of_every_kind_of_workflow_task_and_definition(clients, unique):
    api = clients.api
    work, flaky = unique("shape_work"), unique("shape_flaky")
    register_taskdefs(api, taskdef(work, description="does the work", ownerEmail="ops@example.com", concurrentExecLimit=4,
                                   pollTimeoutSeconds=30, inputKeys=["x"], outputKeys=["y"], inputTemplate={"x": 1},
                                   rateLimitPerFrequency=100, rateLimitFrequencyInSeconds=1),
                      taskdef(flaky, retryCount=1, retryDelaySeconds=0))
    child = unique("shape_child")
    register_workflow(api, wf_def(child, [simple(work, "c1")]))
    parent = unique("shape_parent")
    register_workflow(api, wf_def(parent, [
        simple(work, "first", {"x": "${workflow.input.x}"}, optional=False, description="first step"),
        {"name": "route", "taskReferenceName": "route", "type": "SWITCH", "evaluatorType": "value-param", "expression": "which",
         "inputParameters": {"which": "${workflow.input.which}"},
         "decisionCases": {"a": [{"name": "set", "taskReferenceName": "set", "type": "SET_VARIABLE", "inputParameters": {"v": 1}}]},
         "defaultCase": [{"name": "noop", "taskReferenceName": "noop", "type": "NOOP"}]},
        {"name": "fork", "taskReferenceName": "fork", "type": "FORK_JOIN",
         "forkTasks": [[simple(flaky, "left")], [{"name": "sub", "taskReferenceName": "sub", "type": "SUB_WORKFLOW",
                                                  "subWorkflowParam": {"name": child, "version": 1}}]]},
        {"name": "join", "taskReferenceName": "join", "type": "JOIN", "joinOn": ["left", "sub"]},
        {"name": "loop", "taskReferenceName": "loop", "type": "DO_WHILE", "loopCondition": "$.loop['iteration'] < 2",
         "inputParameters": {}, "loopOver": [{"name": "inner", "taskReferenceName": "inner", "type": "INLINE",
                                              "inputParameters": {"evaluatorType": "javascript", "expression": "1 + 1"}}]},
        {"name": "hold", "taskReferenceName": "hold", "type": "WAIT"},
    ], description="every kind", ownerEmail="ops@example.com", failureWorkflow="none_such", outputParameters={"o": "${first.output.y}"},
        inputParameters=["x", "which"]))

    wid = start(api, parent, {"x": 3, "which": "a"}, correlationId="corr-" + parent, taskToDomain={})
    [t] = batch_poll(api, work, worker="shape-worker")
    check(TASK, t, "a polled task")
    complete(api, t, {"y": 4})
    left = batch_poll(api, flaky)[0]
    assert update(api, left, status="FAILED", reasonForIncompletion="first try fails").status_code == 200
    complete(api, batch_poll(api, flaky, timeout_ms=2000)[0])        # the retry
    c1 = batch_poll(api, work, timeout_ms=2000)[0]
    complete(api, c1)

    wf = get_wf(api, wid)
    assert wf["status"] == "RUNNING" and tasks_by_ref(wf, "hold")[0]["status"] == "IN_PROGRESS"
    assert {t["taskType"] for t in wf["tasks"]} >= {work, "SWITCH", "SET_VARIABLE", "FORK", "JOIN", "SUB_WORKFLOW", "DO_WHILE", "INLINE", "WAIT"}
    check(WORKFLOW, wf, "a running workflow with every kind of task")
    failed = [t for t in wf["tasks"] if t["status"] == "FAILED"]
    assert failed and failed[0]["reasonForIncompletion"] == "first try fails"
    check(TASK, get_task(api, failed[0]["taskId"]), "GET /tasks/{id} of a failed attempt")
    sub = tasks_by_ref(wf, "sub")[0]
    check(WORKFLOW, get_wf(api, sub["subWorkflowId"]), "the sub-workflow")
    r = requests.get(f"{api}/workflow/{wid}/tasks", params={"count": 100}, timeout=10)
    assert r.status_code == 200
    for t in r.json()["results"]:
        check(TASK, t, "GET /workflow/{id}/tasks")

    assert requests.delete(f"{api}/workflow/{wid}", params={"reason": "shape check"}, timeout=10).status_code == 200
    ended = get_wf(api, wid)
    assert ended["status"] == "TERMINATED" and ended["reasonForIncompletion"] == "shape check"
    check(WORKFLOW, ended, "a terminated workflow")
    check(WORKFLOW, get_wf(api, wid, include_tasks=False), "a workflow without its tasks")

    # Only this test's own definitions: the shared server also holds other tests' definitions, some of which
    # carry unknown fields on purpose (Baton keeps them, test_metadata.py checks that).
    listed = [d for d in requests.get(f"{api}/metadata/taskdefs", timeout=10).json() if d.get("name") in (work, flaky)]
    assert len(listed) == 2
    for d in listed:
        check(TASK_DEF, d, f"task definition {d.get('name')}")
    check(TASK_DEF, requests.get(f"{api}/metadata/taskdefs/{work}", timeout=10).json(), "GET /metadata/taskdefs/{name}")
    check(WORKFLOW_DEF, requests.get(f"{api}/metadata/workflow/{parent}", timeout=10).json(), "GET /metadata/workflow/{name}")
    listed = [d for d in requests.get(f"{api}/metadata/workflow", timeout=10).json() if d.get("name") in (parent, child)]
    assert len(listed) == 2
    for d in listed:
        check(WORKFLOW_DEF, d, f"workflow definition {d.get('name')}")


def test_the_schemas_refuse_what_conductor_would_not_send():
    """The check can fail: a wrong type, a missing always-present field and an unknown field are caught."""
    task = {"taskType": "t", "status": "SCHEDULED"}
    errors = list(jsonschema.Draft202012Validator(TASK).iter_errors({**task, "seq": "1", "made_up": True}))
    messages = " ".join(e.message for e in errors)
    assert "'1' is not of type 'integer'" in messages and "'made_up' was unexpected" in messages
    assert "'taskId' is a required property" in messages
