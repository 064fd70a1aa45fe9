"""SUB_WORKFLOW, black-box: launch, input/output, failure and termination flowing both ways, hierarchies."""
import time

import requests

from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.inline import InlineTask
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.sub_workflow_task import InlineSubWorkflowTask, SubWorkflowTask

from execution_support import (batch_poll, complete, get_wf, poll_until, register_taskdefs, register_workflow, start,
                               taskdef, wait_status, wait_until, wf_def)
from systask_support import build, by_ref, ordered, summary, terminate, wt


def child_def(clients, name, tname, version=1, tag="v1"):
    """Child: one worker task `cw`, then an INLINE combining its output; output via outputParameters."""
    w = SimpleTask(tname, "cw")
    w.input_parameter("x", "${workflow.input.x}")
    fin = InlineTask("fin", "$.tag + ':' + $.got", bindings={"tag": tag, "got": "${cw.output.val}"})
    return build(clients, name, w, fin, version=version,
                 outputParameters={"summary": "${fin.output.result}", "version": "${workflow.version}"})


def parent_def(clients, name, *sub_tasks, after=True):
    tasks = list(sub_tasks)
    if after:
        tasks.append(InlineTask("after", "$.s", bindings={"s": "${sub.output.summary}"}))
    return build(clients, name, *tasks)


def sub(child_name, version=None, ref="sub", **inputs):
    t = SubWorkflowTask(ref, child_name, version=version)
    for k, v in inputs.items():
        t.input_parameter(k, v)
    return t


def child_of(api, parent_wf, ref="sub"):
    t = by_ref(parent_wf, ref)
    cid = t.get("subWorkflowId") or t["outputData"].get("subWorkflowId")
    assert cid, f"no subWorkflowId on {ref}: {t}"
    return cid


def wait_child(api, wid, ref="sub", timeout=10):
    return wait_until(lambda: (by_ref(get_wf(api, wid), ref).get("subWorkflowId")), timeout,
                      what=f"child of {ref} in {wid}")


def start_parent_of_child(clients, unique, label, optional=False):
    """Registers a worker task, a one-version child running it and a parent running the child as `sub`
    (optional or not), starts the parent and waits for the child. Returns (task, child name, parent id,
    child id)."""
    tname, cname = unique(f"sub_{label}"), unique(f"child_{label}")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, child_def(clients, cname, tname, 1))
    s = sub(cname, 1)
    if optional:
        s.optional = True
    p = parent_def(clients, unique(f"parent_{label}"), s)
    register_workflow(clients.api, p)
    wid = start(clients.api, p["name"])
    return tname, cname, wid, wait_child(clients.api, wid)


