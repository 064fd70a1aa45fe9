"""The same test twice: on the real clock with durations scaled down to seconds, and on the manual
clock with the real durations (1 hour, 10-minute backoff). Prints the wall time of each.

    BATON_BIN=.build/release/baton python clients/python/examples/real_vs_manual_clock.py
"""
import time

from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_def import TaskDef
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.wait_task import WaitTask

from baton_testing import BatonServer


def scenario(baton, wait_seconds, retry_delay_seconds, poll_timeout_seconds, wait_for_end):
    """WAIT, then a task nobody polls: it times out in the queue, is retried three times with
    exponential backoff, and the workflow ends TIMED_OUT."""
    baton.metadata_client.register_task_def(TaskDef(
        name="charge_card", retry_count=3, retry_logic="EXPONENTIAL_BACKOFF", retry_delay_seconds=retry_delay_seconds,
        timeout_seconds=0, response_timeout_seconds=poll_timeout_seconds, poll_timeout_seconds=poll_timeout_seconds,
        timeout_policy="RETRY"))
    wf = ConductorWorkflow(executor=baton.executor, name="charge_later", version=1)
    wf.add(WaitTask(task_ref_name="cooling_off", wait_for_seconds=wait_seconds))
    wf.add(SimpleTask(task_def_name="charge_card", task_reference_name="charge"))
    wf.register(overwrite=True)
    wf_id = baton.workflow_client.start_workflow(StartWorkflowRequest(name="charge_later", version=1, input={}))
    wait_for_end()
    status = baton.workflow_client.get_workflow(wf_id, False).status
    assert status == "TIMED_OUT", status
    return status


def on_real_clock():
    with BatonServer(clock="wall", ids="uuid") as baton:
        began = time.monotonic()

        def poll_until_ended():
            # The test has to sleep until the server's timers have run: poll the status.
            while True:
                runs = baton.workflow_client.search(query="workflowType IN (charge_later) AND status IN (TIMED_OUT)")
                if runs.results:
                    return
                time.sleep(0.05)
        scenario(baton, wait_seconds=6, retry_delay_seconds=1, poll_timeout_seconds=1, wait_for_end=poll_until_ended)
        return time.monotonic() - began


def on_manual_clock():
    with BatonServer() as baton:
        began = time.monotonic()
        scenario(baton, wait_seconds=3600, retry_delay_seconds=600, poll_timeout_seconds=60,
                 wait_for_end=lambda: baton.advance(hours=4))
        return time.monotonic() - began


if __name__ == "__main__":
    manual = sorted(on_manual_clock() for _ in range(5))
    print(f"manual clock, real durations (1 h wait, 10/20/40 min backoff, 60 s timeouts): median {manual[2]:.3f} s of wall time over 5 runs")
    real = on_real_clock()
    print(f"real clock, durations scaled down (6 s wait, 1/2/4 s backoff, 1 s timeouts): {real:.3f} s of wall time")
