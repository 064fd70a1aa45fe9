"""Workflow management operations driven through conductor-python 2.0.0's workflow client.

Every operation is tried in each state it can meet (RUNNING, PAUSED, COMPLETED, FAILED, TIMED_OUT,
TERMINATED, unknown id). Refusals must carry OSS's status code and message and must change nothing
(the execution read back before and after is identical).
"""
import time
import uuid

import pytest
import requests

from conductor.client.http.api.workflow_bulk_resource_api import WorkflowBulkResourceApi
from conductor.client.http.models import SkipTaskRequest
from conductor.client.http.models.rerun_workflow_request import RerunWorkflowRequest
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_result import TaskResult
from conductor.client.http.rest import ApiException

from execution_support import (assert_nothing_to_poll, complete, get_wf, poll_until, register_taskdefs,
                               register_workflow, simple, taskdef, update, wait_status, wait_until, wf_def)

T = 30
TERMINAL = {"COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"}
OPEN = {"SCHEDULED", "IN_PROGRESS"}


# ---------------------------------------------------------------------------------------------
# helpers


class Flow:
    """A registered workflow of n SIMPLE tasks t0..t{n-1}, each with its own (unique) task type.

    t{i} gets input {"i": i, "x": "${workflow.input.x}"} unless `inputs` says otherwise. A sibling
    definition `<name>_to` has the same tasks and timeoutSeconds=1 with TIME_OUT_WF.
    """

    def __init__(self, clients, unique, n=2, inputs=None, taskdef_fields=None, **wf_fields):
        self.clients, self.api = clients, clients.api
        self.wc = clients.workflows
        self.types = [unique(f"mg_t{i}") for i in range(n)]
        register_taskdefs(self.api, *[taskdef(t, **(taskdef_fields or {})) for t in self.types])
        inputs = inputs or {}
        self.tasks = [simple(t, f"t{i}", inputs.get(f"t{i}", {"i": i, "x": "${workflow.input.x}"}))
                      for i, t in enumerate(self.types)]
        self.name = unique("mg_wf")
        self.wf_fields = wf_fields
        register_workflow(self.api, wf_def(self.name, self.tasks, **wf_fields))
        self._timeout_name = None

    def start(self, input=None, correlation_id=None, name=None, version=None):
        req = StartWorkflowRequest(name=name or self.name, version=version,
                                   input={"x": 1} if input is None else input, correlation_id=correlation_id)
        return self.wc.start_workflow(req)

    def open_task(self, wid):
        wf = get_wf(self.api, wid)
        open_tasks = [t for t in wf["tasks"] if t["status"] in OPEN]
        assert len(open_tasks) == 1, f"expected one open task in {wid}: {summary(wf)}"
        return open_tasks[0]

    def advance(self, wid, status="COMPLETED", output=None, **fields):
        """Report a result for the workflow's single open task (by id, no poll); returns that task."""
        task = self.open_task(wid)
        complete(self.api, task, output=output if output is not None else {"done": task["referenceTaskName"]},
                 status=status, **fields)
        return task

    def finish(self, wid):
        for _ in range(len(self.types)):
            self.advance(wid)
        return wait_status(self.api, wid, "COMPLETED", timeout=5)

    def timeout_name(self):
        if self._timeout_name is None:
            self._timeout_name = self.name + "_to"
            register_workflow(self.api, wf_def(self._timeout_name, self.tasks, timeoutSeconds=1,
                                               timeoutPolicy="TIME_OUT_WF"))
        return self._timeout_name

    def make(self, state):
        """A fresh execution in `state` (RUNNING, PAUSED, COMPLETED, FAILED, TIMED_OUT, TERMINATED)."""
        if state == "TIMED_OUT":
            wid = self.start(name=self.timeout_name())
            return wait_status(self.api, wid, "TIMED_OUT", timeout=8)["workflowId"]
        wid = self.start()
        if state == "PAUSED":
            self.wc.pause_workflow(wid)
        elif state == "COMPLETED":
            self.finish(wid)
        elif state == "FAILED":
            self.advance(wid)
            self.advance(wid, status="FAILED", reasonForIncompletion="boom")
        elif state == "TERMINATED":
            self.wc.terminate_workflow(wid, "setup")
        else:
            assert state == "RUNNING", state
        assert get_wf(self.api, wid)["status"] == state
        return wid


@pytest.fixture
def flow(clients, unique):
    return lambda **kw: Flow(clients, unique, **kw)


def summary(wf):
    return [(t["referenceTaskName"], t["status"], t["retryCount"], t.get("retried"), t["taskId"][:8])
            for t in wf.get("tasks", [])]


def long_name(wf):
    return f"{wf['workflowName']}.{wf['workflowVersion']}/{wf['workflowId']}"


def refused(call, status, message=None):
    """Run a client call that must fail; check status (and exact message); return the exception."""
    with pytest.raises(ApiException) as err:
        call()
    e = err.value
    assert e.status == status, f"expected HTTP {status}, got {e.status}: {e.body}"
    if message is not None:
        assert e.message == message, f"expected message {message!r}, got {e.message!r} (body {e.body})"
    return e


def refused_unchanged(api, wid, call, status, message=None):
    """A refused command must leave the execution exactly as it was."""
    before = get_wf(api, wid)
    e = refused(call, status, message)
    after = get_wf(api, wid)
    assert after == before, f"refused command changed the workflow:\nbefore {summary(before)} {before['status']}" \
                            f"\nafter  {summary(after)} {after['status']}"
    return e


def unknown_id():
    return str(uuid.uuid4())


def assert_gone(api, wid):
    r = requests.get(f"{api}/workflow/{wid}", timeout=T)
    assert r.status_code == 404, f"GET of removed workflow {wid}: {r.status_code} {r.text[:300]}"