def test_child_by_name_and_version(clients, unique):
    tname, cname = unique("sub_w"), unique("child")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, child_def(clients, cname, tname, 1, "v1"))
    register_workflow(clients.api, child_def(clients, cname, tname, 2, "v2"))
    p = parent_def(clients, unique("parent"), sub(cname, 1, x="${workflow.input.x}"))
    register_workflow(clients.api, p)
    wid = start(clients.api, p["name"], {"x": 11}, correlationId="corr-sub-1")

    cid = wait_child(clients.api, wid)
    wf = get_wf(clients.api, wid)
    t = by_ref(wf, "sub")
    assert (t["taskType"], t["taskDefName"], t["status"]) == ("SUB_WORKFLOW", "sub", "IN_PROGRESS"), summary(wf)
    assert t["inputData"] == {"subWorkflowName": cname, "subWorkflowVersion": 1, "subWorkflowTaskToDomain": None,
                              "subWorkflowDefinition": None, "priority": None, "idempotencyKey": None,
                              "idempotencyStrategy": None, "workflowInput": {"x": 11}}, t["inputData"]
    assert t["outputData"] == {"subWorkflowId": cid}

    child = get_wf(clients.api, cid)
    assert child["workflowName"] == cname and child["workflowVersion"] == 1 and child["status"] == "RUNNING"
    assert child["parentWorkflowId"] == wid and child["parentWorkflowTaskId"] == t["taskId"]
    assert child["correlationId"] == "corr-sub-1"
    assert child["input"] == {"x": 11}

    task = poll_until(clients.api, tname)
    assert task["workflowInstanceId"] == cid and task["inputData"] == {"x": 11}
    complete(clients.api, task, {"val": "hello"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    child = get_wf(clients.api, cid)
    assert child["status"] == "COMPLETED" and child["output"] == {"summary": "v1:hello", "version": 1}
    t = by_ref(wf, "sub")
    assert t["status"] == "COMPLETED"
    assert t["outputData"] == {"subWorkflowId": cid, "summary": "v1:hello", "version": 1}, t["outputData"]
    assert [x["referenceTaskName"] for x in ordered(wf)] == ["sub", "after"]
    assert wf["output"] == {"result": "v1:hello"}


def test_child_latest_version(clients, unique):
    tname, cname = unique("sub_lw"), unique("child_latest")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, child_def(clients, cname, tname, 1, "v1"))
    register_workflow(clients.api, child_def(clients, cname, tname, 2, "v2"))
    p = parent_def(clients, unique("parent_latest"), sub(cname, None))
    register_workflow(clients.api, p)
    wid = start(clients.api, p["name"])
    cid = wait_child(clients.api, wid)
    assert get_wf(clients.api, cid)["workflowVersion"] == 2
    complete(clients.api, poll_until(clients.api, tname), {"val": "z"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"result": "v2:z"}
    assert by_ref(wf, "sub")["inputData"]["subWorkflowVersion"] == 2


def test_inline_child_definition(clients, unique):
    inner = ConductorWorkflow(executor=clients.executor, name=unique("inline_child"), version=1)
    inner.add(InlineTask("calc", "$.n * 3", bindings={"n": "${workflow.input.n}"}))
    inner.output_parameters({"tripled": "${calc.output.result}"})
    t = InlineSubWorkflowTask("sub", inner)
    t.input_parameter("n", "${workflow.input.pn}")
    p = build(clients, unique("parent_inline"), t, InlineTask("after", "$.v", bindings={"v": "${sub.output.tripled}"}))
    register_workflow(clients.api, p)
    wid = start(clients.api, p["name"], {"pn": 5})
    wf = wait_status(clients.api, wid, "COMPLETED")
    st = by_ref(wf, "sub")
    sdef = st["inputData"]["subWorkflowDefinition"]
    assert sdef["name"] == inner.name
    # The inline definition is used as is: its expressions belong to the child, not resolved by the parent.
    assert sdef["outputParameters"] == {"tripled": "${calc.output.result}"}, sdef["outputParameters"]
    assert sdef["tasks"][0]["inputParameters"]["n"] == "${workflow.input.n}", sdef["tasks"][0]["inputParameters"]
    cid = st["outputData"]["subWorkflowId"]
    child = get_wf(clients.api, cid)
    assert child["workflowName"] == inner.name and child["status"] == "COMPLETED"
    assert child["input"] == {"n": 5, "_systemMetadata": {"dynamic": True}}, child["input"]
    assert st["outputData"] == {"subWorkflowId": cid, "tripled": 15}
    assert wf["output"] == {"result": 15}


def test_child_failure_fails_parent_task(clients, unique):
    tname, cname, wid, cid = start_parent_of_child(clients, unique, "fail")
    complete(clients.api, poll_until(clients.api, tname), {"partial": 1}, status="FAILED",
             reasonForIncompletion="worker exploded")
    child = wait_status(clients.api, cid, "FAILED")
    wf = wait_status(clients.api, wid, "FAILED")
    t = by_ref(wf, "sub")
    assert t["status"] == "FAILED"
    assert t["reasonForIncompletion"] == (f"Sub workflow {cname}.1/{cid} failure reason: "
                                          f"{child['reasonForIncompletion']}"), t["reasonForIncompletion"]
    assert "worker exploded" in child["reasonForIncompletion"]
    assert t["outputData"]["subWorkflowId"] == cid
    assert [x["referenceTaskName"] for x in ordered(wf)] == ["sub"]


def test_optional_child_failure_lets_parent_continue(clients, unique):
    tname, _, wid, _ = start_parent_of_child(clients, unique, "opt", optional=True)
    complete(clients.api, poll_until(clients.api, tname), {}, status="FAILED", reasonForIncompletion="meh")
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "sub")["status"] == "COMPLETED_WITH_ERRORS"
    assert by_ref(wf, "after")["status"] == "COMPLETED"


def test_terminating_child_cancels_parent_task(clients, unique):
    _, _, wid, cid = start_parent_of_child(clients, unique, "term")
    terminate(clients.api, cid, "child killed by test")
    wf = wait_status(clients.api, wid, "TERMINATED")
    t = by_ref(wf, "sub")
    assert t["status"] == "CANCELED", summary(wf)
    assert "child killed by test" in (t["reasonForIncompletion"] or ""), t["reasonForIncompletion"]
    assert get_wf(clients.api, cid)["status"] == "TERMINATED"
    assert [x["referenceTaskName"] for x in ordered(wf)] == ["sub"]


def test_terminating_parent_terminates_child(clients, unique):
    tname, _, wid, cid = start_parent_of_child(clients, unique, "tp")
    terminate(clients.api, wid, "stop everything")
    wf = wait_status(clients.api, wid, "TERMINATED")
    assert by_ref(wf, "sub")["status"] == "CANCELED"
    child = wait_status(clients.api, cid, "TERMINATED")
    assert child["reasonForIncompletion"] == "Parent workflow has been terminated with reason: stop everything", \
        child["reasonForIncompletion"]
    assert [(t["referenceTaskName"], t["status"]) for t in child["tasks"]] == [("cw", "CANCELED")]
    # Nothing left to poll for the child's worker.
    assert batch_poll(clients.api, tname, count=5, timeout_ms=200) == []


def test_three_level_hierarchy(clients, unique):
    tname = unique("sub3_w")
    register_taskdefs(clients.api, taskdef(tname))
    leaf = build(clients, unique("leaf"), SimpleTask(tname, "lw"), outputParameters={"leaf": "${lw.output.v}"})
    mid = build(clients, unique("mid"), sub(leaf["name"], 1, ref="to_leaf"),
                outputParameters={"mid": "${to_leaf.output.leaf}"})
    top = build(clients, unique("top"), sub(mid["name"], 1, ref="to_mid"),
                outputParameters={"top": "${to_mid.output.mid}"})
    for d in (leaf, mid, top):
        register_workflow(clients.api, d)
    wid = start(clients.api, top["name"], correlationId="three-levels")
    mid_id = wait_child(clients.api, wid, "to_mid")
    leaf_id = wait_child(clients.api, mid_id, "to_leaf")
    leaf_wf = get_wf(clients.api, leaf_id)
    assert leaf_wf["parentWorkflowId"] == mid_id and leaf_wf["correlationId"] == "three-levels"
    assert get_wf(clients.api, mid_id)["parentWorkflowId"] == wid
    complete(clients.api, poll_until(clients.api, tname), {"v": "deep"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"top": "deep"}
    assert get_wf(clients.api, mid_id)["status"] == "COMPLETED"
    assert get_wf(clients.api, leaf_id)["status"] == "COMPLETED"


def test_priority_task_to_domain_and_expression_name(clients, unique):
    tname, cname = unique("sub_dom"), unique("child_dom")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, child_def(clients, cname, tname, 1))
    s = wt(sub("${workflow.input.child}", 1))
    s["subWorkflowParam"]["priority"] = 7
    s["subWorkflowParam"]["taskToDomain"] = {tname: "blue"}
    p = build(clients, unique("parent_dom"))
    p["tasks"] = [s]
    register_workflow(clients.api, p)
    wid = start(clients.api, p["name"], {"child": cname})
    cid = wait_child(clients.api, wid)
    child = get_wf(clients.api, cid)
    assert child["workflowName"] == cname
    assert child["priority"] == 7 and child["taskToDomain"] == {tname: "blue"}, (child["priority"],
                                                                                 child.get("taskToDomain"))
    assert batch_poll(clients.api, tname, count=1, timeout_ms=200) == [], "task must be in the domain queue"
    got = batch_poll(clients.api, tname, count=1, timeout_ms=1000, domain="blue")
    assert len(got) == 1 and got[0]["workflowInstanceId"] == cid
    complete(clients.api, got[0], {"val": 1})
    wait_status(clients.api, wid, "COMPLETED")

    # A child name that resolves to nothing registered: the SUB_WORKFLOW task fails to launch.
    wid = start(clients.api, p["name"], {"child": unique("no_such_child")})
    wf = wait_status(clients.api, wid, "FAILED")
    t = by_ref(wf, "sub")
    assert t["status"] == "FAILED" and t["reasonForIncompletion"], summary(wf)


def test_missing_child_definition_without_version_refused_at_start(clients, unique):
    p = build(clients, unique("parent_missing"), sub(unique("never_registered"), None))
    r = requests.post(f"{clients.api}/metadata/workflow", json=p, params={"overwrite": "true"}, timeout=30)
    if r.status_code == 200:
        r = requests.post(f"{clients.api}/workflow", json={"name": p["name"], "input": {}}, timeout=30)
        assert r.status_code == 404, (r.status_code, r.text)
        assert "has no workflow definition available" in r.text, r.text
    else:
        assert r.status_code in (400, 404), r.text
