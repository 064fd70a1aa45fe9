"""Retry / restart / rerun across sub-workflow hierarchies (semantics.md, Management operations)."""
import requests

from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.sub_workflow_task import SubWorkflowTask

from execution_support import (assert_nothing_to_poll, complete, get_wf, poll_until, register_taskdefs,
                               register_workflow, start, taskdef, wait_status, wait_until)
from systask_support import build, by_ref, ordered, summary


def sub(ref, child, version=1):
    return SubWorkflowTask(ref, child, version=version)


def setup_two_levels(clients, unique):
    """parent --sub--> child(worker `cw`); returns (tname, parent name, child name)."""
    tname = unique("mgmt_w")
    register_taskdefs(clients.api, taskdef(tname))
    child = build(clients, unique("mgmt_child"), SimpleTask(tname, "cw"), outputParameters={"v": "${cw.output.v}"})
    parent = build(clients, unique("mgmt_parent"), sub("sub", child["name"]),
                   outputParameters={"v": "${sub.output.v}"})
    register_workflow(clients.api, child)
    register_workflow(clients.api, parent)
    return tname, parent["name"], child["name"]


def child_id(api, wid, ref="sub"):
    return wait_until(lambda: by_ref(get_wf(api, wid), ref).get("subWorkflowId"), 10, what=f"child of {wid}")


def fail_child(clients, tname, wid):
    cid = child_id(clients.api, wid)
    t = poll_until(clients.api, tname)
    assert t["workflowInstanceId"] == cid
    complete(clients.api, t, {}, status="FAILED", reasonForIncompletion="first attempt failed")
    wait_status(clients.api, cid, "FAILED")
    wait_status(clients.api, wid, "FAILED")
    return cid, t


def post(api, path, **params):
    return requests.post(f"{api}{path}", params=params, timeout=30)


def attempts(wf, ref):
    return sorted([t for t in wf["tasks"] if t["referenceTaskName"] == ref], key=lambda t: t["seq"])


