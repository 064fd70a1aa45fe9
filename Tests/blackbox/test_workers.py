"""Worker protocol and engine behaviour seen through workers: poll, update, retries, timeouts, limits."""
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conductor.client.http.models import TaskResult
from conductor.client.http.models.task_exec_log import TaskExecLog
from conductor.client.http.rest import ApiException

from execution_support import (assert_nothing_to_poll, batch_poll, complete, get_task, get_wf, poll_until,
                               queue_size, register_taskdefs, register_workflow, simple, start, taskdef,
                               tasks_by_ref, update, wait_status, wait_until, wf_def)


def one_task_workflow(api, unique, prefix, td_fields=None, task_fields=None, wf_fields=None, n_tasks=1):
    """Register a TaskDef and a workflow of `n_tasks` sequential tasks of that type; returns (task, wf)."""
    tname, wname = unique(prefix + "_task"), unique(prefix + "_wf")
    register_taskdefs(api, taskdef(tname, **(td_fields or {})))
    tasks = [simple(tname, f"t{i + 1}", **(task_fields or {})) for i in range(n_tasks)]
    register_workflow(api, wf_def(wname, tasks, **(wf_fields or {})))
    return tname, wname


# --------------------------------------------------------------------------- poll / update basics

def test_poll_update_and_empty_answers(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "basic", n_tasks=2)
    empty_type = unique("nobody_queues_this")

    r = requests.get(f"{clients.api}/tasks/poll/{empty_type}", params={"workerid": "w"}, timeout=10)
    assert r.status_code == 204 and r.content == b"", f"empty single poll: {r.status_code} {r.text!r}"
    r = requests.get(f"{clients.api}/tasks/poll/batch/{empty_type}", params={"count": 3, "timeout": 100}, timeout=10)
    assert r.status_code == 200 and r.json() == [], f"empty batch poll: {r.status_code} {r.text!r}"
    assert clients.tasks.poll_task(empty_type, worker_id="w").task_id is None

    wid = clients.workflows.start_workflow_by_name(wname, {"n": 1})
    task = clients.tasks.poll_task(tname, worker_id="sdk-w1")
    assert task.task_id and task.workflow_instance_id == wid
    assert task.status == "IN_PROGRESS" and task.worker_id == "sdk-w1" and task.poll_count == 1
    assert task.reference_task_name == "t1"
    # Delivered once: nothing left to poll.
    r = requests.get(f"{clients.api}/tasks/poll/{tname}", params={"workerid": "w"}, timeout=10)
    assert r.status_code == 204, f"a delivered task must not be handed out again: {r.status_code} {r.text[:300]}"

    result = TaskResult(workflow_instance_id=wid, task_id=task.task_id, worker_id="sdk-w1", status="COMPLETED",
                        output_data={"out": [1, "two", None, True]})
    assert clients.tasks.update_task(result) == task.task_id

    second = clients.tasks.batch_poll_tasks(tname, worker_id="sdk-w1", count=5, timeout_in_millisecond=1000)
    assert len(second) == 1 and second[0].reference_task_name == "t2"
    assert second[0].input_data == {}

    # update-v2 with nothing else queued: 204, which the SDK returns as None.
    nxt = clients.tasks.taskResourceApi.update_task_v2(TaskResult(
        workflow_instance_id=wid, task_id=second[0].task_id, worker_id="sdk-w1", status="COMPLETED",
        output_data={"fin": 1}))
    assert nxt is None

    wf = get_wf(clients.api, wid)
    assert wf["status"] == "COMPLETED"
    assert wf["tasks"][0]["outputData"] == {"out": [1, "two", None, True]}
    assert wf["output"] == {"fin": 1}


def test_update_v2_hands_out_next_task_of_same_type(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "v2")
    ids = [start(clients.api, wname, {"i": i}) for i in range(3)]
    first = poll_until(clients.api, tname, worker="v2-a")

    def v2(task, status="COMPLETED", worker="v2-b", **extra):
        body = {"workflowInstanceId": task["workflowInstanceId"], "taskId": task["taskId"], "status": status,
                "workerId": worker, "outputData": {"by": worker}, **extra}
        return requests.post(f"{clients.api}/tasks/update-v2", json=body, timeout=10)

    # Non-terminal update: 204, the task is re-queued.
    r = v2(first, status="IN_PROGRESS")
    assert r.status_code == 204, f"update-v2 IN_PROGRESS must answer 204: {r.status_code} {r.text[:300]}"

    seen = []
    task = poll_until(clients.api, tname, worker="v2-b")
    while True:
        seen.append(task["taskId"])
        r = v2(task)
        if r.status_code == 204:
            break
        assert r.status_code == 200, r.text
        nxt = r.json()
        assert nxt["taskId"] not in seen, "update-v2 must not return the task it just completed"
        assert nxt["taskType"] == tname and nxt["status"] == "IN_PROGRESS" and nxt["workerId"] == "v2-b"
        task = nxt
    assert len(seen) == 3
    for wid in ids:
        assert get_wf(clients.api, wid)["status"] == "COMPLETED"

    # A repeated (ignored) terminal update still returns the next task when one is queued.
    later = start(clients.api, wname, {"i": 99})
    r = v2(task)
    assert r.status_code == 200, f"duplicate terminal update-v2 should still hand out the next task: {r.status_code}"
    assert r.json()["workflowInstanceId"] == later


