"""The web UI in a real headless Chromium (issue: web UI): a workflow with a fork, a switch, a loop and a
sub-workflow is run with conductor-python; each page is opened and checked for what it must show, a
screenshot of each is kept, each action is done from its page and its effect read back through the API,
and a workflow input holding <script> shows as text."""
import json
import os
import time
from pathlib import Path

import pytest
import requests
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.save_schedule_request import SaveScheduleRequest
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.orkes_clients import OrkesClients
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.task.do_while_task import LoopTask
from conductor.client.workflow.task.fork_task import ForkTask
from conductor.client.workflow.task.inline import InlineTask
from conductor.client.workflow.task.set_variable_task import SetVariableTask
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.sub_workflow_task import SubWorkflowTask
from conductor.client.workflow.task.switch_task import SwitchTask
from conductor.client.workflow.task.wait_task import WaitTask

from chromium import Browser, find_chromium

ARTIFACTS = Path(os.environ.get("BATON_UI_ARTIFACTS", Path(__file__).resolve().parents[2] / ".build" / "ui-artifacts"))
XSS = "<script>window.__injected = 1</script><img src=x onerror=window.__injected=2>"


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if not binary:
        pytest.skip("no Chromium on this machine: the test script installs Debian's `chromium` package when it runs as root")
    b = Browser(binary)
    yield b
    b.close()


def set_var(ref, **values):
    t = SetVariableTask(ref)
    t.input_parameters.update(values)
    return t


def shot(browser, name, dark=False):
    return browser.screenshot(str(ARTIFACTS / f"{name}.png"), dark=dark)


@pytest.fixture(scope="module")
def shapes(clients):
    """Registers a child and a parent with every shape the diagram draws; returns the parent's name."""
    suffix = os.urandom(4).hex()
    child = ConductorWorkflow(executor=clients.executor, name=f"ui_child_{suffix}", version=1)
    child.add(set_var("child_step", done=True))
    child.register(overwrite=True)

    parent = ConductorWorkflow(executor=clients.executor, name=f"ui_shapes_{suffix}", version=1)
    parent.input_parameters(["kind", "note"])
    fork = ForkTask("fan_out", [[set_var("left_step", side="left")],
                                [InlineTask("right_step", "(function(){ return 40 + 2; })()")]])
    switch = SwitchTask("pick", "${workflow.input.kind}")
    switch.switch_case("a", [set_var("case_a_step", picked="a")])
    switch.switch_case("b", [set_var("case_b_step", picked="b")])
    switch.default_case([set_var("default_step", picked="neither")])
    loop = LoopTask("repeat", 3, [set_var("loop_body", tick=True)])
    parent.add(fork)
    parent.add(switch)
    parent.add(loop)
    parent.add(SubWorkflowTask("call_child", child.name, 1))
    parent.add(WaitTask("approval"))
    parent.register(overwrite=True)
    return parent.name


def start(clients, name, **input):
    return clients.workflows.start_workflow(StartWorkflowRequest(name=name, version=1, input=input, correlation_id="ui-test"))


def workflow(clients, wid):
    return clients.workflows.get_workflow(wid, include_tasks=True)


def wait_task(clients, wid, ref, status="IN_PROGRESS", timeout=15):
    deadline = time.time() + timeout
    while True:
        wf = workflow(clients, wid)
        if any(t.reference_task_name == ref and t.status == status for t in wf.tasks):
            return wf
        assert time.time() < deadline, f"{ref} never {status}: {[(t.reference_task_name, t.status) for t in wf.tasks]}"
        time.sleep(0.05)


def wait_status(clients, wid, status, failure, timeout=15):
    deadline = time.time() + timeout
    while workflow(clients, wid).status != status:
        assert time.time() < deadline, failure
        time.sleep(0.05)


def nightly_schedule(clients, name, workflow_name):
    """Saves a schedule (03:00 every day) of `workflow_name` through conductor-python; returns its client."""
    scheduler = OrkesClients(Configuration(server_api_url=clients.api)).get_scheduler_client()
    scheduler.save_schedule(SaveScheduleRequest(name=name, cron_expression="0 0 3 * * ?",
                                                start_workflow_request=StartWorkflowRequest(name=workflow_name, version=1)))
    return scheduler


