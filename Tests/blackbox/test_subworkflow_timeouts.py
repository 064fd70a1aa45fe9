"""Timeouts cross the parent/child boundary both ways: a child that times out times out its
SUB_WORKFLOW task (and, with no retries, the parent); a parent that times out terminates its child."""
from execution_support import (get_wf, register_taskdefs, register_workflow, start, taskdef, tasks_by_ref,
                               wait_status, wf_def)


def _child(api, unique, **fields):
    worker_task, name = unique("idle"), unique("child")
    register_taskdefs(api, taskdef(worker_task))
    register_workflow(api, wf_def(name, [{"name": worker_task, "taskReferenceName": "work", "type": "SIMPLE"}], **fields))
    return name


def _parent(api, unique, child, **fields):
    name = unique("parent")
    register_workflow(api, wf_def(name, [{"name": "sub", "taskReferenceName": "sub", "type": "SUB_WORKFLOW",
                                          "subWorkflowParam": {"name": child, "version": 1}}], **fields))
    return name


def test_child_timeout_times_out_the_parent_task(clients, unique):
    api = clients.api
    child = _child(api, unique, timeoutSeconds=1, timeoutPolicy="TIME_OUT_WF")
    wid = start(api, _parent(api, unique, child))
    parent = wait_status(api, wid, {"TIMED_OUT"}, timeout=10)
    sub = tasks_by_ref(parent, "sub")[-1]
    assert sub["status"] == "TIMED_OUT"
    child_wf = get_wf(api, sub["subWorkflowId"])
    assert child_wf["status"] == "TIMED_OUT"
    assert child_wf["reasonForIncompletion"].startswith("Workflow timed out after")
    assert sub["reasonForIncompletion"].startswith(f"Sub workflow {child}.1/{child_wf['workflowId']} failure reason: Workflow timed out")


def test_parent_timeout_terminates_the_child(clients, unique):
    api = clients.api
    child = _child(api, unique)
    wid = start(api, _parent(api, unique, child, timeoutSeconds=1, timeoutPolicy="TIME_OUT_WF"))
    parent = wait_status(api, wid, {"TIMED_OUT"}, timeout=10)
    sub = tasks_by_ref(parent, "sub")[-1]
    assert sub["status"] == "CANCELED"
    child_wf = wait_status(api, sub["subWorkflowId"], {"TERMINATED"}, timeout=5)
    assert child_wf["reasonForIncompletion"].startswith("Parent workflow has been terminated with reason: Workflow timed out after")
    assert tasks_by_ref(child_wf, "work")[-1]["status"] == "CANCELED"