def test_long_poll_returns_when_task_is_queued(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "longpoll")
    out = {}

    def poller():
        t0 = time.monotonic()
        out["tasks"] = batch_poll(clients.api, tname, worker="long", count=1, timeout_ms=5000)
        out["returned"] = time.monotonic()
        out["waited"] = out["returned"] - t0

    th = threading.Thread(target=poller)
    th.start()
    time.sleep(0.5)
    started = time.monotonic()
    wid = start(clients.api, wname)
    th.join(10)
    assert not th.is_alive()
    assert len(out["tasks"]) == 1 and out["tasks"][0]["workflowInstanceId"] == wid
    latency = out["returned"] - started
    print(f"long poll: waited {out['waited']:.3f}s in total, returned {latency * 1000:.1f} ms after the start call")
    assert out["waited"] < 4.5, "the long poll ran to its timeout instead of returning when the task was queued"

    r = requests.get(f"{clients.api}/tasks/poll/batch/{tname}", params={"timeout": 5001}, timeout=10)
    assert r.status_code == 400, f"timeout > 5000 must be 400: {r.status_code} {r.text}"


def test_each_task_delivered_exactly_once_to_concurrent_pollers(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "once")
    total, pollers = 200, 20
    delivered, lock = [], threading.Lock()
    stop = threading.Event()

    def poll_loop(i):
        s = requests.Session()
        while not stop.is_set():
            r = s.get(f"{clients.api}/tasks/poll/batch/{tname}",
                      params={"workerid": f"p{i}", "count": 3, "timeout": 200}, timeout=10)
            assert r.status_code == 200, r.text
            got = r.json()
            with lock:
                delivered.extend(t["taskId"] for t in got)

    with ThreadPoolExecutor(pollers + 8) as pool:
        poll_futures = [pool.submit(poll_loop, i) for i in range(pollers)]
        wids = list(pool.map(lambda i: start(clients.api, wname, {"i": i}), range(total)))
        try:
            wait_until(lambda: len(set(delivered)) >= total, 30, what=f"{total} deliveries")
            time.sleep(0.5)  # give duplicates a chance to show up
        finally:
            stop.set()
        for f in poll_futures:
            f.result(15)

    assert len(set(wids)) == total
    dupes = len(delivered) - len(set(delivered))
    assert dupes == 0, f"{dupes} tasks were delivered more than once"
    assert len(delivered) == total
    expected = {get_wf(clients.api, w)["tasks"][0]["taskId"] for w in wids}
    assert set(delivered) == expected


def test_late_and_duplicate_updates_are_ignored(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "late")
    wid = start(clients.api, wname)
    task = poll_until(clients.api, tname)
    complete(clients.api, task, output={"v": 1})
    before = get_wf(clients.api, wid)
    assert before["status"] == "COMPLETED"

    for status, output in (("FAILED", {"v": 2}), ("COMPLETED", {"v": 3}), ("IN_PROGRESS", {"v": 4})):
        r = update(clients.api, task, status=status, output=output, reasonForIncompletion="late")
        assert r.status_code == 200 and r.text == task["taskId"], f"late {status}: {r.status_code} {r.text}"

    after = get_wf(clients.api, wid)
    assert after["status"] == "COMPLETED"
    t = after["tasks"][0]
    assert t["status"] == "COMPLETED" and t["outputData"] == {"v": 1}
    assert "reasonForIncompletion" not in t or not t["reasonForIncompletion"]
    assert after["output"] == before["output"] and t["endTime"] == before["tasks"][0]["endTime"]
    assert_nothing_to_poll(clients.api, tname)


def test_unknown_task_or_workflow_is_404(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "unknown")
    wid = start(clients.api, wname)
    ghost = str(uuid.uuid4())

    r = update(clients.api, {"workflowInstanceId": wid, "taskId": ghost})
    assert r.status_code == 404, f"unknown task id: {r.status_code} {r.text}"
    r = update(clients.api, {"workflowInstanceId": str(uuid.uuid4()), "taskId": ghost})
    assert r.status_code == 404, f"unknown workflow id: {r.status_code} {r.text}"
    assert r.json()["status"] == 404 and r.json()["message"]

    r = requests.get(f"{clients.api}/tasks/{ghost}", timeout=10)
    assert r.status_code == 404, r.text
    with pytest.raises(ApiException) as err:
        clients.tasks.get_task(ghost)
    assert err.value.status == 404

    r = requests.post(f"{clients.api}/tasks", json={"workflowInstanceId": wid, "status": "COMPLETED"}, timeout=10)
    assert r.status_code == 400, f"TaskResult without taskId: {r.status_code} {r.text}"

    r = requests.put(f"{clients.api}/workflow/decide/{ghost}", json={}, timeout=10)
    assert r.status_code == 404, f"decide unknown id: {r.status_code} {r.text}"
    r = requests.put(f"{clients.api}/workflow/decide/{wid}", json={}, timeout=10)
    assert r.status_code == 200, r.text