def submit(browser, form_selector, fill=None):
    """Fills a form's fields (selector -> value) and submits it as a person would.

    The answer to an earlier action (its flash or error) is cleared first, so `succeeded` waits for this one's."""
    browser.evaluate("document.querySelectorAll('#flash, output.result.error').forEach(el => el.remove())")
    for selector, value in (fill or {}).items():
        browser.evaluate(f"""(() => {{ const el = document.querySelector({json.dumps(form_selector + ' ' + selector)});
            if (el.type === 'checkbox') el.checked = {json.dumps(bool(value))}; else el.value = {json.dumps(value)}; }})()""")
    browser.evaluate(f"document.querySelector({json.dumps(form_selector)}).requestSubmit()")


def succeeded(browser, what):
    """Waits for the page's answer to an action: the flash of success, or the API's error, which fails the test."""
    browser.wait_for("!!(document.getElementById('flash') || document.querySelector('output.result.error'))")
    error = browser.evaluate("(document.querySelector('output.result.error') || {}).textContent || ''")
    assert not error, f"{what}: {error}"


def test_execution_page_shows_every_shape_and_escapes_input(server, clients, browser, shapes):
    wid = start(clients, shapes, kind="b", note=XSS)
    wait_task(clients, wid, "approval")
    browser.open(f"{server}/execution/{wid}")
    text = browser.text()
    assert shapes in text and "RUNNING" in text and "ui-test" in text
    # The hostile input is shown as text and ran nothing.
    assert XSS in text
    assert browser.evaluate("window.__injected === undefined")
    assert browser.evaluate("document.querySelectorAll('#main script, #main img').length") == 0
    # Diagram: fork branches side by side, the case taken marked, the loop's iterations, the child linked.
    nodes = browser.evaluate("Object.fromEntries([...document.querySelectorAll('svg.diagram g.node')].map(g => [g.dataset.ref, g.getAttribute('class')]))")
    assert nodes["left_step"] == "node st-completed" and nodes["right_step"] == "node st-completed"
    assert nodes["case_b_step"] == "node st-completed" and nodes["case_a_step"] == "node not-reached"
    assert nodes["approval"] == "node st-in_progress"
    left = browser.evaluate("document.querySelector('g.node[data-ref=left_step] rect').getAttribute('y')")
    right = browser.evaluate("document.querySelector('g.node[data-ref=right_step] rect').getAttribute('y')")
    assert left == right, "fork branches are drawn side by side"
    assert browser.evaluate("[...document.querySelectorAll('svg.diagram text.case-label.taken')].map(t => t.textContent)") == ["b"]
    assert "3 iterations" in browser.evaluate("document.querySelector('g.node[data-ref=repeat]').textContent")
    child_id = next(t.sub_workflow_id for t in workflow(clients, wid).tasks if t.reference_task_name == "call_child")
    assert browser.evaluate(f"!!document.querySelector('svg.diagram a[href=\"/execution/{child_id}\"]')")
    # Task list and timeline: one row and one bar per attempt, with worker-facing details.
    attempts = len(workflow(clients, wid).tasks)
    assert browser.evaluate("document.querySelectorAll('tr.task-row').length") == attempts
    assert browser.evaluate("document.querySelectorAll('svg.timeline text.row-label').length") == attempts
    browser.evaluate("document.querySelector('tr.task-detail details').open = true")
    browser.wait_for("document.querySelector('tr.task-detail pre.logs').textContent !== 'loading…'")
    shot(browser, "execution")
    shot(browser, "execution-dark", dark=True)

    # Complete the waiting WAIT task from the page, with output; the API sees it, and the page follows.
    submit(browser, "form.complete", {"textarea[name=output]": '{"approved": true}', "select[name=status]": "COMPLETED"})
    wait_status(clients, wid, "COMPLETED", "the WAIT task completed from the page did not finish the workflow")
    approval = next(t for t in workflow(clients, wid).tasks if t.reference_task_name == "approval")
    assert approval.status == "COMPLETED" and approval.output_data == {"approved": True}
    browser.wait_for("document.getElementById('live').dataset.status === 'COMPLETED'")