def test_retry_parent_without_resume_starts_new_child(clients, unique):
    tname, pname, _ = setup_two_levels(clients, unique)
    wid = start(clients.api, pname)
    old_cid, _ = fail_child(clients, tname, wid)

    r = post(clients.api, f"/workflow/{wid}/retry", resumeSubworkflowTasks="false")
    assert r.status_code == 204, (r.status_code, r.text)
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING" and not wf.get("reasonForIncompletion")
    subs = attempts(wf, "sub")
    assert len(subs) == 2 and subs[0]["status"] == "FAILED" and subs[0]["retried"] is True, summary(wf)
    assert subs[1]["retryCount"] == 1 and subs[1]["retriedTaskId"] == subs[0]["taskId"]
    new_cid = wait_until(lambda: attempts(get_wf(clients.api, wid), "sub")[1].get("subWorkflowId"), 10,
                         what="new child id")
    assert new_cid != old_cid
    assert get_wf(clients.api, old_cid)["status"] == "FAILED", "the old child is left alone"
    t = poll_until(clients.api, tname)
    assert t["workflowInstanceId"] == new_cid
    complete(clients.api, t, {"v": "second"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"v": "second"}


def test_retry_parent_with_resume_retries_child_in_place(clients, unique):
    tname, pname, _ = setup_two_levels(clients, unique)
    wid = start(clients.api, pname)
    cid, failed = fail_child(clients, tname, wid)
    sub_task_id = by_ref(get_wf(clients.api, wid), "sub")["taskId"]

    r = post(clients.api, f"/workflow/{wid}/retry", resumeSubworkflowTasks="true")
    assert r.status_code == 204, (r.status_code, r.text)
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING", summary(wf)
    subs = attempts(wf, "sub")
    assert len(subs) == 1 and subs[0]["taskId"] == sub_task_id and subs[0]["status"] == "IN_PROGRESS", summary(wf)
    child = get_wf(clients.api, cid)
    assert child["status"] == "RUNNING"
    cws = attempts(child, "cw")
    assert [c["status"] for c in cws] == ["FAILED", "SCHEDULED"] and cws[1]["retryCount"] == 1
    t = poll_until(clients.api, tname)
    assert t["workflowInstanceId"] == cid
    complete(clients.api, t, {"v": "resumed"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "sub")["outputData"]["subWorkflowId"] == cid
    assert wf["output"] == {"v": "resumed"}


def test_retry_child_directly_reopens_parent(clients, unique):
    tname, pname, _ = setup_two_levels(clients, unique)
    wid = start(clients.api, pname)
    cid, _ = fail_child(clients, tname, wid)
    r = post(clients.api, f"/workflow/{cid}/retry")
    assert r.status_code == 204, (r.status_code, r.text)
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING" and by_ref(wf, "sub")["status"] == "IN_PROGRESS", summary(wf)
    complete(clients.api, poll_until(clients.api, tname), {"v": "child retry"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"v": "child retry"}


def test_restart_child_reopens_parent(clients, unique):
    tname, pname, _ = setup_two_levels(clients, unique)
    wid = start(clients.api, pname)
    cid, failed = fail_child(clients, tname, wid)
    r = post(clients.api, f"/workflow/{cid}/restart")
    assert r.status_code == 204, (r.status_code, r.text)
    child = get_wf(clients.api, cid)
    assert child["status"] == "RUNNING"
    assert [(t["referenceTaskName"], t["status"]) for t in child["tasks"]] == [("cw", "SCHEDULED")]
    assert child["tasks"][0]["taskId"] != failed["taskId"]
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING" and by_ref(wf, "sub")["status"] == "IN_PROGRESS", summary(wf)
    complete(clients.api, poll_until(clients.api, tname), {"v": "restarted"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"v": "restarted"}
    assert by_ref(wf, "sub")["outputData"]["subWorkflowId"] == cid


def setup_three_levels(clients, unique):
    tname = unique("mgmt3_w")
    register_taskdefs(clients.api, taskdef(tname))
    leaf = build(clients, unique("leaf"), SimpleTask(tname, "lw"), outputParameters={"v": "${lw.output.v}"})
    mid = build(clients, unique("mid"), sub("to_leaf", leaf["name"]), outputParameters={"v": "${to_leaf.output.v}"})
    top = build(clients, unique("top"), sub("to_mid", mid["name"]), outputParameters={"v": "${to_mid.output.v}"})
    for d in (leaf, mid, top):
        register_workflow(clients.api, d)
    return tname, top["name"]


def test_rerun_from_grandchild_task_across_three_levels(clients, unique):
    tname, top = setup_three_levels(clients, unique)
    wid = start(clients.api, top)
    mid_id = child_id(clients.api, wid, "to_mid")
    leaf_id = child_id(clients.api, mid_id, "to_leaf")
    t = poll_until(clients.api, tname)
    complete(clients.api, t, {"v": "first"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"v": "first"}

    r = requests.post(f"{clients.api}/workflow/{wid}/rerun", json={"reRunFromTaskId": t["taskId"]}, timeout=30)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.text == wid
    leaf = get_wf(clients.api, leaf_id)
    assert leaf["status"] == "RUNNING"
    lw = by_ref(leaf, "lw")
    assert lw["taskId"] == t["taskId"] and lw["status"] == "SCHEDULED" and lw["outputData"] == {}
    mid = get_wf(clients.api, mid_id)
    assert mid["status"] == "RUNNING" and by_ref(mid, "to_leaf")["status"] == "IN_PROGRESS", summary(mid)
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING" and by_ref(wf, "to_mid")["status"] == "IN_PROGRESS", summary(wf)

    t2 = poll_until(clients.api, tname)
    assert t2["taskId"] == t["taskId"]
    complete(clients.api, t2, {"v": "second"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"v": "second"}
    assert get_wf(clients.api, mid_id)["output"] == {"v": "second"}
    assert by_ref(wf, "to_mid")["outputData"]["subWorkflowId"] == mid_id


def test_retry_with_resume_across_three_levels(clients, unique):
    tname, top = setup_three_levels(clients, unique)
    wid = start(clients.api, top)
    mid_id = child_id(clients.api, wid, "to_mid")
    leaf_id = child_id(clients.api, mid_id, "to_leaf")
    complete(clients.api, poll_until(clients.api, tname), {}, status="FAILED", reasonForIncompletion="deep failure")
    wait_status(clients.api, wid, "FAILED")
    assert get_wf(clients.api, mid_id)["status"] == "FAILED"

    r = post(clients.api, f"/workflow/{wid}/retry", resumeSubworkflowTasks="true")
    assert r.status_code == 204, (r.status_code, r.text)
    assert get_wf(clients.api, leaf_id)["status"] == "RUNNING"
    assert get_wf(clients.api, mid_id)["status"] == "RUNNING"
    assert get_wf(clients.api, wid)["status"] == "RUNNING"
    t = poll_until(clients.api, tname)
    assert t["workflowInstanceId"] == leaf_id
    complete(clients.api, t, {"v": "deep ok"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"v": "deep ok"}
    assert len(attempts(wf, "to_mid")) == 1 and len(attempts(get_wf(clients.api, mid_id), "to_leaf")) == 1


def test_retry_refusals(clients, unique):
    tname, pname, _ = setup_two_levels(clients, unique)
    wid = start(clients.api, pname)
    child_id(clients.api, wid)
    r = post(clients.api, f"/workflow/{wid}/retry")
    assert r.status_code == 404 and "Workflow is still running.  status=RUNNING" in r.text, (r.status_code, r.text)
    complete(clients.api, poll_until(clients.api, tname), {"v": 1})
    wait_status(clients.api, wid, "COMPLETED")
    r = post(clients.api, f"/workflow/{wid}/retry", resumeSubworkflowTasks="false")
    assert r.status_code == 409 and "There are no retryable tasks!" in r.text, (r.status_code, r.text)
    # With resumeSubworkflowTasks=true and no unsuccessful task, nothing happens (204).
    r = post(clients.api, f"/workflow/{wid}/retry", resumeSubworkflowTasks="true")
    assert r.status_code == 204, (r.status_code, r.text)
    assert get_wf(clients.api, wid)["status"] == "COMPLETED"
    assert_nothing_to_poll(clients.api, tname)