def test_in_progress_with_callback_is_requeued_after_delay(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "callback")
    wid = start(clients.api, wname)
    task = poll_until(clients.api, tname)

    complete(clients.api, task, status="IN_PROGRESS", output={"progress": 50}, callbackAfterSeconds=2)
    updated_at = time.monotonic()
    t = get_task(clients.api, task["taskId"])
    assert t["status"] == "SCHEDULED", "a worker task reported IN_PROGRESS goes back to the queue"
    assert t["callbackAfterSeconds"] == 2 and t["outputData"] == {"progress": 50}
    assert_nothing_to_poll(clients.api, tname, timeout_ms=500)

    again = poll_until(clients.api, tname, timeout=8)
    delay = time.monotonic() - updated_at
    print(f"requeued task visible again after {delay:.2f}s (callbackAfterSeconds=2)")
    assert again["taskId"] == task["taskId"], "the same attempt comes back"
    assert again["pollCount"] == 2 and again["callbackAfterSeconds"] == 0
    assert delay >= 1.8, f"task came back after {delay:.2f}s, before its 2 s callback"
    complete(clients.api, again, output={"progress": 100})
    assert get_wf(clients.api, wid)["status"] == "COMPLETED"


def test_task_logs(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "logs")
    wid = start(clients.api, wname)
    task = poll_until(clients.api, tname)
    tid = task["taskId"]

    r = requests.get(f"{clients.api}/tasks/{tid}/log", timeout=10)
    assert r.status_code == 204, f"no logs yet: {r.status_code} {r.text!r}"

    raw = 'raw {"not": json} \\ "quoted" ünï'
    r = requests.post(f"{clients.api}/tasks/{tid}/log", data=raw.encode(),
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 200, r.text
    clients.tasks.add_task_log(tid, 'hello "world"')
    clients.tasks.update_task(TaskResult(workflow_instance_id=wid, task_id=tid, worker_id="log-w",
                                         status="COMPLETED", output_data={},
                                         logs=[TaskExecLog(log="from result", task_id=tid, created_time=1)]))

    r = requests.get(f"{clients.api}/tasks/{tid}/log", timeout=10)
    assert r.status_code == 200, r.text
    logs = r.json()
    assert [entry["log"] for entry in logs] == [raw, 'hello \\"world\\', "from result"], logs
    for entry in logs:
        assert entry["taskId"] == tid
        assert type(entry["createdTime"]) is int and entry["createdTime"] > 1_600_000_000_000
    assert logs[2]["createdTime"] != 1, "createdTime is the server's time, not the client's"
    sdk_logs = clients.tasks.get_task_logs(tid)
    assert [entry.log for entry in sdk_logs] == [raw, 'hello \\"world\\', "from result"]


def test_queue_sizes_and_poll_data(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "queues")
    for i in range(3):
        start(clients.api, wname, {"i": i})

    r = requests.get(f"{clients.api}/tasks/queue/sizes", params={"taskType": tname}, timeout=10)
    assert r.status_code == 200 and r.json() == {tname: 3}, r.text
    assert clients.tasks.get_queue_size_for_task(tname) == 3
    r = requests.get(f"{clients.api}/tasks/queue/size", params={"taskType": tname}, timeout=10)
    assert r.status_code == 200 and r.json() == 3, r.text
    r = requests.get(f"{clients.api}/tasks/queue/all", timeout=10)
    assert r.status_code == 200 and r.json().get(tname) == 3, r.text

    before = int(time.time() * 1000)
    poll_until(clients.api, tname, worker="pd-worker")
    assert queue_size(clients.api, tname) == 2

    r = requests.get(f"{clients.api}/tasks/queue/polldata", params={"taskType": tname}, timeout=10)
    assert r.status_code == 200, r.text
    pd = r.json()
    assert len(pd) == 1, pd
    assert pd[0]["queueName"] == tname and pd[0]["workerId"] == "pd-worker"
    assert "domain" not in pd[0] or pd[0]["domain"] is None
    assert type(pd[0]["lastPollTime"]) is int and pd[0]["lastPollTime"] >= before - 1000

    sdk_pd = clients.tasks.get_task_poll_data(tname)
    assert [(p.queue_name, p.worker_id) for p in sdk_pd] == [(tname, "pd-worker")]

    # An empty poll is recorded too.
    empty_type = unique("queues_empty")
    batch_poll(clients.api, empty_type, worker="empty-poller")
    r = requests.get(f"{clients.api}/tasks/queue/polldata/all", timeout=10)
    assert r.status_code == 200
    names = {(p["queueName"], p["workerId"]) for p in r.json()}
    assert (tname, "pd-worker") in names and (empty_type, "empty-poller") in names

    r = requests.post(f"{clients.api}/tasks/queue/requeue/{tname}", timeout=10)
    assert r.status_code == 200, f"requeue: {r.status_code} {r.text}"


def test_update_by_reference_name(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "byref", n_tasks=3)
    wid = start(clients.api, wname)

    # Output so far is kept; the body is merged into it.
    t1 = poll_until(clients.api, tname)
    complete(clients.api, t1, status="IN_PROGRESS", output={"keep": 1})
    tid = clients.tasks.update_task_by_ref_name(wid, "t1", "COMPLETED", {"x": 1})
    assert tid == t1["taskId"]
    wf = get_wf(clients.api, wid)
    first = tasks_by_ref(wf, "t1")[0]
    assert first["status"] == "COMPLETED"
    assert first["outputData"] == {"keep": 1, "result": {"x": 1}}, first["outputData"]
    assert tasks_by_ref(wf, "t2")[0]["status"] == "SCHEDULED"

    # A SCHEDULED (never polled) task can be updated directly; the sync variant returns the workflow.
    r = requests.post(f"{clients.api}/tasks/{wid}/t2/COMPLETED/sync", params={"workerid": "ref-w"},
                      json={"y": 2}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["workflowId"] == wid
    assert [(t["referenceTaskName"], t["status"]) for t in body["tasks"]] == [
        ("t1", "COMPLETED"), ("t2", "COMPLETED"), ("t3", "SCHEDULED")]
    assert tasks_by_ref(body, "t2")[0]["outputData"] == {"y": 2}

    r = requests.post(f"{clients.api}/tasks/{wid}/t3/BOGUS", json={}, timeout=10)
    assert r.status_code == 400, f"invalid status: {r.status_code} {r.text}"

    r = requests.post(f"{clients.api}/tasks/{wid}/t3/FAILED", json={"why": "x"}, timeout=10)
    assert r.status_code == 200
    wf = wait_status(clients.api, wid, "FAILED")
    assert wf["failedReferenceTaskNames"] == ["t3"]

    # No open task with that ref any more.
    r = requests.post(f"{clients.api}/tasks/{wid}/t3/COMPLETED", json={}, timeout=10)
    assert r.status_code == 200 and r.text == "", f"async by-ref with nothing open: {r.status_code} {r.text!r}"
    r = requests.post(f"{clients.api}/tasks/{wid}/t3/COMPLETED/sync", json={}, timeout=10)
    assert r.status_code == 404, f"sync by-ref with nothing open: {r.status_code} {r.text!r}"


# --------------------------------------------------------------------------- expressions and templates

def run_two_step(clients, unique, prefix, t2_inputs, t1_output, wf_input, wf_fields=None):
    tname = unique(prefix + "_task")
    wname = unique(prefix + "_wf")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t1"), simple(tname, "t2", t2_inputs)],
                                          **(wf_fields or {})))
    wid = start(clients.api, wname, wf_input)
    complete(clients.api, poll_until(clients.api, tname), output=t1_output)
    t2 = poll_until(clients.api, tname)
    assert t2["referenceTaskName"] == "t2"
    return wid, tname, t2