def bulk_api(clients):
    return WorkflowBulkResourceApi(clients.workflows.api_client)


# ---------------------------------------------------------------------------------------------
# pause / resume


def test_pause_stops_scheduling_and_resume_continues(clients, flow):
    f = flow(n=3, inputs={"t1": {"prev": "${t0.output.v}"}})
    wc = clients.workflows
    wid = f.start()
    wc.pause_workflow(wid)
    assert get_wf(f.api, wid)["status"] == "PAUSED"
    wc.pause_workflow(wid)                       # pausing a paused workflow is a no-op
    assert get_wf(f.api, wid)["status"] == "PAUSED"

    # A SCHEDULED task stays pollable while paused; its result is stored but nothing new is scheduled.
    t0 = poll_until(f.api, f.types[0])
    assert t0["workflowInstanceId"] == wid
    complete(f.api, t0, output={"v": 41})
    wf = get_wf(f.api, wid)
    assert wf["status"] == "PAUSED"
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [("t0", "COMPLETED")], summary(wf)
    assert wf["tasks"][0]["outputData"] == {"v": 41}
    assert_nothing_to_poll(f.api, f.types[1])
    time.sleep(0.5)                               # no timer may schedule t1 either
    assert [t["referenceTaskName"] for t in get_wf(f.api, wid)["tasks"]] == ["t0"]

    before_resume = int(time.time() * 1000)
    wc.resume_workflow(wid)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING"
    assert wf["lastRetriedTime"] >= before_resume - 1000, wf.get("lastRetriedTime")
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [("t0", "COMPLETED"), ("t1", "SCHEDULED")]
    assert wf["tasks"][0]["outputData"] == {"v": 41}, "result that arrived while paused must be kept"
    assert wf["tasks"][1]["inputData"] == {"prev": 41}

    # Pausing with a task IN_PROGRESS: the worker's result is kept, the next task waits for resume.
    t1 = poll_until(f.api, f.types[1])
    wc.pause_workflow(wid)
    complete(f.api, t1, output={"w": 2})
    wf = get_wf(f.api, wid)
    assert wf["status"] == "PAUSED" and [t["status"] for t in wf["tasks"]] == ["COMPLETED", "COMPLETED"], summary(wf)
    assert_nothing_to_poll(f.api, f.types[2])
    wc.resume_workflow(wid)
    t2 = poll_until(f.api, f.types[2])
    complete(f.api, t2, output={"end": True})
    wf = wait_status(f.api, wid, "COMPLETED", timeout=5)
    assert wf["output"] == {"end": True}
    assert wf["endTime"] > 0


@pytest.mark.parametrize("state", ["COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"])
def test_pause_terminal_is_409(clients, flow, state):
    f = flow()
    wid = f.make(state)
    wf = get_wf(f.api, wid)
    refused_unchanged(f.api, wid, lambda: clients.workflows.pause_workflow(wid), 409,
                      f"Workflow {long_name(wf)} has ended, status cannot be updated.")


@pytest.mark.parametrize("state", ["RUNNING", "COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"])
def test_resume_not_paused_is_500(clients, flow, state):
    f = flow()
    wid = f.make(state)
    refused_unchanged(f.api, wid, lambda: clients.workflows.resume_workflow(wid), 500,
                      f"The workflow {wid} is not PAUSED so cannot resume. Current status is {state}")


def test_pause_resume_unknown_is_404(clients):
    wid = unknown_id()
    refused(lambda: clients.workflows.pause_workflow(wid), 404)
    refused(lambda: clients.workflows.resume_workflow(wid), 404)


def test_resume_restarts_workflow_timeout_clock(clients, flow):
    f = flow(timeoutSeconds=3, timeoutPolicy="TIME_OUT_WF")
    wid = f.start()
    clients.workflows.pause_workflow(wid)
    time.sleep(2.0)
    clients.workflows.resume_workflow(wid)
    time.sleep(1.6)          # 3.6 s after start, 1.6 s after resume: still within the timeout
    assert get_wf(f.api, wid)["status"] == "RUNNING"
    wf = wait_status(f.api, wid, "TIMED_OUT", timeout=6)
    assert wf["reasonForIncompletion"].startswith("Workflow timed out after "), wf["reasonForIncompletion"]
    assert [t["status"] for t in wf["tasks"]] == ["CANCELED"]


# ---------------------------------------------------------------------------------------------
# terminate


def test_terminate_running_cancels_tasks_and_ignores_late_updates(clients, flow):
    f = flow()
    wc = clients.workflows
    wid = f.start(correlation_id="term-1")
    t0 = poll_until(f.api, f.types[0])
    reason = "because x & y = z; 100% done?"
    wc.terminate_workflow(wid, reason)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "TERMINATED"
    assert wf["reasonForIncompletion"] == reason
    assert wf["endTime"] > 0
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [("t0", "CANCELED")]
    assert wf["tasks"][0]["endTime"] > 0
    assert wf["output"] == {}

    # The worker still holding the task reports late: 200 with the id, nothing changes.
    result = TaskResult(workflow_instance_id=wid, task_id=t0["taskId"], status="COMPLETED",
                        output_data={"late": True}, worker_id="late-worker")
    assert clients.tasks.update_task(result) == t0["taskId"]
    after = get_wf(f.api, wid)
    assert after["status"] == "TERMINATED"
    assert after["tasks"][0]["status"] == "CANCELED" and after["tasks"][0]["outputData"] == {}
    assert len(after["tasks"]) == 1
    assert_nothing_to_poll(f.api, f.types[1])

    # Terminating a TERMINATED workflow is a 200 no-op (the first reason stays).
    wc.terminate_workflow(wid, "second time")
    again = get_wf(f.api, wid)
    assert again == after