def test_management_actions_from_the_execution_page(server, clients, browser, shapes):
    wid = start(clients, shapes, kind="a")
    wait_task(clients, wid, "approval")
    page = f"{server}/execution/{wid}"

    def act(action, fill=None):
        browser.open(page)
        submit(browser, f"form[data-api$='{action}']", fill)
        succeeded(browser, action)

    def status():
        return workflow(clients, wid).status

    act("/pause")
    assert status() == "PAUSED"
    act("/resume")
    assert status() == "RUNNING"
    # Skip a case that was not taken: a SKIPPED record, the workflow goes on waiting.
    act("/skiptask/{ref}", {"select[name=ref]": "case_b_step"})
    wf = workflow(clients, wid)
    assert wf.status == "RUNNING" and [t.status for t in wf.tasks if t.reference_task_name == "case_b_step"] == ["SKIPPED"]
    # A refused action shows the API's own message on the page and changes nothing.
    before = len(wf.tasks)
    browser.open(page)
    submit(browser, "form[data-api$='/skiptask/{ref}']", {"select[name=ref]": "approval"})
    shown = browser.wait_for("(document.querySelector('output.result.error') || {}).textContent")
    api = requests.put(f"{clients.api}/workflow/{wid}/skiptask/approval")
    assert api.status_code >= 400 and shown == f"Error {api.status_code}: {api.json()['message']}"
    assert len(workflow(clients, wid).tasks) == before
    act(f"/api/workflow/{wid}", {"input[name=reason]": "stopped from the UI"})  # terminate
    wf = workflow(clients, wid)
    assert wf.status == "TERMINATED" and wf.reason_for_incompletion == "stopped from the UI"
    act("/retry")
    wait_task(clients, wid, "approval")
    assert status() == "RUNNING"
    act(f"/api/workflow/{wid}", {"input[name=reason]": "again"})
    act("/restart", {"input[name=useLatestDefinitions]": True})
    wait_task(clients, wid, "approval")
    assert [t.reference_task_name for t in workflow(clients, wid).tasks].count("approval") == 1
    act(f"/api/workflow/{wid}", {"input[name=reason]": "once more"})
    approval = [t for t in workflow(clients, wid).tasks if t.reference_task_name == "approval"][-1]
    act("/rerun", {"select[name=reRunFromTaskId]": approval.task_id})
    wait_task(clients, wid, "approval")
    assert status() == "RUNNING"
    assert browser.evaluate("!document.querySelector(\"form[data-api$='/remove']\")"), "a running execution offers no removal"
    act(f"/api/workflow/{wid}", {"input[name=reason]": "to remove it"})
    act("/remove")
    assert requests.get(f"{clients.api}/workflow/{wid}").status_code == 404


def test_executions_page_searches_and_bulk_actions(server, clients, browser, shapes):
    ids = [start(clients, shapes, kind="z", note=f"bulk {i}") for i in range(3)]
    for wid in ids:
        wait_task(clients, wid, "approval")
    browser.open(f"{server}/executions?name={shapes}&status=RUNNING&sort=startTime:ASC&size=10")
    shown = browser.evaluate("[...document.querySelectorAll('input[name=sel]')].map(c => c.value)")
    assert set(ids) <= set(shown)
    assert int(browser.evaluate("document.getElementById('total').textContent")) >= 3
    shot(browser, "executions")
    # Free text finds one; the filter form's values survive the reload (a shareable link).
    browser.open(f"{server}/executions?q=bulk+1&name={shapes}")
    assert browser.evaluate("[...document.querySelectorAll('input[name=sel]')].map(c => c.value)") == [ids[1]]
    assert browser.evaluate("document.querySelector('input[name=q]').value") == "bulk 1"
    # Bulk pause two of them from the page.
    browser.open(f"{server}/executions?name={shapes}&status=RUNNING&size=100")
    for wid in ids[:2]:
        browser.evaluate(f"document.querySelector('input[name=sel][value=\"{wid}\"]').checked = true")
    submit(browser, "form[data-api='/api/workflow/bulk/pause']")
    flash = browser.wait_for("(document.getElementById('flash') || {}).textContent")
    assert flash.startswith("2 succeeded")
    assert [workflow(clients, w).status for w in ids] == ["PAUSED", "PAUSED", "RUNNING"]
    # Bulk terminate all three, with a reason.
    browser.open(f"{server}/executions?name={shapes}&size=100")
    for wid in ids:
        browser.evaluate(f"document.querySelector('input[name=sel][value=\"{wid}\"]').checked = true")
    submit(browser, "form[data-api='/api/workflow/bulk/terminate']", {"input[name=reason]": "bulk from the UI"})
    succeeded(browser, "bulk terminate")
    for wid in ids:
        wf = workflow(clients, wid)
        assert wf.status == "TERMINATED" and wf.reason_for_incompletion == "bulk from the UI"