T1_OUTPUT = {"items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": ["c"]}, {"id": 3, "tags": []}],
             "meta": {"name": "n", "count": 3, "ok": True, "none": None}}


def test_expressions_core(clients, unique):
    inputs = {
        "tag": "${t1.output.items[0].tags[1]}",
        "last_id": "${t1.output.items[-1].id}",
        "obj": "${t1.output.meta}",
        "num": "${t1.output.meta.count}",
        "flag": "${t1.output.meta.ok}",
        "nul": "${t1.output.meta.none}",
        "text": "name=${t1.output.meta.name} count=${t1.output.meta.count} ok=${t1.output.meta.ok}",
        "nested": {"list": ["${workflow.input.a}", "x-${workflow.input.a}", 7, {"deep": "${workflow.input.s}"}]},
        "wf_input": "${workflow.input}",
        "wfid": "${workflow.workflowId}",
        "t1_status": "${t1.status}",
        "missing": "${t1.output.nope}",
        "missing_in_text": "[${t1.output.nope}]",
        "bad_index": "${t1.output.items[9].id}",
        "literal_num": 5,
        "literal_list": [1, "two"],
    }
    wid, _, t2 = run_two_step(clients, unique, "expr", inputs, T1_OUTPUT, {"a": 5, "s": "str"})
    got = t2["inputData"]
    expected = {
        "tag": "b", "last_id": 3, "obj": T1_OUTPUT["meta"], "num": 3, "flag": True, "nul": None,
        "text": "name=n count=3 ok=true",
        "nested": {"list": [5, "x-5", 7, {"deep": "str"}]},
        "wf_input": {"a": 5, "s": "str"}, "wfid": wid, "t1_status": "COMPLETED",
        "missing": None, "missing_in_text": "[null]", "bad_index": None,
        "literal_num": 5, "literal_list": [1, "two"],
    }
    mismatches = {k: (got.get(k, "<absent>"), v) for k, v in expected.items() if got.get(k, "<absent>") != v}
    assert not mismatches, f"(got, expected) per key: {mismatches}"
    assert type(got["num"]) is int and type(got["flag"]) is bool and type(got["last_id"]) is int


