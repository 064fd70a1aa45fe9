"""The SDK's own worker machinery (TaskHandler + @worker_task) and synchronous execute against Baton."""
import os
import time
import uuid

from conductor.client.automator.task_handler import TaskHandler
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task import Task
from conductor.client.worker.worker_task import worker_task
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.simple_task import SimpleTask

from execution_support import (BackgroundWorker, get_wf, register_taskdefs, register_workflow, simple, start,
                               taskdef, wait_until, wf_def)

# Task names are fixed at import time. TaskHandler runs workers in spawned processes that re-import this
# module, so the suffix travels through the environment to keep the names identical there.
SUFFIX = os.environ.setdefault("BB_SDK_WORKERS_SUFFIX", uuid.uuid4().hex[:10])
ADD = f"sdk_add_{SUFFIX}"
GREET = f"sdk_greet_{SUFFIX}"
FLAKY = f"sdk_flaky_{SUFFIX}"


@worker_task(task_definition_name=ADD, poll_interval_millis=50)
def add_numbers(a: int, b: int) -> dict:
    return {"sum": a + b}


@worker_task(task_definition_name=GREET, poll_interval_millis=50)
def greet(name: str, total: int) -> str:
    return f"hello {name}, total {total}"


@worker_task(task_definition_name=FLAKY, poll_interval_millis=50)
def flaky(task: Task) -> dict:
    if task.retry_count == 0:
        raise RuntimeError("first attempt always fails")
    return {"attempt": task.retry_count, "wf": task.workflow_instance_id}


def test_task_handler_completes_workflows_end_to_end(clients, unique):
    register_taskdefs(clients.api, taskdef(ADD), taskdef(GREET),
                      taskdef(FLAKY, retryCount=1, retryDelaySeconds=0))
    wname = unique("sdk_e2e_wf")
    register_workflow(clients.api, wf_def(wname, [
        simple(ADD, "add_ref", {"a": "${workflow.input.a}", "b": "${workflow.input.b}"}),
        simple(GREET, "greet_ref", {"name": "${workflow.input.name}", "total": "${add_ref.output.sum}"}),
        simple(FLAKY, "flaky_ref", {}),
    ], outputParameters={"sum": "${add_ref.output.sum}", "greeting": "${greet_ref.output.result}",
                         "attempt": "${flaky_ref.output.attempt}"}))

    inputs = {start(clients.api, wname, {"a": i, "b": 10 * i, "name": f"n{i}"}): i for i in range(8)}

    handler = TaskHandler(configuration=Configuration(server_api_url=clients.api), scan_for_annotated_workers=True,
                          monitor_processes=False)
    handler.start_processes()
    try:
        def all_done():
            states = {wid: get_wf(clients.api, wid)["status"] for wid in inputs}
            bad = {w: s for w, s in states.items() if s not in ("RUNNING", "COMPLETED")}
            assert not bad, f"workflows ended unsuccessfully: {bad}"
            return all(s == "COMPLETED" for s in states.values())

        wait_until(all_done, 60, interval=0.25, what="SDK workers to finish every workflow")
    finally:
        handler.stop_processes()

    for wid, i in inputs.items():
        wf = get_wf(clients.api, wid)
        assert wf["output"] == {"sum": 11 * i, "greeting": f"hello n{i}, total {11 * i}", "attempt": 1}, wf["output"]
        flaky_attempts = [t for t in wf["tasks"] if t["referenceTaskName"] == "flaky_ref"]
        assert [t["status"] for t in flaky_attempts] == ["FAILED", "COMPLETED"]
        assert "first attempt always fails" in (flaky_attempts[0].get("reasonForIncompletion") or "")
        for t in wf["tasks"]:
            assert t.get("workerId"), f"task {t['referenceTaskName']} has no workerId"


