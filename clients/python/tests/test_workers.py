"""Real conductor-python workers (TaskHandler + @worker_task) against the fixture's manual clock."""
import time

from conductor.client.automator.task_handler import TaskHandler
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_def import TaskDef
from conductor.client.worker.worker_task import worker_task
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.wait_task import WaitTask


@worker_task(task_definition_name="greet_customer", poll_interval_millis=20)
def greet_customer(name: str) -> dict:
    return {"greeting": f"hello {name}"}


def test_workers_pick_up_the_task_a_two_hour_wait_leads_to(baton_clean):
    baton = baton_clean
    baton.metadata_client.register_task_def(TaskDef(name="greet_customer", retry_count=0))
    wf = ConductorWorkflow(executor=baton.executor, name="greet_later", version=1)
    wf.add(WaitTask(task_ref_name="later", wait_for_seconds=7200))
    wf.add(SimpleTask(task_def_name="greet_customer", task_reference_name="greet").input_parameter("name", "${workflow.input.name}"))
    wf.register(overwrite=True)

    handler = TaskHandler(configuration=baton.configuration, scan_for_annotated_workers=True, monitor_processes=False)
    handler.start_processes()
    try:
        wf_id = baton.workflow_client.start_workflow(StartWorkflowRequest(name="greet_later", version=1, input={"name": "Ada"}))
        baton.advance(hours=2)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            run = baton.workflow_client.get_workflow(wf_id, True)
            if run.status != "RUNNING":
                break
            time.sleep(0.05)
        assert run.status == "COMPLETED"
        assert run.tasks[-1].output_data == {"greeting": "hello Ada"}
        # The worker ran while the clock stood still: its task started and ended at the WAIT's end.
        assert run.tasks[-1].start_time == run.tasks[0].end_time == run.tasks[-1].end_time
    finally:
        handler.stop_processes()