def test_terminate_removes_scheduled_task_from_queue(clients, flow):
    f = flow()
    wid = f.start()
    clients.workflows.terminate_workflow(wid)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "TERMINATED"
    assert wf.get("reasonForIncompletion") is None, "no reason given -> none recorded"
    assert wf["tasks"][0]["status"] == "CANCELED"
    assert_nothing_to_poll(f.api, f.types[0])


@pytest.mark.parametrize("state", ["PAUSED", "FAILED", "TIMED_OUT"])
def test_terminate_paused_failed_timed_out(clients, flow, state):
    f = flow()
    wid = f.make(state)
    clients.workflows.terminate_workflow(wid, f"stop {state}")
    wf = get_wf(f.api, wid)
    assert wf["status"] == "TERMINATED"
    assert wf["reasonForIncompletion"] == f"stop {state}"
    assert wf["endTime"] > 0
    assert not [t for t in wf["tasks"] if t["status"] in OPEN], summary(wf)


def test_terminate_completed_is_409_and_unknown_404(clients, flow):
    f = flow()
    wid = f.make("COMPLETED")
    refused_unchanged(f.api, wid, lambda: clients.workflows.terminate_workflow(wid, "nope"), 409,
                      "Cannot terminate a COMPLETED workflow.")
    refused(lambda: clients.workflows.terminate_workflow(unknown_id(), "x"), 404)


def test_terminate_trigger_failure_workflow(clients, flow, unique):
    handler = flow(n=1)
    f = flow(failureWorkflow=handler.name)
    wc = clients.workflows

    wid = f.start(input={"x": 7}, correlation_id="corr-ftw")
    wc.terminate_workflow(wid, "operator said stop", trigger_failure_workflow=True)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "TERMINATED" and wf["reasonForIncompletion"] == "operator said stop"
    fid = wait_until(lambda: get_wf(f.api, wid)["output"].get("conductor.failure_workflow"), 5,
                     what="conductor.failure_workflow in the terminated workflow's output")
    failure = get_wf(f.api, fid)
    assert failure["workflowName"] == handler.name
    assert failure["status"] == "RUNNING"
    assert failure["input"]["workflowId"] == wid
    assert failure["input"]["reason"] == "operator said stop"
    assert failure["input"]["x"] == 7
    assert failure.get("correlationId") == "corr-ftw"
    assert [t["referenceTaskName"] for t in failure["tasks"]] == ["t0"]

    # Without the flag no failure workflow starts.
    wid2 = f.start()
    wc.terminate_workflow(wid2, "quiet", trigger_failure_workflow=False)
    time.sleep(0.5)
    wf2 = get_wf(f.api, wid2)
    assert "conductor.failure_workflow" not in wf2["output"], wf2["output"]
    # Only the first failure workflow exists: its task queue holds exactly one task.
    first = poll_until(f.api, handler.types[0])
    assert first["workflowInstanceId"] == fid
    assert_nothing_to_poll(f.api, handler.types[0])


# ---------------------------------------------------------------------------------------------
# restart


@pytest.mark.parametrize("state", ["COMPLETED", "FAILED", "TERMINATED", "TIMED_OUT"])
def test_restart_terminal(clients, flow, state):
    f = flow()
    wid = f.make(state)
    old = get_wf(f.api, wid)
    old_ids = {t["taskId"] for t in old["tasks"]}
    clients.workflows.restart_workflow(wid)
    wf = get_wf(f.api, wid)
    assert wf["workflowId"] == wid
    assert wf["status"] == "RUNNING"
    assert wf["endTime"] == 0
    assert wf.get("reasonForIncompletion") is None
    assert wf["output"] == {}
    assert wf["input"] == old["input"]
    assert wf["createTime"] >= old["createTime"]
    assert [(t["referenceTaskName"], t["status"], t["retryCount"]) for t in wf["tasks"]] == [("t0", "SCHEDULED", 0)]
    assert wf["tasks"][0]["taskId"] not in old_ids
    assert wf["tasks"][0]["inputData"] == {"i": 0, "x": 1}
    if state == "TIMED_OUT":
        return       # its 1 s workflow timeout would race the rest
    polled = poll_until(f.api, f.types[0])
    assert polled["taskId"] == wf["tasks"][0]["taskId"]
    complete(f.api, polled)
    f.advance(wid)
    assert wait_status(f.api, wid, "COMPLETED", timeout=5)["tasks"][-1]["status"] == "COMPLETED"


@pytest.mark.parametrize("state", ["RUNNING", "PAUSED"])
def test_restart_non_terminal_is_409(clients, flow, state):
    f = flow()
    wid = f.make(state)
    wf = get_wf(f.api, wid)
    refused_unchanged(f.api, wid, lambda: clients.workflows.restart_workflow(wid), 409,
                      f"Workflow: {long_name(wf)}.{state} is not in terminal state, unable to restart.")


def test_restart_non_restartable(clients, flow):
    f = flow(restartable=False)
    wid = f.make("COMPLETED")
    wf = get_wf(f.api, wid)
    refused_unchanged(f.api, wid, lambda: clients.workflows.restart_workflow(wid), 404,
                      f"Workflow: {long_name(wf)}.COMPLETED is non-restartable")
    # restartable=false only protects COMPLETED executions.
    failed = f.make("FAILED")
    clients.workflows.restart_workflow(failed)
    assert get_wf(f.api, failed)["status"] == "RUNNING"
    refused(lambda: clients.workflows.restart_workflow(unknown_id()), 404)