def test_definition_pages_edit_validate_and_start(server, clients, browser, shapes):
    browser.open(f"{server}/definitions")
    assert shapes in browser.text()
    browser.open(f"{server}/definitions/workflow/{shapes}?version=1")
    assert browser.evaluate("document.querySelectorAll('svg.diagram g.node.definition').length") >= 10
    shot(browser, "definition")
    # An invalid edit shows Baton's validation errors next to the editor and changes nothing.
    bad = json.loads(browser.evaluate("document.querySelector('form.editor textarea').value"))
    bad["tasks"][0]["taskReferenceName"] = ""
    submit(browser, "form.editor", {"textarea": json.dumps(bad)})
    message = browser.wait_for("(document.querySelector('form.editor output.result.error') || {}).textContent")
    assert "Error 400" in message and "taskReferenceName" in message
    assert clients.metadata.get_workflow_def(shapes, 1).tasks[0].task_reference_name == "fan_out"
    # A valid edit lands.
    browser.open(f"{server}/definitions/workflow/{shapes}?version=1")
    good = json.loads(browser.evaluate("document.querySelector('form.editor textarea').value"))
    good["description"] = "edited from the UI"
    submit(browser, "form.editor", {"textarea": json.dumps(good)})
    succeeded(browser, "save the definition")
    assert clients.metadata.get_workflow_def(shapes, 1).description == "edited from the UI"
    # Start a run from the definition: the page goes to the new execution.
    submit(browser, "form.start", {"textarea": json.dumps({"kind": "a", "note": "from the form"}), "input[name=correlationId]": "ui-start"})
    browser.wait_for("location.pathname.startsWith('/execution/')")
    wid = browser.evaluate("location.pathname.split('/').pop()")
    wf = workflow(clients, wid)
    assert wf.workflow_name == shapes and wf.correlation_id == "ui-start" and wf.input["note"] == "from the form"
    clients.workflows.terminate_workflow(wid, reason="done")
    # A new task definition created from its page.
    name = f"ui_task_{os.urandom(4).hex()}"
    browser.open(f"{server}/definitions/new/task")
    submit(browser, "form.editor", {"textarea": json.dumps({"name": name, "ownerEmail": "ui@example.com", "retryCount": 2,
                                                              "rateLimitPerFrequency": 7, "rateLimitFrequencyInSeconds": 10})})
    browser.wait_for(f"location.pathname === '/definitions/task/{name}'")
    assert clients.metadata.get_task_def(name).rate_limit_per_frequency == 7


def test_queue_and_server_pages(server, clients, browser):
    name = f"ui_queue_{os.urandom(4).hex()}"
    requests.post(f"{clients.api}/metadata/taskdefs", json=[{"name": name, "ownerEmail": "ui@example.com", "concurrentExecLimit": 3}]).raise_for_status()
    clients.tasks.poll_task(name, worker_id="ui-worker-1")
    browser.open(f"{server}/queues")
    row = browser.evaluate(f"document.querySelector('tr[data-queue=\"{name}\"]').innerText")
    assert "ui-worker-1" in row and "3" in row
    shot(browser, "queues")
    browser.open(f"{server}/server")
    text = browser.text()
    assert "Database size" in text and "Up for" in text and "Active workflows" in text
    shot(browser, "server")