def test_expressions_jsonpath_features(clients, unique):
    inputs = {
        "ids": "${t1.output.items[*].id}",
        "all_tags": "${t1.output.items[*].tags[*]}",
        "slice": "${t1.output.items[0:2].id}",
        "union": "${t1.output.meta['name','count']}",
        "filter": "${t1.output.items[?(@.id > 1)].id}",
        "deep": "${t1.output..id}",
        "quoted": "${t1.output['meta']['name']}",
        "length": "${t1.output.items.length()}",
        "escaped": "$${workflow.input.a}",
        "empty": "${}",
    }
    _, _, t2 = run_two_step(clients, unique, "jsonpath", inputs, T1_OUTPUT, {"a": 5})
    got = t2["inputData"]
    expected = {
        "ids": [1, 2, 3], "all_tags": ["a", "b", "c"], "slice": [1, 2],
        "union": {"name": "n", "count": 3}, "filter": [2, 3], "deep": [1, 2, 3], "quoted": "n",
        "length": 3, "escaped": "${workflow.input.a}", "empty": "",
    }
    mismatches = {k: (got.get(k, "<absent>"), v) for k, v in expected.items() if got.get(k, "<absent>") != v}
    assert not mismatches, f"(got, expected) per key: {mismatches}"


def test_input_templates(clients, unique):
    tname, wname = unique("tmpl_task"), unique("tmpl_wf")
    register_taskdefs(clients.api, taskdef(tname, inputTemplate={
        "a": "default-a", "b": "default-b", "c": {"nested": [1, 2]}, "d": "${workflow.input.region}"}))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t1", {
        "a": "given", "b": "${workflow.input.missing}"})], inputTemplate={"region": "eu", "n": 1}))

    wid = start(clients.api, wname, {"n": 2})
    wf = get_wf(clients.api, wid)
    assert wf["input"] == {"n": 2, "region": "eu"}, "workflow inputTemplate fills missing keys only"
    data = wf["tasks"][0]["inputData"]
    assert data == {"a": "given", "b": "default-b", "c": {"nested": [1, 2]}, "d": "eu"}, data


def test_output_parameters(clients, unique):
    wid, tname, t2 = run_two_step(
        clients, unique, "outparams", {}, {"n": 41, "list": [1, 2]}, {"who": "Ada"},
        wf_fields={"outputParameters": {"total": "${t1.output.n}", "greeting": "hi ${workflow.input.who}",
                                        "second": "${t2.output.r}", "list": "${t1.output.list}", "const": 7}})
    assert get_wf(clients.api, wid)["output"] == {}, "output stays {} while running"
    complete(clients.api, t2, output={"r": "done"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"total": 41, "greeting": "hi Ada", "second": "done", "list": [1, 2], "const": 7}


# --------------------------------------------------------------------------- failure handling

def test_optional_task_failure_completes_with_errors(clients, unique):
    tname, wname = unique("opt_task"), unique("opt_wf")
    register_taskdefs(clients.api, taskdef(tname))
    register_workflow(clients.api, wf_def(wname, [simple(tname, "t1", optional=True), simple(tname, "t2")]))
    wid = start(clients.api, wname)

    t1 = poll_until(clients.api, tname)
    complete(clients.api, t1, status="FAILED", reasonForIncompletion="optional boom")
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING"
    assert [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]] == [
        ("t1", "COMPLETED_WITH_ERRORS"), ("t2", "SCHEDULED")]
    complete(clients.api, poll_until(clients.api, tname), output={"z": 1})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert "reasonForIncompletion" not in wf or not wf["reasonForIncompletion"]


def test_failed_task_fails_workflow_with_reason(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "fail", n_tasks=2)
    wid = start(clients.api, wname)
    t1 = poll_until(clients.api, tname)
    complete(clients.api, t1, status="FAILED", reasonForIncompletion="boom: disk 'full'")

    wf = wait_status(clients.api, wid, "FAILED")
    assert wf["reasonForIncompletion"] == (
        f"Task {t1['taskId']} failed with status: FAILED and reason: 'boom: disk 'full''")
    assert wf["failedReferenceTaskNames"] == ["t1"] and wf["failedTaskNames"] == [tname]
    assert wf["endTime"] >= wf["createTime"] > 0
    assert [t["referenceTaskName"] for t in wf["tasks"]] == ["t1"], "nothing after the failed task is scheduled"
    assert wf["tasks"][0]["status"] == "FAILED" and wf["tasks"][0]["reasonForIncompletion"] == "boom: disk 'full'"
    assert_nothing_to_poll(clients.api, tname)