def test_restart_use_latest_definitions(clients, flow, unique):
    f = flow()
    wid = f.make("COMPLETED")
    keep = f.make("COMPLETED")
    other = unique("mg_v2")
    register_taskdefs(f.api, taskdef(other))
    register_workflow(f.api, wf_def(f.name, [simple(other, "v2first", {"v": 2})], version=2))

    clients.workflows.restart_workflow(wid, use_latest_def=True)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING" and wf["workflowVersion"] == 2
    assert [(t["referenceTaskName"], t["taskDefName"], t["inputData"]) for t in wf["tasks"]] == \
        [("v2first", other, {"v": 2})]

    clients.workflows.restart_workflow(keep)        # flag off: own definition snapshot
    wf = get_wf(f.api, keep)
    assert wf["workflowVersion"] == 1 and [t["referenceTaskName"] for t in wf["tasks"]] == ["t0"]


# ---------------------------------------------------------------------------------------------
# retry


def test_retry_failed_workflow(clients, flow):
    f = flow(n=2, inputs={"t1": {"prev": "${t0.output.done}"}})
    wid = f.make("FAILED")
    failed = get_wf(f.api, wid)
    assert "boom" in failed["reasonForIncompletion"]
    assert failed["failedReferenceTaskNames"] == ["t1"], failed["failedReferenceTaskNames"]
    old_t0, old_t1 = failed["tasks"]
    before = int(time.time() * 1000)
    clients.workflows.retry_workflow(wid)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING"
    assert wf["endTime"] == 0
    assert wf.get("reasonForIncompletion") is None
    assert wf["lastRetriedTime"] >= before - 1000
    assert len(wf["tasks"]) == 3, summary(wf)
    t0, t1_old, t1_new = wf["tasks"]
    assert t0 == old_t0, "a completed task is not touched by retry"
    assert (t1_old["taskId"], t1_old["status"], t1_old["retried"]) == (old_t1["taskId"], "FAILED", True)
    assert t1_new["referenceTaskName"] == "t1" and t1_new["status"] == "SCHEDULED"
    assert t1_new["taskId"] not in (old_t0["taskId"], old_t1["taskId"])
    assert t1_new["retryCount"] == old_t1["retryCount"] + 1 == 1
    assert t1_new["retriedTaskId"] == old_t1["taskId"]
    assert not t1_new.get("retried")
    assert t1_new["inputData"] == {"prev": "t0"}
    assert t1_new["seq"] > t1_old["seq"]
    assert wf["failedReferenceTaskNames"] == ["t1"], "retry clears the reason but not the failed-name sets"

    # The new attempt is pollable at once (no retry delay) and completing it completes the workflow.
    polled = poll_until(f.api, f.types[1], timeout=2)
    assert polled["taskId"] == t1_new["taskId"]
    complete(f.api, polled, output={"second": "try"})
    wf = wait_status(f.api, wid, "COMPLETED", timeout=5)
    assert wf["output"] == {"second": "try"}


def test_retry_counts_against_task_limit(clients, flow):
    f = flow(n=1)
    wid = f.start()
    f.advance(wid, status="FAILED", reasonForIncompletion="first")
    wait_status(f.api, wid, "FAILED")
    clients.workflows.retry_workflow(wid)
    f.advance(wid, status="FAILED", reasonForIncompletion="second")
    wf = wait_status(f.api, wid, "FAILED", timeout=5)
    assert [(t["status"], t["retryCount"], t.get("retried", False)) for t in wf["tasks"]] == \
        [("FAILED", 0, True), ("FAILED", 1, False)]
    assert "second" in wf["reasonForIncompletion"]


@pytest.mark.parametrize("state", ["TERMINATED", "TIMED_OUT"])
def test_retry_terminated_and_timed_out(clients, flow, state):
    f = flow()
    wid = f.make(state)
    old = get_wf(f.api, wid)
    canceled = [t for t in old["tasks"] if t["status"] == "CANCELED"]
    assert len(canceled) == 1, summary(old)
    clients.workflows.retry_workflow(wid)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING", f"{wf['status']} {summary(wf)}"
    new = [t for t in wf["tasks"] if t["status"] == "SCHEDULED"]
    assert len(new) == 1, summary(wf)
    assert new[0]["retriedTaskId"] == canceled[0]["taskId"] and new[0]["retryCount"] == 1
    assert [t for t in wf["tasks"] if t["taskId"] == canceled[0]["taskId"]][0]["retried"] is True


@pytest.mark.parametrize("state", ["RUNNING", "PAUSED"])
def test_retry_running_is_404(clients, flow, state):
    f = flow()
    wid = f.make(state)
    refused_unchanged(f.api, wid, lambda: clients.workflows.retry_workflow(wid), 404,
                      f"Workflow is still running.  status={state}")


def test_retry_nothing_retriable_is_409(clients, flow):
    f = flow()
    wid = f.make("COMPLETED")
    refused_unchanged(f.api, wid, lambda: clients.workflows.retry_workflow(wid), 409,
                      "There are no retryable tasks! Use restart if you want to attempt entire workflow execution again.")
    refused(lambda: clients.workflows.retry_workflow(unknown_id()), 404)


# ---------------------------------------------------------------------------------------------
# skip