def two_types_workflow(clients, unique, prefix):
    fast, slow = unique(prefix + "_fast"), unique(prefix + "_slow")
    register_taskdefs(clients.api, taskdef(fast), taskdef(slow))
    wname = unique(prefix + "_wf")
    register_workflow(clients.api, wf_def(wname, [
        simple(fast, "f1", {"x": "${workflow.input.x}"}),
        simple(fast, "f2", {"y": "${f1.output.y}"}),
        simple(slow, "s3", {}),
    ], outputParameters={"z": "${f2.output.z}"}))
    return fast, slow, wname


def test_execute_waits_for_completion(clients, unique):
    fast, slow, wname = two_types_workflow(clients, unique, "exec_all")

    def work(task):
        data = task["inputData"]
        if "x" in data:
            return {"y": data["x"] + 1}
        if "y" in data:
            return {"z": data["y"] * 2}
        return {"slow": True}

    with BackgroundWorker(clients.api, fast, work), BackgroundWorker(clients.api, slow, work):
        t0 = time.monotonic()
        run = clients.workflows.execute_workflow(StartWorkflowRequest(name=wname, version=1, input={"x": 4}),
                                                 request_id="req-all", wait_for_seconds=10)
        took = time.monotonic() - t0
    print(f"execute to completion took {took:.2f}s")
    assert run.status == "COMPLETED", f"execute returned {run.status}"
    assert run.output == {"z": 10}
    assert run.request_id == "req-all"
    assert run.workflow_id and get_wf(clients.api, run.workflow_id)["status"] == "COMPLETED"
    assert [t.reference_task_name for t in run.tasks] == ["f1", "f2", "s3"]
    assert took < 9, "execute should return when the workflow completes, not at the end of the wait"


def test_execute_until_task_ref(clients, unique):
    fast, slow, wname = two_types_workflow(clients, unique, "exec_ref")

    with BackgroundWorker(clients.api, fast, lambda t: {"y": 1, "z": 2}):
        t0 = time.monotonic()
        run = clients.workflows.execute_workflow(StartWorkflowRequest(name=wname, version=1, input={"x": 1}),
                                                 request_id="req-ref", wait_until_task_ref="f2", wait_for_seconds=10)
        took = time.monotonic() - t0
    print(f"execute until f2 took {took:.2f}s")
    assert run.status == "RUNNING", "s3 has no worker: the workflow is still running"
    states = {t.reference_task_name: t.status for t in run.tasks}
    assert states["f2"] == "COMPLETED", states
    assert took < 9, "execute should return as soon as f2 is done"


def test_execute_wait_runs_out(clients, unique):
    fast, slow, wname = two_types_workflow(clients, unique, "exec_timeout")
    t0 = time.monotonic()
    r = clients.workflows.execute_workflow(StartWorkflowRequest(name=wname, version=1, input={"x": 1}),
                                           request_id="req-timeout", wait_for_seconds=2)
    took = time.monotonic() - t0
    print(f"execute with nobody working returned after {took:.2f}s (waitForSeconds=2)")
    assert r.status == "RUNNING"
    assert [t.status for t in r.tasks] == ["SCHEDULED"]
    assert 1.8 <= took < 8, f"returned after {took:.2f}s"


def test_conductor_workflow_execute_with_embedded_definition(clients, unique):
    tname = unique("cw_exec_task")
    register_taskdefs(clients.api, taskdef(tname))
    task = SimpleTask(task_def_name=tname, task_reference_name="only")
    task.input_parameters.update({"v": "${workflow.input.v}"})
    workflow = ConductorWorkflow(executor=clients.executor, name=unique("cw_exec_wf"), version=1)
    workflow.add(task)
    workflow.output_parameters({"doubled": "${only.output.d}"})

    with BackgroundWorker(clients.api, tname, lambda t: {"d": t["inputData"]["v"] * 2}):
        run = workflow.execute(workflow_input={"v": 21}, wait_for_seconds=10)
    assert run.status == "COMPLETED"
    assert run.output == {"doubled": 42}
    assert run.input.get("v") == 21