def test_terminal_error_is_not_retried(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "terminal", td_fields={"retryCount": 3,
                                                                                 "retryDelaySeconds": 0})
    wid = start(clients.api, wname)
    t1 = poll_until(clients.api, tname)
    complete(clients.api, t1, status="FAILED_WITH_TERMINAL_ERROR", reasonForIncompletion="fatal")
    wf = wait_status(clients.api, wid, "FAILED")
    assert len(wf["tasks"]) == 1 and wf["tasks"][0]["status"] == "FAILED_WITH_TERMINAL_ERROR"
    assert wf["reasonForIncompletion"] == f"Task {t1['taskId']} failed with status: FAILED and reason: 'fatal'"


def test_fixed_retry_creates_new_attempt_after_delay(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "retry",
                                     td_fields={"retryCount": 1, "retryLogic": "FIXED", "retryDelaySeconds": 1})
    wid = start(clients.api, wname)
    first = poll_until(clients.api, tname)
    complete(clients.api, first, status="FAILED", reasonForIncompletion="first try")
    failed_at = time.monotonic()

    wf = get_wf(clients.api, wid)
    attempts = tasks_by_ref(wf, "t1")
    assert len(attempts) == 2, [(t["taskId"], t["status"]) for t in attempts]
    old, new = attempts
    assert old["taskId"] == first["taskId"] and old["status"] == "FAILED" and old["retried"] is True
    assert new["status"] == "SCHEDULED" and new["retryCount"] == 1 and new["retriedTaskId"] == first["taskId"]
    assert new["taskId"] != first["taskId"] and new["pollCount"] == 0 and new["seq"] == 2
    assert new["startDelayInSeconds"] == 1 and new["callbackAfterSeconds"] == 1
    assert new["reasonForIncompletion"] == "first try"
    assert wf["status"] == "RUNNING"

    assert_nothing_to_poll(clients.api, tname, timeout_ms=300)
    second = poll_until(clients.api, tname, timeout=6)
    delay = time.monotonic() - failed_at
    print(f"retry attempt pollable {delay:.2f}s after the failure (retryDelaySeconds=1)")
    assert second["taskId"] == new["taskId"] and second["retryCount"] == 1
    assert delay >= 0.9, f"retry delivered after {delay:.2f}s, before its 1 s delay"

    complete(clients.api, second, status="FAILED", reasonForIncompletion="second try")
    wf = wait_status(clients.api, wid, "FAILED")
    assert wf["reasonForIncompletion"] == (
        f"Task {second['taskId']} failed with status: FAILED and reason: 'second try'")
    assert len(wf["tasks"]) == 2


@pytest.mark.parametrize("logic,fields,expected_delays", [
    ("LINEAR_BACKOFF", {"retryDelaySeconds": 1, "backoffScaleFactor": 2}, [2, 4]),
    ("EXPONENTIAL_BACKOFF", {"retryDelaySeconds": 1}, [1, 2]),
    ("EXPONENTIAL_BACKOFF", {"retryDelaySeconds": 2, "maxRetryDelaySeconds": 3}, [2, 3]),
])
def test_backoff_delays(clients, unique, logic, fields, expected_delays):
    tname, wname = one_task_workflow(clients.api, unique, "backoff",
                                     td_fields={"retryCount": 2, "retryLogic": logic, **fields})
    wid = start(clients.api, wname)
    # Fail attempts directly (a worker may update a SCHEDULED task) so no delay has to elapse.
    for attempt, delay in enumerate(expected_delays):
        current = tasks_by_ref(get_wf(clients.api, wid), "t1")[-1]
        assert current["retryCount"] == attempt
        complete(clients.api, current, status="FAILED", reasonForIncompletion=f"attempt {attempt}")
        nxt = tasks_by_ref(get_wf(clients.api, wid), "t1")[-1]
        assert nxt["retryCount"] == attempt + 1
        assert (nxt["startDelayInSeconds"], nxt["callbackAfterSeconds"]) == (delay, delay), \
            f"{logic} {fields}: retry {attempt + 1} delay {nxt['startDelayInSeconds']}, want {delay}"


