"""The manual clock (`--clock manual`): every timer fires on `POST /api/admin/clock/advance` and not
before, in due order, each at its own due time; the advance answers once all of it is committed."""
import threading

import pytest
import requests
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_result import TaskResult
from conductor.client.orkes_clients import OrkesClients

from conftest import Server
from execution_support import batch_poll, register_taskdefs, register_workflow, simple, taskdef, tasks_by_ref, wf_def

START = 1_893_456_000_000   # 2030-01-01T00:00:00Z
MINUTE = 60_000
HOUR = 60 * MINUTE


@pytest.fixture(scope="module")
def clock_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("clock"), db=":memory:",
                 flags=["--clock", "manual", "--clock-start", str(START)]).start()
    yield srv
    assert srv.stop() == 0, srv.stderr()[-3000:]


@pytest.fixture(scope="module")
def c(clock_server):
    api = clock_server.url + "/api"
    orkes = OrkesClients(Configuration(server_api_url=api))

    class Clients:
        pass
    out = Clients()
    out.api = api
    out.workflows = orkes.get_workflow_client()
    out.tasks = orkes.get_task_client()
    out.now = lambda: requests.get(api + "/admin/clock", timeout=10).json()["now"]

    def advance(ms):
        r = requests.post(api + "/admin/clock/advance", json={"millis": ms}, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()
    out.advance = advance
    out.start = lambda name, inputs=None: out.workflows.start_workflow(StartWorkflowRequest(name=name, version=1, input=inputs or {}))
    out.get = lambda wid: out.workflows.get_workflow(wid, True)
    return out


def wait_wf(c, unique, **wait_inputs):
    name = unique("clock_wait")
    register_workflow(c.api, wf_def(name, [{"name": "wait", "taskReferenceName": "w", "type": "WAIT", "inputParameters": wait_inputs}]))
    return name


def test_clock_reads_and_starts_where_asked(c):
    state = requests.get(c.api + "/admin/clock", timeout=10).json()
    assert state["mode"] == "manual" and state["now"] >= START


def test_timestamps_are_the_manual_clocks(c, unique):
    name = wait_wf(c, unique, duration="10 minutes")
    t0 = c.now()
    wid = c.start(name)
    run = c.get(wid)
    assert run.create_time == t0 and run.start_time == t0
    assert run.tasks[0].scheduled_time == t0 and run.tasks[0].start_time == t0


def test_wait_duration_fires_at_its_due_time_and_not_before(c, unique):
    name = wait_wf(c, unique, duration="1 hour")
    t0 = c.now()
    wid = c.start(name)
    assert c.advance(HOUR - 1)["now"] == t0 + HOUR - 1
    assert c.get(wid).status == "RUNNING"
    fired = c.advance(1)
    assert fired["timersFired"] >= 1
    run = c.get(wid)
    assert run.status == "COMPLETED" and run.end_time == t0 + HOUR and run.tasks[0].end_time == t0 + HOUR


def test_wait_until_fires_at_the_date(c, unique):
    # A whole day ahead of wherever the module's clock is, at 06:00 UTC.
    now = c.now()
    day = (now // (24 * HOUR) + 2) * 24 * HOUR
    import datetime
    until = datetime.datetime.fromtimestamp((day + 6 * HOUR) / 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M") + " GMT"
    name = wait_wf(c, unique, until=until)
    wid = c.start(name)
    c.advance(day + 6 * HOUR - now - 1)
    assert c.get(wid).status == "RUNNING"
    c.advance(1)
    run = c.get(wid)
    assert run.status == "COMPLETED" and run.end_time == day + 6 * HOUR


def test_fires_in_due_order_each_at_its_own_time(c, unique):
    # Two WAITs in a row: the second is due 10 minutes after the first ended, so one advance of
    # 25 minutes ends both, at +10 and +20, and a parallel workflow's 15-minute WAIT at +15 between them.
    chain = unique("clock_chain")
    register_workflow(c.api, wf_def(chain, [
        {"name": "wait", "taskReferenceName": "a", "type": "WAIT", "inputParameters": {"duration": "10m"}},
        {"name": "wait", "taskReferenceName": "b", "type": "WAIT", "inputParameters": {"duration": "10m"}}]))
    single = wait_wf(c, unique, duration="15m")
    t0 = c.now()
    w1, w2 = c.start(chain), c.start(single)
    result = c.advance(25 * MINUTE)
    assert result["stops"] >= 3
    r1, r2 = c.get(w1), c.get(w2)
    assert [t.end_time - t0 for t in r1.tasks] == [10 * MINUTE, 20 * MINUTE]
    assert r1.end_time - t0 == 20 * MINUTE and r2.end_time - t0 == 15 * MINUTE


def test_retry_delay_and_callback_hold_a_task_until_advanced(c, unique):
    tname = unique("clock_retry")
    register_taskdefs(c.api, taskdef(tname, retryCount=1, retryLogic="FIXED", retryDelaySeconds=300, responseTimeoutSeconds=3600))
    name = unique("clock_retry_wf")
    register_workflow(c.api, wf_def(name, [simple(tname, "t")]))
    wid = c.start(name)
    [task] = c.tasks.batch_poll_tasks(tname, "w1", 1, 0)
    c.tasks.update_task(TaskResult(workflow_instance_id=wid, task_id=task.task_id, status="FAILED", reason_for_incompletion="boom"))
    assert batch_poll(c.api, tname, timeout_ms=0) == []
    c.advance(299_999)
    assert batch_poll(c.api, tname, timeout_ms=0) == []
    c.advance(1)
    [retry] = batch_poll(c.api, tname, timeout_ms=0)
    # IN_PROGRESS with a callback: not handed out again until 120 s have passed.
    c.tasks.update_task(TaskResult(workflow_instance_id=wid, task_id=retry["taskId"], status="IN_PROGRESS", callback_after_seconds=120))
    assert batch_poll(c.api, tname, timeout_ms=0) == []
    c.advance(119_999)
    assert batch_poll(c.api, tname, timeout_ms=0) == []
    c.advance(1)
    [again] = batch_poll(c.api, tname, timeout_ms=0)
    assert again["taskId"] == retry["taskId"]


def test_response_and_task_and_total_timeouts(c, unique):
    resp, per, total = unique("clock_resp"), unique("clock_to"), unique("clock_total")
    register_taskdefs(c.api, taskdef(resp, responseTimeoutSeconds=30, timeoutSeconds=0),
                      taskdef(per, responseTimeoutSeconds=600, timeoutSeconds=900, timeoutPolicy="TIME_OUT_WF"),
                      taskdef(total, responseTimeoutSeconds=600, totalTimeoutSeconds=1200, timeoutPolicy="TIME_OUT_WF"))
    names = {}
    for t in (resp, per, total):
        names[t] = unique("clock_to_wf")
        register_workflow(c.api, wf_def(names[t], [simple(t, "t")]))
    ids = {t: c.start(names[t]) for t in names}
    t0 = c.now()
    for t in names:
        assert len(batch_poll(c.api, t, timeout_ms=0)) == 1
    c.advance(30 * 1000 - 1)
    assert c.get(ids[resp]).tasks[0].status == "IN_PROGRESS"
    c.advance(1)
    assert c.get(ids[resp]).tasks[0].status == "TIMED_OUT"
    # The worker keeps the other two alive with IN_PROGRESS updates every 5 minutes (inside the
    # 600 s response timeout) until their own timeouts end them: 900 s per attempt, 1200 s in total.
    def heartbeat():
        for t in (per, total):
            task = c.get(ids[t]).tasks[-1]
            if task.status == "IN_PROGRESS":
                c.tasks.update_task(TaskResult(workflow_instance_id=ids[t], task_id=task.task_id, status="IN_PROGRESS"))

    def advance_to(offset):
        c.advance(t0 + offset - c.now())

    for minutes in (5, 10):
        advance_to(minutes * MINUTE)
        heartbeat()
    advance_to(900_000 - 1)
    heartbeat()
    assert c.get(ids[per]).status == "RUNNING"
    advance_to(900_000)
    run = c.get(ids[per])
    assert run.status == "TIMED_OUT" and run.end_time - t0 == 900_000
    advance_to(1_200_000 - 1)
    assert c.get(ids[total]).status == "RUNNING"
    advance_to(1_200_000)
    run = c.get(ids[total])
    assert run.status == "TIMED_OUT" and run.end_time - t0 == 1_200_000


def test_workflow_timeout(c, unique):
    name = unique("clock_wf_to")
    register_workflow(c.api, wf_def(name, [{"name": "wait", "taskReferenceName": "w", "type": "WAIT", "inputParameters": {}}],
                                    timeoutSeconds=7200, timeoutPolicy="TIME_OUT_WF"))
    t0 = c.now()
    wid = c.start(name)
    c.advance(2 * HOUR - 1)
    assert c.get(wid).status == "RUNNING"
    c.advance(1)
    run = c.get(wid)
    assert run.status == "TIMED_OUT" and run.end_time == t0 + 2 * HOUR


def test_rate_limit_window_opens_with_the_clock(c, unique):
    tname = unique("clock_rate")
    register_taskdefs(c.api, taskdef(tname, rateLimitPerFrequency=1, rateLimitFrequencyInSeconds=60))
    name = unique("clock_rate_wf")
    register_workflow(c.api, wf_def(name, [simple(tname, "t")]))
    c.start(name), c.start(name)
    assert len(batch_poll(c.api, tname, count=2, timeout_ms=0)) == 1
    c.advance(59_999)
    assert batch_poll(c.api, tname, timeout_ms=0) == []
    c.advance(1)
    assert len(batch_poll(c.api, tname, timeout_ms=0)) == 1


def test_long_poll_ends_when_the_clock_passes_its_timeout(c, unique):
    tname = unique("clock_lp")
    got = []
    poller = threading.Thread(target=lambda: got.append(batch_poll(c.api, tname, timeout_ms=5_000)))
    poller.start()
    poller.join(0.5)
    assert poller.is_alive(), "a long poll under the manual clock waits for the clock, not the wall"
    c.advance(4_999)
    poller.join(0.3)
    assert poller.is_alive()
    c.advance(1)
    poller.join(5)
    assert not poller.is_alive() and got == [[]]


def test_bad_advances_are_400_and_change_nothing(c):
    before = c.now()
    for body in ({}, {"millis": -5}, {"seconds": "soon"}, {"duration": "forever"}, {"millis": 1, "seconds": 1}):
        r = requests.post(c.api + "/admin/clock/advance", json=body, timeout=10)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["status"] == 400 and r.json()["message"]
    r = requests.post(c.api + "/admin/clock/advance", params={"duration": "1h 30m"}, timeout=10)
    assert r.status_code == 200 and r.json()["now"] == before + 90 * MINUTE


def test_wall_clock_server_refuses_advance_and_reset(server):
    r = requests.post(server + "/api/admin/clock/advance", json={"seconds": 1}, timeout=10)
    assert r.status_code == 409 and "--clock manual" in r.json()["message"]
    assert requests.get(server + "/api/admin/clock", timeout=10).json()["mode"] == "wall"
    r = requests.post(server + "/api/admin/reset", timeout=10)
    assert r.status_code == 403 and "--allow-reset" in r.json()["message"]