def test_skip_via_python_query_dict(clients, flow):
    f = flow(n=3, inputs={"t2": {"fromSkipped": "${t1.output.y}", "ok": "${t1.output.ok}",
                                 "inp": "${t1.input.a}"}})
    wid = f.start()
    t0 = poll_until(f.api, f.types[0])
    request = SkipTaskRequest(task_input={"a": 1, "nested": {"b": [1, 2]}},
                              task_output={"y": "it's", "ok": True, "none": None})
    clients.workflows.skip_task_from_workflow(wid, "t1", request)
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING"
    # As in OSS the skipped record has seq 0, and tasks are listed by seq: it comes first.
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [("t1", "SKIPPED"), ("t0", "IN_PROGRESS")]
    skipped = wf["tasks"][0]
    assert skipped["inputData"] == {"a": 1, "nested": {"b": [1, 2]}}
    assert skipped["outputData"] == {"y": "it's", "ok": True, "none": None}
    assert skipped["taskType"] == f.types[1]
    assert skipped["taskId"] not in (t0["taskId"],)

    complete(f.api, t0)
    wf = get_wf(f.api, wid)
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == \
        [("t1", "SKIPPED"), ("t0", "COMPLETED"), ("t2", "SCHEDULED")], summary(wf)
    assert wf["tasks"][2]["inputData"] == {"fromSkipped": "it's", "ok": True, "inp": 1}
    assert_nothing_to_poll(f.api, f.types[1])
    f.advance(wid)
    assert wait_status(f.api, wid, "COMPLETED")["tasks"][0]["status"] == "SKIPPED"


def test_skipping_the_last_task_completes_with_the_last_listed_output(clients, flow):
    f = flow(n=2)
    wid = f.start()
    r = requests.put(f"{f.api}/workflow/{wid}/skiptask/t1", json={"taskOutput": {"final": 1, "s": "z"}}, timeout=T)
    assert r.status_code == 200, r.text
    f.advance(wid, output={"first": 0})
    wf = wait_status(f.api, wid, "COMPLETED", timeout=5)
    # OSS takes the output of the last task listed (by seq), and the skipped record (seq 0) is first.
    assert wf["output"] == {"first": 0}
    assert [t["status"] for t in wf["tasks"]] == ["SKIPPED", "COMPLETED"]
    assert wf["tasks"][0]["outputData"] == {"final": 1, "s": "z"}


def test_skip_via_task_output_query_json(clients, flow):
    f = flow(n=2, inputs={"t1": {"got": "${t0.output.q}"}})
    wid = f.start()
    f.advance(wid)
    r = requests.put(f"{f.api}/workflow/{wid}/skiptask/t0", params={"taskOutput": '{"q": 5}'}, json={}, timeout=T)
    # t0 has already been processed: refused; skip the next unscheduled one instead in a fresh run.
    assert r.status_code == 500
    wid2 = f.start()
    r = requests.put(f"{f.api}/workflow/{wid2}/skiptask/t1", params={"taskOutput": '{"q": 5}'}, json={}, timeout=T)
    assert r.status_code == 200, r.text
    wf = get_wf(f.api, wid2)
    assert (wf["tasks"][0]["referenceTaskName"], wf["tasks"][0]["outputData"]) == ("t1", {"q": 5})


def test_skip_refusals(clients, flow):
    f = flow(n=3)
    wc = clients.workflows
    wid = f.start()
    name = f.name

    refused_unchanged(f.api, wid, lambda: wc.skip_task_from_workflow(wid, "nope", SkipTaskRequest()), 500,
                      f"The task referenced by nope does not exist in the WorkflowDefinition {name}")
    refused_unchanged(f.api, wid, lambda: wc.skip_task_from_workflow(wid, "t0", SkipTaskRequest()), 500,
                      "The task referenced t0 has already been processed, cannot be skipped")
    wc.skip_task_from_workflow(wid, "t2", SkipTaskRequest())
    refused_unchanged(f.api, wid, lambda: wc.skip_task_from_workflow(wid, "t2", SkipTaskRequest()), 500,
                      "The task referenced t2 has already been processed, cannot be skipped")

    wc.pause_workflow(wid)
    refused_unchanged(f.api, wid, lambda: wc.skip_task_from_workflow(wid, "t1", SkipTaskRequest()), 500,
                      f"The workflow {wid} is not running so the task referenced by t1 cannot be skipped")
    for state in ("COMPLETED", "FAILED", "TERMINATED"):
        other = f.make(state)
        refused_unchanged(f.api, other, lambda: wc.skip_task_from_workflow(other, "t2", SkipTaskRequest()), 500,
                          f"The workflow {other} is not running so the task referenced by t2 cannot be skipped")
    refused(lambda: wc.skip_task_from_workflow(unknown_id(), "t1", SkipTaskRequest()), 404)


# ---------------------------------------------------------------------------------------------
# rerun


def test_rerun_whole_workflow_with_new_input_and_correlation(clients, flow):
    f = flow()
    wid = f.start(input={"x": 1}, correlation_id="before")
    f.finish(wid)
    old = get_wf(f.api, wid)
    new_id = clients.workflows.rerun_workflow(
        wid, RerunWorkflowRequest(workflow_input={"x": 2, "extra": "e"}, correlation_id="after"))
    assert new_id == wid
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING" and wf["endTime"] == 0
    assert wf["input"] == {"x": 2, "extra": "e"}
    assert wf["correlationId"] == "after"
    assert wf["createTime"] == old["createTime"]
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [("t0", "SCHEDULED")]
    assert wf["tasks"][0]["taskId"] not in {t["taskId"] for t in old["tasks"]}
    assert wf["tasks"][0]["inputData"] == {"i": 0, "x": 2}
    f.finish(wid)


# TIMED_OUT is left out on purpose: rerun keeps createTime and does not touch lastRetriedTime, so a
# workflow timed out by its own timeoutSeconds times out again at once (OSS does the same).
@pytest.mark.parametrize("state", ["FAILED", "TERMINATED"])
def test_rerun_whole_from_unsuccessful_states(clients, flow, state):
    f = flow()
    wid = f.make(state)
    old = get_wf(f.api, wid)
    assert clients.workflows.rerun_workflow(wid, RerunWorkflowRequest()) == wid
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING" and wf["endTime"] == 0
    assert wf.get("reasonForIncompletion") is None
    assert wf["failedReferenceTaskNames"] == [] and wf["failedTaskNames"] == []
    assert wf["input"] == old["input"] and wf["createTime"] == old["createTime"]
    assert [(t["referenceTaskName"], t["status"], t["retryCount"]) for t in wf["tasks"]] == [("t0", "SCHEDULED", 0)]
    assert wf["tasks"][0]["taskId"] not in {t["taskId"] for t in old["tasks"]}