def test_response_timeout_times_out_then_retries_then_fails(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "resp",
                                     td_fields={"retryCount": 1, "retryDelaySeconds": 0, "responseTimeoutSeconds": 1})
    wid = start(clients.api, wname)
    first = poll_until(clients.api, tname)
    polled_at = time.monotonic()

    def timed_out():
        t = get_task(clients.api, first["taskId"])
        return t if t["status"] == "TIMED_OUT" else None

    t = wait_until(timed_out, 6, what="response timeout")
    print(f"response timeout fired {time.monotonic() - polled_at:.2f}s after the poll (responseTimeoutSeconds=1)")
    assert t["reasonForIncompletion"] == (
        f"responseTimeout: 1 exceeded for the taskId: {first['taskId']} with Task Definition: {tname}")

    # A late result for the timed-out attempt is ignored.
    r = update(clients.api, first, status="COMPLETED", output={"late": True})
    assert r.status_code == 200
    assert get_task(clients.api, first["taskId"])["status"] == "TIMED_OUT"

    retry = poll_until(clients.api, tname, timeout=5)
    assert retry["retriedTaskId"] == first["taskId"] and retry["retryCount"] == 1
    wf = wait_status(clients.api, wid, "TIMED_OUT", timeout=8)
    assert wf["reasonForIncompletion"].startswith(f"Task {retry['taskId']} failed with status: TIMED_OUT")
    assert [x["status"] for x in wf["tasks"]] == ["TIMED_OUT", "TIMED_OUT"]


def test_task_timeout_policy_time_out_wf(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "tasktimeout", td_fields={
        "retryCount": 2, "retryDelaySeconds": 0, "timeoutSeconds": 1, "responseTimeoutSeconds": 1,
        "timeoutPolicy": "TIME_OUT_WF"})
    wid = start(clients.api, wname)
    task = poll_until(clients.api, tname)
    # Keep reporting progress so only the task timeout (not the response timeout) can fire.
    complete(clients.api, task, status="IN_PROGRESS", output={"p": 1}, callbackAfterSeconds=0)
    wf = wait_status(clients.api, wid, "TIMED_OUT", timeout=8)
    assert len(wf["tasks"]) == 1, "TIME_OUT_WF: no retry"
    assert wf["tasks"][0]["status"] == "TIMED_OUT"


def test_poll_timeout_with_retry_policy(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "polltimeout", td_fields={
        "retryCount": 1, "retryDelaySeconds": 0, "pollTimeoutSeconds": 1, "timeoutPolicy": "RETRY"})
    wid = start(clients.api, wname)

    def two_attempts():
        ts = tasks_by_ref(get_wf(clients.api, wid), "t1")
        return ts if len(ts) == 2 else None

    old, new = wait_until(two_attempts, 6, what="poll timeout and retry")
    assert old["status"] == "TIMED_OUT" and old["retried"] is True
    assert old["reasonForIncompletion"].startswith("Task poll timed out after")
    assert new["status"] in ("SCHEDULED", "TIMED_OUT") and new["retryCount"] == 1
    wf = wait_status(clients.api, wid, "TIMED_OUT", timeout=6)
    assert [t["status"] for t in wf["tasks"]] == ["TIMED_OUT", "TIMED_OUT"]


def test_workflow_timeout_time_out_wf(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "wftimeout",
                                     wf_fields={"timeoutSeconds": 1, "timeoutPolicy": "TIME_OUT_WF"})
    wid = start(clients.api, wname)
    started = time.monotonic()
    wf = wait_status(clients.api, wid, "TIMED_OUT", timeout=6)
    print(f"workflow timed out {time.monotonic() - started:.2f}s after start (timeoutSeconds=1)")
    assert wf["reasonForIncompletion"].startswith("Workflow timed out after"), wf["reasonForIncompletion"]
    assert "TIME_OUT_WF" in wf["reasonForIncompletion"]
    assert wf["tasks"][0]["status"] == "CANCELED", "open tasks are canceled when the workflow ends"
    assert_nothing_to_poll(clients.api, tname)

    # ALERT_ONLY leaves it running.
    _, wname2 = one_task_workflow(clients.api, unique, "wfalert",
                                  wf_fields={"timeoutSeconds": 1, "timeoutPolicy": "ALERT_ONLY"})
    wid2 = start(clients.api, wname2)
    time.sleep(2)
    assert get_wf(clients.api, wid2)["status"] == "RUNNING"


