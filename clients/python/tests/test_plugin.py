"""The plugin's own tests, written the way a user writes theirs: the `baton` fixture, real durations."""
import threading
import time

from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_def import TaskDef
from conductor.client.http.models.task_result import TaskResult
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.wait_task import WaitTask

HOUR = 3_600_000
MINUTE = 60_000


def start(baton, name, inputs=None):
    return baton.workflow_client.start_workflow(StartWorkflowRequest(name=name, version=1, input=inputs or {}))


def test_a_one_hour_wait_ends_on_advance_and_not_before(baton_clean):
    baton = baton_clean
    wf = ConductorWorkflow(executor=baton.executor, name="nightly_report", version=1)
    wf.add(WaitTask(task_ref_name="sleep", wait_for_seconds=3600))
    wf.register(overwrite=True)
    wf_id = start(baton, "nightly_report")

    baton.advance(minutes=59, seconds=59)
    assert baton.workflow_client.get_workflow(wf_id, False).status == "RUNNING"
    baton.advance(seconds=1)
    run = baton.workflow_client.get_workflow(wf_id, True)
    assert run.status == "COMPLETED"
    assert run.end_time - run.start_time == HOUR


def test_wait_then_three_backed_off_retries_then_time_out_in_well_under_a_second(baton_clean):
    baton = baton_clean
    began = time.monotonic()
    baton.metadata_client.register_task_def(TaskDef(
        name="charge_card", retry_count=3, retry_logic="EXPONENTIAL_BACKOFF", retry_delay_seconds=600,
        timeout_seconds=0, response_timeout_seconds=60, poll_timeout_seconds=60, timeout_policy="RETRY"))
    wf = ConductorWorkflow(executor=baton.executor, name="charge_later", version=1)
    wf.add(WaitTask(task_ref_name="cooling_off", wait_for_seconds=3600))
    wf.add(SimpleTask(task_def_name="charge_card", task_reference_name="charge"))
    wf.register(overwrite=True)
    wf_id = start(baton, "charge_later")
    t0 = baton.now()

    # Nobody polls: each attempt times out in the queue 60 s after it became visible (plus the retry
    # delay once more, as OSS counts a rescheduled task's poll timeout), then waits 10, 20, 40 minutes.
    baton.advance(hours=3)
    assert baton.workflow_client.get_workflow(wf_id, False).status == "RUNNING"
    baton.advance(hours=1)
    run = baton.workflow_client.get_workflow(wf_id, True)
    assert run.status == "TIMED_OUT"
    attempts = [t for t in run.tasks if t.reference_task_name == "charge"]
    assert [t.status for t in attempts] == ["TIMED_OUT"] * 4
    assert [t.start_delay_in_seconds for t in attempts] == [0, 600, 1200, 2400]
    assert [(t.scheduled_time - t0) // 1000 for t in attempts] == [3600, 3660, 4920, 7380]
    assert [(t.end_time - t0) // 1000 for t in attempts] == [3660, 4920, 7380, 12240]
    assert (run.end_time - t0) // 1000 == 12240
    assert time.monotonic() - began < 1.0


def test_a_worker_is_answered_at_once_and_an_empty_long_poll_ends_with_the_clock(baton_clean):
    baton = baton_clean
    baton.metadata_client.register_task_def(TaskDef(name="ship_order", retry_count=0))
    wf = ConductorWorkflow(executor=baton.executor, name="ship", version=1)
    wf.add(SimpleTask(task_def_name="ship_order", task_reference_name="ship"))
    wf.register(overwrite=True)
    wf_id = start(baton, "ship")
    [task] = baton.task_client.batch_poll_tasks("ship_order", "w1", 1, 5000)
    baton.task_client.update_task(TaskResult(workflow_instance_id=wf_id, task_id=task.task_id, status="COMPLETED",
                                             output_data={"tracking": "X1"}))
    assert baton.workflow_client.get_workflow(wf_id, False).status == "COMPLETED"

    # An empty queue's long poll waits for the clock, not the wall: it answers once time passes 5 s.
    answer = []
    poller = threading.Thread(target=lambda: answer.append(baton.task_client.batch_poll_tasks("ship_order", "w1", 1, 5000)))
    poller.start()
    poller.join(0.3)
    assert poller.is_alive()
    baton.advance(seconds=5)
    poller.join(5)
    assert answer == [[]]


def test_reset_is_fast_and_ids_start_over(baton):
    baton.reset()
    wf = ConductorWorkflow(executor=baton.executor, name="tiny", version=1)
    wf.add(WaitTask(task_ref_name="w", wait_for_seconds=10))
    wf.register(overwrite=True)
    first = [start(baton, "tiny") for _ in range(20)]
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        baton.reset()
        timings.append((time.perf_counter() - began) * 1000)
        again = [start(baton, "tiny") for _ in range(20)]
        assert again == first   # sequential ids: the same on every run
    timings.sort()
    print(f"\nreset: median {timings[2]:.2f} ms over 5 (20 workflows each)")
    assert baton.workflow_client.get_workflow(first[0], False).status == "RUNNING"
    baton.reset(definitions=True)
    assert baton.metadata_client.get_all_workflow_defs() == []