def test_rerun_from_task_with_task_input(clients, flow):
    f = flow(n=3)
    wid = f.start()
    f.finish(wid)
    old = get_wf(f.api, wid)
    t0, t1, t2 = old["tasks"]
    assert clients.workflows.rerun_workflow(
        wid, RerunWorkflowRequest(re_run_from_task_id=t1["taskId"], task_input={"z": 9})) == wid
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING"
    assert len(wf["tasks"]) == 2, f"tasks after the rerun task must be removed: {summary(wf)}"
    assert wf["tasks"][0] == t0
    again = wf["tasks"][1]
    assert again["taskId"] == t1["taskId"] and again["status"] == "SCHEDULED"
    assert again["inputData"] == {"z": 9}
    assert again["outputData"] == {}
    polled = poll_until(f.api, f.types[1])
    assert polled["taskId"] == t1["taskId"]
    complete(f.api, polled, output={"rerun": True})
    t2_new = f.open_task(wid)
    assert t2_new["referenceTaskName"] == "t2" and t2_new["taskId"] != t2["taskId"]
    f.advance(wid, output={"last": 1})
    assert wait_status(f.api, wid, "COMPLETED")["output"] == {"last": 1}


def test_rerun_from_a_switch_evaluates_it_again(clients, unique):
    # Baton: the decision picks its branch again (here with the rerun's new workflow input) under the
    # same task id; OSS resets it in place and, its branch gone, the workflow has nothing left to run.
    worker = unique("rerun_switch_w")
    register_taskdefs(clients.api, taskdef(worker))
    d = wf_def(unique("rerun_switch"), [
        {"name": "pick", "taskReferenceName": "pick", "type": "SWITCH", "evaluatorType": "value-param",
         "expression": "k", "inputParameters": {"k": "${workflow.input.k}"},
         "decisionCases": {"a": [simple(worker, "case_a")], "b": [simple(worker, "case_b")]}},
        simple(worker, "after")])
    register_workflow(clients.api, d)
    wid = clients.workflows.start_workflow(StartWorkflowRequest(name=d["name"], version=1, input={"k": "a"}))
    complete(clients.api, poll_until(clients.api, worker))
    clients.workflows.terminate_workflow(wid, reason="to rerun it")
    pick = next(t for t in get_wf(clients.api, wid)["tasks"] if t["referenceTaskName"] == "pick")
    assert clients.workflows.rerun_workflow(
        wid, RerunWorkflowRequest(re_run_from_task_id=pick["taskId"], workflow_input={"k": "b"})) == wid
    wf = get_wf(clients.api, wid)
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [("pick", "COMPLETED"), ("case_b", "SCHEDULED")]
    assert wf["tasks"][0]["taskId"] == pick["taskId"] and wf["tasks"][0]["outputData"]["selectedCase"] == "b"
    complete(clients.api, poll_until(clients.api, worker))
    complete(clients.api, poll_until(clients.api, worker))
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert [t["referenceTaskName"] for t in wf["tasks"]] == ["pick", "case_b", "after"]


def test_rerun_failed_from_failed_task(clients, flow):
    f = flow(n=2)
    wid = f.make("FAILED")
    failed_task = get_wf(f.api, wid)["tasks"][1]
    clients.workflows.rerun_workflow(wid, RerunWorkflowRequest(re_run_from_task_id=failed_task["taskId"]))
    wf = get_wf(f.api, wid)
    assert wf["status"] == "RUNNING" and wf.get("reasonForIncompletion") is None
    assert [(t["taskId"], t["status"]) for t in wf["tasks"]][1] == (failed_task["taskId"], "SCHEDULED")
    f.advance(wid)
    wait_status(f.api, wid, "COMPLETED")


def test_rerun_refusals(clients, flow):
    f = flow()
    wc = clients.workflows
    for state in ("RUNNING", "PAUSED"):
        wid = f.make(state)
        wf = get_wf(f.api, wid)
        refused_unchanged(f.api, wid, lambda: wc.rerun_workflow(wid, RerunWorkflowRequest()), 409,
                          f"Workflow: {long_name(wf)}.{state} is not in terminal state, unable to rerun.")
    done = f.make("COMPLETED")
    bogus = unknown_id()
    refused_unchanged(f.api, done, lambda: wc.rerun_workflow(done, RerunWorkflowRequest(re_run_from_task_id=bogus)),
                      400, f"Task {bogus} not found")
    refused(lambda: wc.rerun_workflow(unknown_id(), RerunWorkflowRequest()), 404)


# ---------------------------------------------------------------------------------------------
# delete / terminate-remove


@pytest.mark.parametrize("state", ["RUNNING", "PAUSED"])
def test_delete_archive_refused_while_running(clients, flow, state):
    f = flow()
    wid = f.make(state)
    msg = f"Cannot archive workflow: {wid} with status: {state}"
    refused_unchanged(f.api, wid, lambda: clients.workflows.delete_workflow(wid, archive_workflow=True), 400, msg)
    refused_unchanged(f.api, wid, lambda: clients.workflows.remove_workflow(wid), 400, msg)   # default = archive


@pytest.mark.parametrize("state", ["COMPLETED", "FAILED", "TERMINATED", "TIMED_OUT"])
def test_delete_archive_terminal(clients, flow, state):
    f = flow()
    wid = f.make(state)
    clients.workflows.delete_workflow(wid, archive_workflow=True)
    assert_gone(f.api, wid)
    refused(lambda: clients.workflows.delete_workflow(wid, archive_workflow=True), 404)


