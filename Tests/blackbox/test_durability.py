"""Crash safety: what the server acknowledged survives `kill -9`, and due timers fire after a restart."""
import threading
import time

import requests

from execution_support import (batch_poll, complete, get_task, get_wf, poll_until, queue_size, register_taskdefs,
                               register_workflow, simple, start, taskdef, tasks_by_ref, update, wait_status,
                               wait_until, wf_def)


def test_acknowledged_work_survives_kill_9(start_server, unique):
    srv = start_server()
    api = srv.url + "/api"
    tname, wname = unique("dur_task"), unique("dur_wf")
    register_taskdefs(api, taskdef(tname))
    register_workflow(api, wf_def(wname, [simple(tname, "t1", {"i": "${workflow.input.i}"}),
                                          simple(tname, "t2", {"prev": "${t1.output.n}"})]))

    acked_starts, acked_completions, lock = {}, {}, threading.Lock()
    stop = threading.Event()

    def starter(k):
        s, i = requests.Session(), 0
        while not stop.is_set():
            i += 1
            try:
                r = s.post(f"{api}/workflow", json={"name": wname, "input": {"i": f"{k}-{i}"}}, timeout=5)
            except requests.RequestException:
                return
            if r.status_code == 200:
                with lock:
                    acked_starts[r.text] = f"{k}-{i}"

    def completer(k):
        s = requests.Session()
        while not stop.is_set():
            try:
                got = s.get(f"{api}/tasks/poll/batch/{tname}", params={"workerid": f"c{k}", "count": 2,
                                                                       "timeout": 100}, timeout=5).json()
                for t in got:
                    if t["referenceTaskName"] != "t1":
                        continue
                    r = s.post(f"{api}/tasks", json={"workflowInstanceId": t["workflowInstanceId"],
                                                     "taskId": t["taskId"], "status": "COMPLETED",
                                                     "outputData": {"n": t["inputData"]["i"]}}, timeout=5)
                    if r.status_code == 200:
                        with lock:
                            acked_completions[t["workflowInstanceId"]] = t["taskId"]
            except (requests.RequestException, ValueError):
                return

    threads = [threading.Thread(target=starter, args=(k,)) for k in range(6)]
    threads += [threading.Thread(target=completer, args=(k,)) for k in range(2)]
    for th in threads:
        th.start()
    try:
        wait_until(lambda: len(acked_starts) >= 150 and len(acked_completions) >= 20, 30,
                   what="starts and completions before the crash")
        srv.kill()  # SIGKILL while requests are in flight
    finally:
        stop.set()
        for th in threads:
            th.join(10)
    print(f"acknowledged before kill -9: {len(acked_starts)} starts, {len(acked_completions)} t1 completions")

    srv2 = start_server(db=srv.db)
    api = srv2.url + "/api"
    print(f"restart on the same database: healthy after {srv2.ready_seconds:.2f}s")

    missing, wrong = [], []
    scheduled = 0
    for wid, i in acked_starts.items():
        r = requests.get(f"{api}/workflow/{wid}", timeout=10)
        if r.status_code != 200:
            missing.append(wid)
            continue
        wf = r.json()
        states = [(t["referenceTaskName"], t["status"]) for t in wf["tasks"]]
        if wf["status"] != "RUNNING" or wf["input"] != {"i": i}:
            wrong.append((wid, wf["status"], wf["input"], states))
        elif wid in acked_completions:
            # t2 may have been polled (and left IN_PROGRESS) by a completer before the crash.
            if states not in ([("t1", "COMPLETED"), ("t2", "SCHEDULED")], [("t1", "COMPLETED"), ("t2", "IN_PROGRESS")]) \
                    or tasks_by_ref(wf, "t1")[0]["taskId"] != acked_completions[wid]:
                wrong.append((wid, "acked t1 completion lost", states))
            elif tasks_by_ref(wf, "t2")[0]["inputData"] != {"prev": i}:
                wrong.append((wid, "t2 input", tasks_by_ref(wf, "t2")[0]["inputData"]))
            scheduled += states[1][1] == "SCHEDULED"
        else:
            # t1 may have been polled (IN_PROGRESS) or even completed without the ack reaching us.
            if states[0][0] != "t1" or states[0][1] not in ("SCHEDULED", "IN_PROGRESS", "COMPLETED"):
                wrong.append((wid, states))
            scheduled += sum(1 for _, s in states if s == "SCHEDULED")
    assert not missing, f"{len(missing)} acknowledged workflows vanished after kill -9, e.g. {missing[:3]}"
    assert not wrong, f"{len(wrong)} workflows in an unexpected state after restart, e.g. {wrong[:3]}"
    assert queue_size(api, tname) >= scheduled, "every SCHEDULED task must be back in its queue"

    # Workers finish everything: SCHEDULED tasks are polled; IN_PROGRESS ones are reported by the worker
    # that held them across the restart.
    def drain():
        for t in batch_poll(api, tname, worker="drain", count=50, timeout_ms=100):
            complete(api, t, output={"n": t["inputData"].get("i", "x")}, worker="drain")
        open_wfs = 0
        for wid in acked_starts:
            wf = get_wf(api, wid)
            if wf["status"] == "COMPLETED":
                continue
            assert wf["status"] == "RUNNING", (wid, wf["status"], wf.get("reasonForIncompletion"))
            open_wfs += 1
            for t in wf["tasks"]:
                if t["status"] == "IN_PROGRESS":
                    complete(api, t, output={"n": t["inputData"].get("i", "x")}, worker="holder")
        return open_wfs == 0

    wait_until(drain, 60, interval=0.1, what="all acknowledged workflows to complete after restart")


