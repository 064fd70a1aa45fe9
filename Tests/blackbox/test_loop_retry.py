"""DO_WHILE and retries, as OSS (DoWhileSpec): a body task with retries left is retried inside the same
iteration; with none left the workflow fails and the open loop task is CANCELED. Retrying the workflow
then reopens the loop in place (same task id, IN_PROGRESS, as OSS does for a canceled DO_WHILE), the
failed body task gets a new attempt with the same `ref__N`, and the loop finishes its iterations."""
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
    assert loop_before["status"] == "CANCELED"

    clients.workflows.retry_workflow(wid)
    wf = get_wf(api, wid)
    assert wf["status"] == "RUNNING"
    loop = tasks_by_ref(wf, "loop")
    assert len(loop) == 1 and loop[0]["taskId"] == loop_before["taskId"]
    assert loop[0]["status"] == "IN_PROGRESS" and loop[0]["retryCount"] == 0
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


def test_a_body_task_with_a_retry_left_is_retried_in_the_same_iteration(clients, unique):
    api = clients.api
    worker_task, name = unique("loopr"), unique("loop_task_retry")
    register_taskdefs(api, taskdef(worker_task, retryCount=1, retryDelaySeconds=0))
    register_workflow(api, wf_def(name, [
        {"name": "loop", "taskReferenceName": "loop", "type": "DO_WHILE",
         "loopCondition": "$.loop.iteration < 2",
         "loopOver": [{"name": worker_task, "taskReferenceName": "body", "type": "SIMPLE"}]},
    ]))
    wid = start(api, name)
    complete(api, poll_until(api, worker_task), status="FAILED", reasonForIncompletion="flaky")
    retry = poll_until(api, worker_task)
    assert retry["referenceTaskName"] == "body__1" and retry["retryCount"] == 1
    loop = tasks_by_ref(get_wf(api, wid), "loop")[-1]
    assert loop["status"] == "IN_PROGRESS" and loop["outputData"].get("iteration") == 1
    complete(api, retry, output={"i": 1})
    complete(api, poll_until(api, worker_task), output={"i": 2})
    done = wait_status(api, wid, {"COMPLETED"})
    assert [t["status"] for t in tasks_by_ref(done, "body__1")] == ["FAILED", "COMPLETED"]
    assert [t["status"] for t in tasks_by_ref(done, "body__2")] == ["COMPLETED"]
    assert tasks_by_ref(done, "loop")[-1]["status"] == "COMPLETED"
