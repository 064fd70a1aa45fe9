"""Retrying a workflow that failed inside a DO_WHILE: the loop is reopened in place (same task id,
retryCount + 1), the failed body task gets a new attempt with the same `ref__N`, and the loop then
finishes its iterations and the workflow moves past it."""
from execution_support import (complete, get_wf, poll_until, register_taskdefs, register_workflow, start,
                               taskdef, tasks_by_ref, wait_status, wf_def)


def test_retry_reopens_the_loop_in_place(clients, unique):
    api = clients.api
    worker_task, name = unique("loopw"), unique("loop_retry")
    register_taskdefs(api, taskdef(worker_task))
    register_workflow(api, wf_def(name, [
        {"name": "loop", "taskReferenceName": "loop", "type": "DO_WHILE",
         "loopCondition": "$.loop.iteration < 2",
         "loopOver": [{"name": worker_task, "taskReferenceName": "body", "type": "SIMPLE"}]},
        {"name": "after", "taskReferenceName": "after", "type": "NOOP"},
    ]))
    wid = start(api, name)
    complete(api, poll_until(api, worker_task), output={"i": 1})
    complete(api, poll_until(api, worker_task), status="FAILED", reasonForIncompletion="bad")
    failed = wait_status(api, wid, {"FAILED"})
    loop_before = tasks_by_ref(failed, "loop")[-1]
    assert loop_before["status"] == "FAILED"

    clients.workflows.retry_workflow(wid)
    wf = get_wf(api, wid)
    assert wf["status"] == "RUNNING"
    loop = tasks_by_ref(wf, "loop")
    assert len(loop) == 1 and loop[0]["taskId"] == loop_before["taskId"]
    assert loop[0]["status"] == "IN_PROGRESS" and loop[0]["retryCount"] == 1
    attempts = tasks_by_ref(wf, "body__2")
    assert [t["status"] for t in attempts] == ["FAILED", "SCHEDULED"]
    assert attempts[0]["retried"] is True and attempts[1]["retriedTaskId"] == attempts[0]["taskId"]

    complete(api, poll_until(api, worker_task), output={"i": 2})
    done = wait_status(api, wid, {"COMPLETED"})
    loop = tasks_by_ref(done, "loop")[-1]
    assert loop["status"] == "COMPLETED"
    assert loop["outputData"]["iteration"] == 2
    assert loop["outputData"]["2"] == {"body": {"i": 2}}
    assert tasks_by_ref(done, "after")[-1]["status"] == "COMPLETED"