def test_delete_without_archive_while_running(clients, flow):
    f = flow()
    wid = f.start()
    polled = poll_until(f.api, f.types[0])
    other = f.start()           # its SCHEDULED t0 stays queued
    clients.workflows.delete_workflow(other, archive_workflow=False)
    clients.workflows.delete_workflow(wid, archive_workflow=False)
    assert_gone(f.api, wid)
    assert_gone(f.api, other)
    assert_nothing_to_poll(f.api, f.types[0])
    r = update(f.api, polled, output={"late": 1})
    assert r.status_code == 404, f"late update of a removed workflow: {r.status_code} {r.text}"
    refused(lambda: clients.tasks.update_task(TaskResult(workflow_instance_id=wid, task_id=polled["taskId"],
                                                         status="COMPLETED", worker_id="w")), 404)
    refused(lambda: clients.workflows.delete_workflow(unknown_id(), archive_workflow=False), 404)


def test_terminate_remove(clients, flow):
    f = flow()
    wid = f.start()
    r = requests.delete(f"{f.api}/workflow/{wid}/terminate-remove", params={"reason": "bye"}, json={}, timeout=T)
    assert r.status_code == 200, r.text
    assert_gone(f.api, wid)
    assert_nothing_to_poll(f.api, f.types[0])

    done = f.make("COMPLETED")
    before = get_wf(f.api, done)
    r = requests.delete(f"{f.api}/workflow/{done}/terminate-remove", json={}, timeout=T)
    assert r.status_code == 409 and r.json()["message"] == "Cannot terminate a COMPLETED workflow.", r.text
    assert get_wf(f.api, done) == before

    failed = f.make("FAILED")
    r = requests.delete(f"{f.api}/workflow/{failed}/terminate-remove", json={}, timeout=T)
    assert r.status_code == 200, r.text
    assert_gone(f.api, failed)
    r = requests.delete(f"{f.api}/workflow/{unknown_id()}/terminate-remove", json={}, timeout=T)
    assert r.status_code == 404, r.text


# ---------------------------------------------------------------------------------------------
# reset callbacks / decide


def test_resetcallbacks_makes_requeued_task_pollable(clients, flow):
    f = flow()
    wid = f.start()
    polled = poll_until(f.api, f.types[0])
    r = update(f.api, polled, status="IN_PROGRESS", output={"step": 1}, callbackAfterSeconds=60)
    assert r.status_code == 200, r.text
    task = get_wf(f.api, wid)["tasks"][0]
    assert task["status"] == "SCHEDULED" and task["callbackAfterSeconds"] == 60
    assert_nothing_to_poll(f.api, f.types[0])

    clients.workflows.workflowResourceApi.reset_workflow(wid)
    task = get_wf(f.api, wid)["tasks"][0]
    assert task["callbackAfterSeconds"] == 0
    again = poll_until(f.api, f.types[0], timeout=2)
    assert again["taskId"] == polled["taskId"]
    assert again["pollCount"] == 2
    complete(f.api, again)

    done = f.make("COMPLETED")
    refused_unchanged(f.api, done, lambda: clients.workflows.workflowResourceApi.reset_workflow(done), 409,
                      "Workflow is in terminal state. Status = COMPLETED")
    refused(lambda: clients.workflows.workflowResourceApi.reset_workflow(unknown_id()), 404)


def test_decide(clients, flow):
    f = flow()
    wid = f.start()
    before = get_wf(f.api, wid)
    clients.workflows.workflowResourceApi.decide(wid)
    after = get_wf(f.api, wid)
    assert after["status"] == "RUNNING"
    assert summary(after) == summary(before), "deciding a settled workflow schedules nothing new"
    refused(lambda: clients.workflows.workflowResourceApi.decide(unknown_id()), 404)


# ---------------------------------------------------------------------------------------------
# bulk


def check_bulk(resp, ok, errors):
    """resp: SDK BulkResponse; ok: ids expected to succeed; errors: {id: message or status-prefix-free text}."""
    assert sorted(resp.bulk_successful_results or []) == sorted(ok), resp
    got = resp.bulk_error_results or {}
    assert set(got) == set(errors), resp
    for wid, msg in errors.items():
        if msg is not None:
            assert got[wid] == msg, f"{wid}: expected {msg!r}, got {got[wid]!r}"


def test_bulk_pause_resume(clients, flow):
    f = flow()
    b = bulk_api(clients)
    r1, r2, done, paused = f.make("RUNNING"), f.make("RUNNING"), f.make("COMPLETED"), f.make("PAUSED")
    missing, garbage = unknown_id(), "not a workflow id"
    done_wf = get_wf(f.api, done)
    resp = b.pause_workflow([r1, r2, done, paused, missing, garbage])
    check_bulk(resp, [r1, r2, paused], {done: f"Workflow {long_name(done_wf)} has ended, status cannot be updated.",
                                        missing: None, garbage: None})
    for wid in (r1, r2, paused):
        assert get_wf(f.api, wid)["status"] == "PAUSED"
    assert get_wf(f.api, done) == done_wf

    r3 = f.make("RUNNING")
    resp = b.resume_workflow([r1, r2, r3, missing])
    check_bulk(resp, [r1, r2], {r3: f"The workflow {r3} is not PAUSED so cannot resume. Current status is RUNNING",
                                missing: None})
    for wid in (r1, r2, r3):
        assert get_wf(f.api, wid)["status"] == "RUNNING"

    raw = requests.put(f"{f.api}/workflow/bulk/pause", json=[r1, missing], timeout=T)
    assert raw.status_code == 200
    body = raw.json()
    assert body["bulkSuccessfulResults"] == [r1]
    assert list(body["bulkErrorResults"]) == [missing] and missing in body["bulkErrorResults"][missing]
    assert isinstance(body.get("message"), str)


