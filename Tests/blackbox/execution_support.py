"""Raw-HTTP helpers for the execution-core black-box tests (start, poll, update, wait).

The SDK is used where the test is about the SDK; these helpers talk JSON directly so that field
presence and exact types can be checked, and so that setup never depends on SDK model quirks.
"""
import json
import time

import requests

HTTP_TIMEOUT = 30


def taskdef(name, **fields):
    """A TaskDef that never waits long: no retries, 1 s retry delay, 30 s response timeout."""
    d = {"name": name, "retryCount": 0, "retryLogic": "FIXED", "retryDelaySeconds": 1,
         "responseTimeoutSeconds": 30, "timeoutSeconds": 0, "timeoutPolicy": "TIME_OUT_WF"}
    d.update(fields)
    return d


def register_taskdefs(api, *defs):
    r = requests.post(f"{api}/metadata/taskdefs", json=list(defs), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"register taskdefs {[d['name'] for d in defs]}: {r.status_code} {r.text}"


def simple(name, ref, inputs=None, **fields):
    t = {"name": name, "taskReferenceName": ref, "type": "SIMPLE", "inputParameters": inputs or {}}
    t.update(fields)
    return t


def wf_def(name, tasks, version=1, **fields):
    d = {"name": name, "version": version, "schemaVersion": 2, "tasks": tasks, "timeoutSeconds": 0}
    d.update(fields)
    return d


def register_workflow(api, definition):
    r = requests.post(f"{api}/metadata/workflow", json=definition, params={"overwrite": "true"},
                      timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"register workflow {definition['name']}: {r.status_code} {r.text}"


def start(api, name, input=None, definition=None, **fields):
    """POST /workflow; returns the id (asserts 200)."""
    body = {"name": name, "input": {} if input is None else input}
    if definition is not None:
        body["workflowDef"] = definition
    body.update(fields)
    r = requests.post(f"{api}/workflow", json=body, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"start {name}: {r.status_code} {r.text}"
    return r.text


def get_wf(api, wid, include_tasks=True):
    r = requests.get(f"{api}/workflow/{wid}", params={"includeTasks": str(include_tasks).lower()},
                     timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"GET workflow {wid}: {r.status_code} {r.text}"
    return r.json()


def get_task(api, tid):
    r = requests.get(f"{api}/tasks/{tid}", timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"GET task {tid}: {r.status_code} {r.text}"
    return r.json()


def tasks_by_ref(wf, ref):
    return [t for t in wf["tasks"] if t["referenceTaskName"] == ref]


def batch_poll(api, task_type, worker="bb-worker", count=1, timeout_ms=100, domain=None):
    params = {"workerid": worker, "count": count, "timeout": timeout_ms}
    if domain:
        params["domain"] = domain
    r = requests.get(f"{api}/tasks/poll/batch/{task_type}", params=params, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"batch poll {task_type}: {r.status_code} {r.text}"
    return r.json()


def poll_until(api, task_type, timeout=10.0, worker="bb-worker"):
    """Poll (long polls of 500 ms) until one task arrives; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = batch_poll(api, task_type, worker=worker, count=1, timeout_ms=500)
        if got:
            assert len(got) == 1
            return got[0]
    raise AssertionError(f"no {task_type} task delivered within {timeout}s")


def assert_nothing_to_poll(api, task_type, worker="bb-worker", timeout_ms=300):
    got = batch_poll(api, task_type, worker=worker, count=5, timeout_ms=timeout_ms)
    assert got == [], f"expected no {task_type} task, got {[(t['taskId'], t['status']) for t in got]}"


def update(api, task, status="COMPLETED", output=None, worker="bb-worker", **fields):
    """POST /tasks with a TaskResult for `task` (a Task dict); returns the response."""
    body = {"workflowInstanceId": task["workflowInstanceId"], "taskId": task["taskId"],
            "status": status, "outputData": output or {}, "workerId": worker}
    body.update(fields)
    return requests.post(f"{api}/tasks", json=body, timeout=HTTP_TIMEOUT)


def complete(api, task, output=None, status="COMPLETED", **fields):
    r = update(api, task, status=status, output=output, **fields)
    assert r.status_code == 200, f"update {task['taskId']} -> {status}: {r.status_code} {r.text}"
    assert r.text == task["taskId"], f"update should answer the task id as text, got {r.text!r}"
    return r


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Call predicate() until it returns a truthy value; return it, or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value {last!r}")
        time.sleep(interval)


def wait_status(api, wid, statuses, timeout=10.0):
    if isinstance(statuses, str):
        statuses = {statuses}
    holder = {}

    def check():
        holder["wf"] = get_wf(api, wid)
        return holder["wf"]["status"] in statuses

    try:
        wait_until(check, timeout, what=f"workflow {wid} status in {statuses}")
    except AssertionError:
        wf = holder.get("wf") or {}
        summary = [(t["referenceTaskName"], t["status"], t.get("reasonForIncompletion")) for t in wf.get("tasks", [])]
        raise AssertionError(f"workflow {wid} is {wf.get('status')} (reason {wf.get('reasonForIncompletion')!r}), "
                             f"wanted {statuses} within {timeout}s; tasks {summary}")
    return holder["wf"]


def queue_size(api, task_type):
    r = requests.get(f"{api}/tasks/queue/sizes", params={"taskType": task_type}, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json().get(task_type, 0)


def pretty(obj):
    return json.dumps(obj, indent=1, sort_keys=True)[:4000]


class BackgroundWorker:
    """A plain-HTTP worker thread: long-polls `task_type` and completes each task with fn(task) -> output.

    fn may return (status, output) to report something other than COMPLETED.
    """

    def __init__(self, api, task_type, fn=lambda task: {}, worker_id="bg-worker", count=5):
        import threading
        self.api, self.task_type, self.fn, self.worker_id, self.count = api, task_type, fn, worker_id, count
        self.handled = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    def _run(self):
        s = requests.Session()
        while not self._stop.is_set():
            try:
                r = s.get(f"{self.api}/tasks/poll/batch/{self.task_type}",
                          params={"workerid": self.worker_id, "count": self.count, "timeout": 200}, timeout=10)
                for task in r.json() if r.status_code == 200 else []:
                    out = self.fn(task)
                    status, output = out if isinstance(out, tuple) else ("COMPLETED", out)
                    u = s.post(f"{self.api}/tasks", json={
                        "workflowInstanceId": task["workflowInstanceId"], "taskId": task["taskId"],
                        "status": status, "outputData": output, "workerId": self.worker_id}, timeout=10)
                    if u.status_code != 200:
                        self.errors.append(f"update {task['taskId']}: {u.status_code} {u.text[:200]}")
                    self.handled.append(task["taskId"])
            except Exception as e:  # keep polling; report at the end
                self.errors.append(repr(e))
                time.sleep(0.1)