def test_missing_execution_is_an_error_page(server, browser):
    browser.open(f"{server}/execution/no-such-id")
    assert "no-such-id" in browser.text()
    assert requests.get(f"{server}/execution/no-such-id").status_code == 404


def test_a_running_execution_updates_live(server, clients, browser, shapes):
    wid = start(clients, shapes, kind="a")
    wait_task(clients, wid, "approval")
    browser.open(f"{server}/execution/{wid}")
    browser.evaluate("window.__samePage = true; document.querySelector('tr.task-detail details').open = true")
    clients.tasks.update_task_by_ref_name(wid, "approval", "COMPLETED", {"by": "api"})
    # The page follows without a reload: same document, new state, the open panel still open.
    browser.wait_for("document.getElementById('live').dataset.status === 'COMPLETED'")
    assert browser.evaluate("window.__samePage === true")
    assert browser.evaluate("document.querySelector('tr.task-detail details').open")
    assert browser.evaluate("document.querySelector('g.node[data-ref=approval]').getAttribute('class')") == "node st-completed"


def test_schedule_and_event_handler_from_the_definitions_page(server, clients, browser, shapes):
    name = f"ui_schedule_{os.urandom(4).hex()}"
    scheduler = nightly_schedule(clients, name, shapes)
    browser.open(f"{server}/definitions")
    submit(browser, f"form[data-api='/api/scheduler/schedules/{name}/pause']")
    succeeded(browser, "pause the schedule")
    assert scheduler.get_schedule(name).paused is True
    submit(browser, f"form[data-api='/api/scheduler/schedules/{name}/resume']")
    succeeded(browser, "resume the schedule")
    assert scheduler.get_schedule(name).paused is False
    # An event handler created from its page, then deleted from the list.
    handler = f"ui_handler_{os.urandom(4).hex()}"
    browser.open(f"{server}/definitions/new/event")
    submit(browser, "form.editor", {"textarea": json.dumps({"name": handler, "event": f"conductor:{shapes}:done", "active": True,
                                                              "actions": [{"action": "complete_task", "complete_task": {"workflowId": "w", "taskRefName": "t"}}]})})
    browser.wait_for("location.pathname === '/definitions'")
    assert handler in [h["name"] for h in requests.get(f"{clients.api}/event").json()]
    submit(browser, f"form[data-api='/api/event/{handler}']")
    succeeded(browser, "delete the event handler")
    assert handler not in [h["name"] for h in requests.get(f"{clients.api}/event").json()]


def test_the_other_bulk_actions(server, clients, browser, shapes):
    ids = [start(clients, shapes, kind="z", note=f"other bulk {i}") for i in range(2)]
    for wid in ids:
        wait_task(clients, wid, "approval")

    def bulk(action, expected_status, fill=None):
        browser.open(f"{server}/executions?name={shapes}&size=100")
        for wid in ids:
            browser.evaluate(f"document.querySelector('input[name=sel][value=\"{wid}\"]').checked = true")
        submit(browser, f"form[data-api='/api/workflow/bulk/{action}']", fill)
        flash = browser.wait_for("(document.getElementById('flash') || {}).textContent")
        assert flash.startswith("2 succeeded"), f"bulk {action}: {flash}"
        if expected_status:
            assert [workflow(clients, w).status for w in ids] == [expected_status] * 2, f"after bulk {action}"

    for wid in ids:
        clients.workflows.pause_workflow(wid)
    bulk("resume", "RUNNING")
    for wid in ids:
        clients.workflows.terminate_workflow(wid, reason="for the bulk retry")
    bulk("retry", "RUNNING")
    for wid in ids:
        clients.workflows.terminate_workflow(wid, reason="for the bulk restart")
    bulk("restart", "RUNNING")
    for wid in ids:
        wait_task(clients, wid, "approval")
        clients.workflows.terminate_workflow(wid, reason="for the bulk remove")
    bulk("remove", None)
    for wid in ids:
        assert requests.get(f"{clients.api}/workflow/{wid}").status_code == 404