def test_bulk_terminate_restart_retry(clients, flow):
    handler = flow(n=1)
    f = flow(failureWorkflow=handler.name)
    b = bulk_api(clients)
    running, paused, failed, done, terminated = (f.make(s) for s in
                                                  ("RUNNING", "PAUSED", "FAILED", "COMPLETED", "TERMINATED"))
    missing = unknown_id()
    done_wf = get_wf(f.api, done)
    resp = b.terminate([running, paused, failed, done, terminated, missing], reason="bulk stop & go",
                       triggerFailureWorkflow=True)
    check_bulk(resp, [running, paused, failed, terminated],
               {done: "Cannot terminate a COMPLETED workflow.", missing: None})
    for wid in (running, paused, failed):
        wf = get_wf(f.api, wid)
        assert wf["status"] == "TERMINATED" and wf["reasonForIncompletion"] == "bulk stop & go"
        assert not [t for t in wf["tasks"] if t["status"] in OPEN]
        fid = wf["output"].get("conductor.failure_workflow")
        assert fid, f"bulk terminate with triggerFailureWorkflow must start the failure workflow: {wf['output']}"
        assert get_wf(f.api, fid)["input"]["workflowId"] == wid
    assert get_wf(f.api, terminated)["reasonForIncompletion"] == "setup"      # no-op keeps the first reason
    assert get_wf(f.api, done) == done_wf

    running2 = f.make("RUNNING")
    rw = get_wf(f.api, running2)
    resp = b.restart([running, done, running2, missing])
    check_bulk(resp, [running, done],
               {running2: f"Workflow: {long_name(rw)}.RUNNING is not in terminal state, unable to restart.",
                missing: None})
    for wid in (running, done):
        wf = get_wf(f.api, wid)
        assert wf["status"] == "RUNNING" and [t["status"] for t in wf["tasks"]] == ["SCHEDULED"]

    failed2, done2 = f.make("FAILED"), f.make("COMPLETED")
    resp = b.retry([failed2, paused, done2, running2, missing])
    check_bulk(resp, [failed2, paused],
               {done2: "There are no retryable tasks! Use restart if you want to attempt entire workflow "
                       "execution again.",
                running2: "Workflow is still running.  status=RUNNING", missing: None})
    assert get_wf(f.api, failed2)["status"] == "RUNNING"
    assert get_wf(f.api, paused)["status"] == "RUNNING"


def test_bulk_remove_terminate_remove_search(clients, flow):
    f = flow()
    running, done, failed, running2, done2 = (f.make(s) for s in ("RUNNING", "COMPLETED", "FAILED", "RUNNING",
                                                                  "COMPLETED"))
    missing = unknown_id()

    r = requests.post(f"{f.api}/workflow/bulk/search", json=[running, done, missing], timeout=T)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(w["workflowId"] for w in body["bulkSuccessfulResults"]) == sorted([running, done])
    assert all("tasks" in w for w in body["bulkSuccessfulResults"])
    assert list(body["bulkErrorResults"]) == [missing]

    r = requests.delete(f"{f.api}/workflow/bulk/remove", json=[running, done, missing], timeout=T)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["bulkSuccessfulResults"] == [done]
    assert body["bulkErrorResults"][running] == f"Cannot archive workflow: {running} with status: RUNNING"
    assert missing in body["bulkErrorResults"]
    assert_gone(f.api, done)
    assert get_wf(f.api, running)["status"] == "RUNNING"

    r = requests.delete(f"{f.api}/workflow/bulk/remove", params={"archiveWorkflow": "False"},
                        json=[running, missing], timeout=T)
    assert r.status_code == 200 and r.json()["bulkSuccessfulResults"] == [running], r.text
    assert_gone(f.api, running)

    r = requests.delete(f"{f.api}/workflow/bulk/terminate-remove", params={"reason": "x"},
                        json=[running2, failed, done2, missing], timeout=T)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["bulkSuccessfulResults"]) == sorted([running2, failed])
    assert body["bulkErrorResults"][done2] == "Cannot terminate a COMPLETED workflow."
    assert set(body["bulkErrorResults"]) == {done2, missing}
    assert_gone(f.api, running2)
    assert_gone(f.api, failed)
    assert get_wf(f.api, done2)["status"] == "COMPLETED"


def test_bulk_limits(clients, flow):
    f = flow()
    wid = f.make("RUNNING")
    too_many = [wid] + [unknown_id() for _ in range(1000)]
    for method, path in [("PUT", "pause"), ("PUT", "resume"), ("POST", "restart"), ("POST", "retry"),
                         ("POST", "terminate"), ("DELETE", "remove"), ("DELETE", "terminate-remove"),
                         ("POST", "search")]:
        r = requests.request(method, f"{f.api}/workflow/bulk/{path}", json=too_many, timeout=T)
        assert r.status_code == 400, f"{method} bulk/{path} with 1001 ids: {r.status_code} {r.text[:200]}"
    assert get_wf(f.api, wid)["status"] == "RUNNING", "a refused bulk request must change nothing"
    refused(lambda: bulk_api(clients).pause_workflow(too_many), 400)

    r = requests.put(f"{f.api}/workflow/bulk/pause", json=[], timeout=T)
    assert r.status_code == 200 and r.json()["bulkSuccessfulResults"] == [] and r.json()["bulkErrorResults"] == {}
    exactly = [wid] + [unknown_id() for _ in range(999)]
    r = requests.put(f"{f.api}/workflow/bulk/pause", json=exactly, timeout=T)
    assert r.status_code == 200 and r.json()["bulkSuccessfulResults"] == [wid] and \
        len(r.json()["bulkErrorResults"]) == 999