def test_failure_workflow_started_with_failed_workflow_details(clients, unique):
    ftask, fname = one_task_workflow(clients.api, unique, "onfail")
    tname, wname = one_task_workflow(clients.api, unique, "mainfail", wf_fields={"failureWorkflow": fname})
    wid = start(clients.api, wname, {"k": "v"}, correlationId="fw-corr")
    t1 = poll_until(clients.api, tname)
    complete(clients.api, t1, status="FAILED", reasonForIncompletion="nope")

    wf = wait_status(clients.api, wid, "FAILED")
    fid = wf["output"].get("conductor.failure_workflow")
    assert fid, f"failed workflow output should name the failure workflow: {wf['output']}"
    fwf = get_wf(clients.api, fid)
    assert fwf["workflowName"] == fname and fwf["status"] == "RUNNING"
    assert fwf["correlationId"] == "fw-corr"
    inp = fwf["input"]
    assert inp["workflowId"] == wid and inp["k"] == "v"
    assert inp["reason"] == wf["reasonForIncompletion"]
    assert inp["failureStatus"] == "FAILED"
    assert inp.get("failureTaskId") == t1["taskId"]
    assert isinstance(inp["failedWorkflow"], dict) and inp["failedWorkflow"]["workflowId"] == wid
    assert poll_until(clients.api, ftask)["workflowInstanceId"] == fid

    # Also on a workflow timeout.
    _, wname2 = one_task_workflow(clients.api, unique, "timeoutfail", wf_fields={
        "failureWorkflow": fname, "timeoutSeconds": 1, "timeoutPolicy": "TIME_OUT_WF"})
    wid2 = start(clients.api, wname2, {"k": "w"})
    wf2 = wait_status(clients.api, wid2, "TIMED_OUT", timeout=6)
    fid2 = wf2["output"].get("conductor.failure_workflow")
    assert fid2, wf2["output"]
    f2 = get_wf(clients.api, fid2)
    assert f2["input"]["workflowId"] == wid2 and f2["input"]["failureStatus"] == "TIMED_OUT"


# --------------------------------------------------------------------------- limits

def test_concurrent_exec_limit(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "concur", td_fields={"concurrentExecLimit": 1})
    w1, w2 = start(clients.api, wname, {"i": 1}), start(clients.api, wname, {"i": 2})
    got = batch_poll(clients.api, tname, count=2, timeout_ms=500)
    assert len(got) == 1, f"limit 1: got {len(got)} tasks in one poll"
    assert_nothing_to_poll(clients.api, tname, timeout_ms=500)
    assert queue_size(clients.api, tname) == 1, "a throttled task stays queued"

    complete(clients.api, got[0], status="IN_PROGRESS", callbackAfterSeconds=30)
    # Re-queued (SCHEDULED), so nothing is IN_PROGRESS any more: the other task may go out.
    second = poll_until(clients.api, tname, timeout=3)
    assert second["taskId"] != got[0]["taskId"]
    assert_nothing_to_poll(clients.api, tname, timeout_ms=300)
    complete(clients.api, second)
    assert {get_wf(clients.api, w)["status"] for w in (w1, w2)} == {"RUNNING", "COMPLETED"}


def test_rate_limit_per_frequency(clients, unique):
    tname, wname = one_task_workflow(clients.api, unique, "rate", td_fields={
        "rateLimitPerFrequency": 2, "rateLimitFrequencyInSeconds": 2})
    for i in range(5):
        start(clients.api, wname, {"i": i})
    got = batch_poll(clients.api, tname, count=10, timeout_ms=300)
    first_at = time.monotonic()
    assert len(got) == 2, f"2 per 2 s window: one poll handed out {len(got)}"
    assert queue_size(clients.api, tname) == 3, "throttled tasks stay queued (skipped, not hidden)"
    delivered = [t["taskId"] for t in got]
    for t in got:
        complete(clients.api, t)

    def drained():
        for t in batch_poll(clients.api, tname, count=10, timeout_ms=200):
            delivered.append(t["taskId"])
            complete(clients.api, t)
        return len(delivered) >= 5

    wait_until(drained, 10, what="the rate-limited tasks to be handed out over later windows")
    print(f"5 tasks at 2 per 2 s handed out within {time.monotonic() - first_at:.2f}s")
    assert len(set(delivered)) == len(delivered) == 5
    assert time.monotonic() - first_at >= 1.0, "5 tasks at 2 per 2 s cannot all go out in under a second"


def test_update_v2_hands_out_the_next_task_its_update_scheduled(clients, unique):
    """`POST /tasks/update-v2`: the update and the next poll of the same type are one command, so the
    next task of a linear workflow (scheduled by that very update) comes back in the answer."""
    tname, wname = one_task_workflow(clients.api, unique, "v2", n_tasks=3)
    wid = start(clients.api, wname)
    task = poll_until(clients.api, tname)
    api = clients.tasks.taskResourceApi
    for ref in ("t2", "t3"):
        nxt = api.update_task_v2(TaskResult(workflow_instance_id=wid, task_id=task["taskId"], status="COMPLETED",
                                            output_data={"done": task["referenceTaskName"]}, worker_id="v2-worker"))
        assert nxt is not None and nxt.reference_task_name == ref and nxt.workflow_instance_id == wid, nxt
        assert nxt.status == "IN_PROGRESS" and nxt.worker_id == "v2-worker"
        task = {"taskId": nxt.task_id, "referenceTaskName": nxt.reference_task_name}
    last = api.update_task_v2(TaskResult(workflow_instance_id=wid, task_id=task["taskId"], status="COMPLETED"))
    assert last is None
    assert wait_status(clients.api, wid, "COMPLETED")["tasks"][1]["outputData"] == {"done": "t2"}