def test_deletes_and_requeue_from_the_definition_and_queue_pages(server, clients, browser, shapes):
    suffix = os.urandom(4).hex()
    # A task definition with a task waiting in its queue: requeue from the queues page, then delete.
    task = f"ui_delete_task_{suffix}"
    requests.post(f"{clients.api}/metadata/taskdefs", json=[{"name": task, "ownerEmail": "ui@example.com"}]).raise_for_status()
    flow = ConductorWorkflow(executor=clients.executor, name=f"ui_delete_wf_{suffix}", version=1)
    flow.add(SimpleTask(task, "work"))
    flow.register(overwrite=True)
    wid = clients.workflows.start_workflow(StartWorkflowRequest(name=flow.name, version=1, input={}))
    wait_task(clients, wid, "work", status="SCHEDULED")
    browser.open(f"{server}/queues")
    submit(browser, f"form[data-api='/api/tasks/queue/requeue/{task}']")
    succeeded(browser, "requeue")
    polled = clients.tasks.poll_task(task, worker_id="ui-requeue")
    assert polled is not None and polled.workflow_instance_id == wid   # still queued, once
    clients.workflows.terminate_workflow(wid, reason="done")
    browser.open(f"{server}/definitions/task/{task}")
    submit(browser, f"form[data-api='/api/metadata/taskdefs/{task}']")
    browser.wait_for("location.pathname === '/definitions'")
    assert requests.get(f"{clients.api}/metadata/taskdefs/{task}").status_code == 404
    # One version of a workflow definition deleted from its page; the other stays.
    clients.metadata.register_workflow_def(flow.to_workflow_def(), overwrite=True)
    second = flow.to_workflow_def()
    second.version = 2
    clients.metadata.register_workflow_def(second, overwrite=True)
    browser.open(f"{server}/definitions/workflow/{flow.name}?version=1")
    submit(browser, f"form[data-api='/api/metadata/workflow/{flow.name}/1']")
    browser.wait_for("location.pathname === '/definitions'")
    assert requests.get(f"{clients.api}/metadata/workflow/{flow.name}", params={"version": 1}).status_code == 404
    assert clients.metadata.get_workflow_def(flow.name, version=2).version == 2
    # A schedule deleted from the definitions page.
    schedule = f"ui_delete_schedule_{suffix}"
    nightly_schedule(clients, schedule, shapes)
    browser.open(f"{server}/definitions")
    submit(browser, f"form[data-api='/api/scheduler/schedules/{schedule}']")
    succeeded(browser, "delete the schedule")
    assert requests.get(f"{clients.api}/scheduler/schedules/{schedule}").status_code == 404


def test_fail_a_waiting_task_then_retry_and_restart_from_the_page(server, clients, browser, shapes):
    wid = start(clients, shapes, kind="b")
    wait_task(clients, wid, "approval")
    page = f"{server}/execution/{wid}"
    browser.open(page)
    submit(browser, "form.complete", {"textarea[name=output]": '{"approved": false}', "select[name=status]": "FAILED"})
    wait_status(clients, wid, "FAILED", "the WAIT task failed from the page did not fail the workflow")
    approval = next(t for t in workflow(clients, wid).tasks if t.reference_task_name == "approval")
    assert approval.status == "FAILED" and approval.output_data == {"approved": False}
    # Retry, resuming sub-workflow tasks: the failed task runs again.
    browser.open(page)
    submit(browser, "form[data-api$='/retry']", {"input[name=resumeSubworkflowTasks]": True})
    succeeded(browser, "retry")
    wait_task(clients, wid, "approval")
    assert workflow(clients, wid).status == "RUNNING"
    # Restart with the definition it ran with: from the beginning, every task new.
    clients.workflows.terminate_workflow(wid, reason="to restart it")
    before = {t.task_id for t in workflow(clients, wid).tasks}
    browser.open(page)
    submit(browser, "form[data-api$='/restart']", {"input[name=useLatestDefinitions]": False})
    succeeded(browser, "restart")
    wf = wait_task(clients, wid, "approval")
    assert wf.status == "RUNNING" and not before & {t.task_id for t in wf.tasks}