def test_timers_that_fell_due_while_down_fire_after_restart(start_server, unique):
    srv = start_server()
    api = srv.url + "/api"

    # 1. Response timeout: polled task, worker never answers (responseTimeoutSeconds=2, 1 retry).
    resp_t, resp_w = unique("dur_resp_task"), unique("dur_resp_wf")
    register_taskdefs(api, taskdef(resp_t, retryCount=1, retryDelaySeconds=0, responseTimeoutSeconds=2))
    register_workflow(api, wf_def(resp_w, [simple(resp_t, "t1")]))
    resp_wid = start(api, resp_w)
    resp_task = poll_until(api, resp_t)

    # 2. Retry delay: failed attempt whose retry becomes visible 3 s later.
    retry_t, retry_w = unique("dur_retry_task"), unique("dur_retry_wf")
    register_taskdefs(api, taskdef(retry_t, retryCount=1, retryDelaySeconds=3))
    register_workflow(api, wf_def(retry_w, [simple(retry_t, "t1")]))
    retry_wid = start(api, retry_w)
    complete(api, poll_until(api, retry_t), status="FAILED", reasonForIncompletion="try again")

    # 3. IN_PROGRESS callback of 2 s.
    cb_t, cb_w = unique("dur_cb_task"), unique("dur_cb_wf")
    register_taskdefs(api, taskdef(cb_t))
    register_workflow(api, wf_def(cb_w, [simple(cb_t, "t1")]))
    cb_wid = start(api, cb_w)
    cb_task = poll_until(api, cb_t)
    complete(api, cb_task, status="IN_PROGRESS", callbackAfterSeconds=2)

    # 4. Workflow timeout of 2 s with TIME_OUT_WF.
    wft_t, wft_w = unique("dur_wft_task"), unique("dur_wft_wf")
    register_taskdefs(api, taskdef(wft_t))
    register_workflow(api, wf_def(wft_w, [simple(wft_t, "t1")], timeoutSeconds=2, timeoutPolicy="TIME_OUT_WF"))
    wft_wid = start(api, wft_w)

    srv.kill()
    time.sleep(3.5)  # every deadline above passes while the server is down
    srv2 = start_server(db=srv.db)
    api = srv2.url + "/api"
    up = time.monotonic()

    # Retry and callback tasks are pollable at once.
    got = batch_poll(api, retry_t, worker="after", count=1, timeout_ms=2000)
    assert len(got) == 1, "the retry that fell due while the server was down is not pollable after restart"
    assert got[0]["retryCount"] == 1 and got[0]["workflowInstanceId"] == retry_wid
    got = batch_poll(api, cb_t, worker="after", count=1, timeout_ms=2000)
    assert len(got) == 1 and got[0]["taskId"] == cb_task["taskId"], \
        "the IN_PROGRESS callback that fell due while down is not pollable after restart"

    # Response timeout fires and the retry attempt appears.
    def resp_fired():
        return get_task(api, resp_task["taskId"])["status"] == "TIMED_OUT"

    wait_until(resp_fired, 3, what="the overdue response timeout after restart")
    retry = poll_until(api, resp_t, timeout=3)
    assert retry["retriedTaskId"] == resp_task["taskId"] and retry["workflowInstanceId"] == resp_wid

    wf = wait_status(api, wft_wid, "TIMED_OUT", timeout=3)
    assert wf["reasonForIncompletion"].startswith("Workflow timed out after")
    print(f"all overdue timers handled {time.monotonic() - up:.2f}s after the restart")

    assert get_wf(api, cb_wid)["status"] == "RUNNING"
    r = update(api, retry, status="COMPLETED", output={})
    assert r.status_code == 200
    assert get_wf(api, resp_wid)["status"] == "COMPLETED"
