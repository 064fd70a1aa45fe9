"""Concurrency soak: workers, timers and management commands hammering the same workflows at once.

For a bounded time (BATON_CONCURRENCY_SECONDS, default 8) worker threads poll and report random
results (COMPLETED / FAILED / IN_PROGRESS with a callback / no answer at all), task definitions with
1-2 s response timeouts and 0-1 s retry delays and workflows with a 3 s timeout keep the timer service
busy, and management threads fire random pause/resume/terminate/retry/restart/rerun/skip/
resetcallbacks/decide commands at 40 workflows. Refusals are fine (4xx, or 500 with one of the
documented IllegalState messages); any other 5xx, a connection error or a timeout fails the test.

Afterwards every workflow must be consistent (see check_invariants), no task attempt may have been
handed to two polls unless it was legitimately re-queued, the server must still be healthy, and a
drain phase (always-completing workers, paused workflows resumed) must bring every workflow to a
terminal state, which proves no queue entry was lost.

BATON_CONCURRENCY_ROUNDS (default 1) repeats the whole scenario on the same private server.
"""
import collections
import os
import random
import threading
import time
import uuid

import requests

ROUNDS = int(os.environ.get("BATON_CONCURRENCY_ROUNDS", "1"))
LOAD_SECONDS = float(os.environ.get("BATON_CONCURRENCY_SECONDS", "8"))
WORKFLOWS = 40
HTTP_TIMEOUT = 15
OPEN = {"SCHEDULED", "IN_PROGRESS"}
TERMINAL_WF = {"COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"}
KNOWN_500 = ("is not PAUSED so cannot resume", "cannot be skipped", "does not exist in the WorkflowDefinition",
             "has already been processed, cannot be skipped")


class Soak:
    def __init__(self, url, rnd):
        self.url, self.api, self.round = url, url + "/api", rnd
        self.tag = uuid.uuid4().hex[:8]
        self.lock = threading.Lock()
        self.problems = []                                  # unexpected responses / exceptions
        self.deliveries = collections.Counter()             # taskId -> times handed out by a poll
        self.pollers = collections.defaultdict(list)        # taskId -> workers that got it
        self.allowance = collections.Counter()              # taskId -> extra deliveries allowed
        self.wf_of_task = {}
        self.stats = collections.Counter()
        self.stop = threading.Event()
        self.draining = threading.Event()
        self.local = threading.local()

    # -- plumbing -------------------------------------------------------------------------------

    def session(self):
        s = getattr(self.local, "s", None)
        if s is None:
            s = self.local.s = requests.Session()
        return s

    def call(self, method, path, allowed=(200,), known_500=False, what=None, **kw):
        """Issue a request; record a problem for connection errors, 5xx other than known refusals,
        or (when `allowed` is not None) statuses outside `allowed` + 4xx."""
        what = what or f"{method} {path}"
        try:
            r = self.session().request(method, self.api + path, timeout=HTTP_TIMEOUT, **kw)
        except requests.RequestException as e:
            self.problem(f"{what}: {type(e).__name__}: {e}")
            return None
        if r.status_code >= 500:
            msg = ""
            try:
                msg = r.json().get("message", "")
            except ValueError:
                pass
            if not (known_500 and r.status_code == 500 and any(k in msg for k in KNOWN_500)):
                self.problem(f"{what}: HTTP {r.status_code} {r.text[:300]}")
        elif r.status_code not in allowed and not (400 <= r.status_code < 500 and known_500):
            self.problem(f"{what}: unexpected HTTP {r.status_code} {r.text[:300]}")
        with self.lock:
            self.stats[f"{what.split(' ')[0]} {r.status_code}"] += 1
        return r

    def problem(self, text):
        with self.lock:
            self.problems.append(f"[round {self.round}] {text}")

    # -- setup ----------------------------------------------------------------------------------

    def setup(self):
        t = self.tag
        self.types = {"A": f"cc_a_{t}", "B": f"cc_b_{t}", "C": f"cc_c_{t}"}
        defs = [
            {"name": self.types["A"], "retryCount": 2, "retryLogic": "FIXED", "retryDelaySeconds": 1,
             "responseTimeoutSeconds": 2, "timeoutPolicy": "RETRY", "timeoutSeconds": 0},
            {"name": self.types["B"], "retryCount": 2, "retryLogic": "FIXED", "retryDelaySeconds": 0,
             "responseTimeoutSeconds": 1, "timeoutPolicy": "RETRY", "timeoutSeconds": 0},
            {"name": self.types["C"], "retryCount": 1, "retryLogic": "FIXED", "retryDelaySeconds": 1,
             "responseTimeoutSeconds": 2, "timeoutPolicy": "RETRY", "timeoutSeconds": 0},
        ]
        r = requests.post(self.api + "/metadata/taskdefs", json=defs, timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text

        def task(kind, ref, inputs):
            return {"name": self.types[kind], "taskReferenceName": ref, "type": "SIMPLE", "inputParameters": inputs}

        self.defs = {
            f"cc_long_{t}": [task("A", "t0", {"x": "${workflow.input.x}"}),
                             task("B", "t1", {"prev": "${t0.output.n}"}),
                             task("C", "t2", {"prev": "${t1.output.n}", "first": "${t0.output.w}"})],
            f"cc_short_{t}": [task("B", "t0", {"x": "${workflow.input.x}"}),
                              task("A", "t1", {"prev": "${t0.output.n}"})],
        }
        for i, (name, tasks) in enumerate(self.defs.items()):
            body = {"name": name, "version": 1, "schemaVersion": 2, "tasks": tasks,
                    "timeoutSeconds": 3 if i == 1 else 0, "timeoutPolicy": "TIME_OUT_WF"}
            r = requests.post(self.api + "/metadata/workflow", json=body, params={"overwrite": "true"},
                              timeout=HTTP_TIMEOUT)
            assert r.status_code == 200, r.text
        names = list(self.defs)
        self.wids = []
        for i in range(WORKFLOWS):
            r = requests.post(self.api + "/workflow", json={"name": names[i % 2], "input": {"x": i}},
                              timeout=HTTP_TIMEOUT)
            assert r.status_code == 200, r.text
            self.wids.append(r.text)
        self.wid_set = set(self.wids)

    # -- load -----------------------------------------------------------------------------------

    def worker(self, kind, n):
        rng = random.Random()
        wname = f"w{kind}{n}"
        task_type = self.types[kind]
        while not self.stop.is_set():
            r = self.call("GET", f"/tasks/poll/batch/{task_type}",
                          params={"workerid": wname, "count": 2, "timeout": 50}, what="poll")
            if r is None or r.status_code != 200:
                time.sleep(0.05)
                continue
            for t in r.json():
                tid = t["taskId"]
                with self.lock:
                    self.deliveries[tid] += 1
                    self.pollers[tid].append(wname)
                    self.wf_of_task[tid] = t["workflowInstanceId"]
                if t["workflowInstanceId"] not in self.wid_set:
                    self.problem(f"poll of {task_type} returned a task of foreign workflow {t['workflowInstanceId']}")
                if t.get("status") != "IN_PROGRESS":
                    self.problem(f"polled task {tid} has status {t.get('status')}")
                self.respond(rng, wname, t)

    def respond(self, rng, wname, t):
        tid = t["taskId"]
        p = 1.0 if self.draining.is_set() else rng.random()
        time.sleep(rng.choice((0, 0, 0.01, 0.05)))
        body = {"workflowInstanceId": t["workflowInstanceId"], "taskId": tid, "workerId": wname,
                "outputData": {"n": rng.randint(0, 9), "w": wname}}
        if p >= 0.40:
            body["status"] = "COMPLETED"
        elif p < 0.55:
            body.update(status="FAILED", reasonForIncompletion="random failure")
        elif p < 0.75:
            body.update(status="IN_PROGRESS", callbackAfterSeconds=rng.choice((0, 0, 1)))
            with self.lock:
                self.allowance[tid] += 1
        else:
            return                                     # no answer: response timeout (1-2 s)
        # A task deleted by restart/rerun answers 404; everything else must be 200.
        self.call("POST", "/tasks", allowed=(200, 404), json=body, what=f"update {body['status']}")

    def manager(self, n):
        rng = random.Random()
        while not self.stop.is_set():
            wid = rng.choice(self.wids)
            status = None
            if rng.random() < 0.7:
                r = self.call("GET", f"/workflow/{wid}", what="get")
                if r is not None and r.status_code == 200:
                    wf = r.json()
                    status = wf["status"]
            if status == "RUNNING":
                op = rng.choice(["pause", "terminate", "skip", "resetcallbacks", "decide", "pause"])
            elif status == "PAUSED":
                op = rng.choice(["resume", "resume", "terminate", "skip"])
            elif status in TERMINAL_WF:
                op = rng.choice(["retry", "restart", "rerun", "rerun_task", "terminate", "pause"])
            else:
                op = rng.choice(["pause", "resume", "terminate", "retry", "restart", "rerun", "rerun_task", "skip",
                                 "resetcallbacks", "decide"])
            self.command(rng, wid, op, wf if status else None)
            time.sleep(rng.choice((0, 0.005, 0.02)))

    def command(self, rng, wid, op, wf):
        p = f"/workflow/{wid}"
        if op == "pause":
            self.call("PUT", p + "/pause", json={}, known_500=True, what="pause")
        elif op == "resume":
            self.call("PUT", p + "/resume", json={}, known_500=True, what="resume")
        elif op == "terminate":
            self.call("DELETE", p, params={"reason": "soak & stop"}, json={}, known_500=True, what="terminate")
        elif op == "retry":
            self.call("POST", p + "/retry", allowed=(204,), json={}, known_500=True, what="retry")
        elif op == "restart":
            self.call("POST", p + "/restart", allowed=(204,), json={}, known_500=True, what="restart")
        elif op == "rerun":
            self.call("POST", p + "/rerun", json={"workflowInput": {"x": rng.randint(0, 99)}}, known_500=True,
                      what="rerun")
        elif op == "rerun_task":
            # Rerun from a latest (non-retried, non-skipped) attempt: the same id is queued again.
            candidates = [t for t in (wf or {}).get("tasks", []) if not t.get("retried") and t["status"] != "SKIPPED"]
            if not candidates:
                return
            tid = rng.choice(candidates)["taskId"]
            with self.lock:
                self.allowance[tid] += 1
            self.call("POST", p + "/rerun", json={"reRunFromTaskId": tid, "taskInput": {"again": True}},
                      known_500=True, what="rerun_task")
        elif op == "skip":
            ref = rng.choice(["t0", "t1", "t2"])
            self.call("PUT", f"{p}/skiptask/{ref}", json={"taskOutput": {"n": 5, "skipped": True}}, known_500=True,
                      what="skip")
        elif op == "resetcallbacks":
            self.call("POST", p + "/resetcallbacks", allowed=(204,), json={}, known_500=True, what="resetcallbacks")
        elif op == "decide":
            self.call("PUT", f"/workflow/decide/{wid}", json={}, known_500=True, what="decide")

    # -- checks ---------------------------------------------------------------------------------

    def fetch_all(self):
        out = {}
        for wid in self.wids:
            r = requests.get(f"{self.api}/workflow/{wid}", timeout=HTTP_TIMEOUT)
            assert r.status_code == 200, f"[round {self.round}] GET {wid}: {r.status_code} {r.text[:300]}"
            out[wid] = r.json()
        return out

    def check_invariants(self, wfs, phase):
        bad = []
        for wid, wf in wfs.items():
            tasks = wf["tasks"]
            desc = f"{wid} {wf['status']} tasks=" + str([(t["referenceTaskName"], t["status"], t["seq"],
                                                         t["retryCount"], t.get("retried", False)) for t in tasks])
            status = wf["status"]
            open_tasks = [t for t in tasks if t["status"] in OPEN]
            if status in TERMINAL_WF:
                if open_tasks:
                    bad.append(f"terminal workflow has open tasks: {desc}")
                if not wf.get("endTime"):
                    bad.append(f"terminal workflow without endTime: {desc}")
            elif status in ("RUNNING", "PAUSED"):
                if wf.get("endTime", 0) != 0:
                    bad.append(f"{status} workflow with endTime {wf.get('endTime')}: {desc}")
                if status == "RUNNING" and not open_tasks:
                    bad.append(f"RUNNING workflow with nothing open (stuck): {desc}")
            else:
                bad.append(f"unexpected status: {desc}")
            by_ref = collections.defaultdict(list)
            for t in tasks:
                by_ref[t["referenceTaskName"]].append(t)
            for ref, attempts in by_ref.items():
                live = [t for t in attempts if t["status"] in OPEN and not t.get("retried")]
                if len(live) > 1:
                    bad.append(f"{len(live)} open attempts of {ref}: {desc}")
                if [t for t in attempts if t["status"] in OPEN and t.get("retried")]:
                    bad.append(f"an open attempt of {ref} is marked retried: {desc}")
                for t in attempts:
                    if t.get("retried") and not [n for n in attempts if n.get("retriedTaskId") == t["taskId"]
                                                 and n["seq"] > t["seq"]]:
                        bad.append(f"retried attempt {t['taskId']} of {ref} has no later attempt pointing at it: {desc}")
            # A skipped not-yet-scheduled node gets seq 0, as in OSS (listed first; several may share it);
            # every scheduled task has its own seq, increasing.
            placeholders = [t for t in tasks if t["seq"] == 0]
            if [t for t in placeholders if t["status"] != "SKIPPED"]:
                bad.append(f"a task other than a skip record has seq 0: {desc}")
            seqs = [t["seq"] for t in tasks if t["seq"] != 0]
            if tasks[:len(placeholders)] != placeholders:
                bad.append(f"skip records (seq 0) not listed first: {desc}")
            if len(set(seqs)) != len(seqs) or seqs != sorted(seqs):
                bad.append(f"seq values not unique and increasing {seqs}: {desc}")
            if len({t["taskId"] for t in tasks}) != len(tasks):
                bad.append(f"duplicate task ids: {desc}")
        assert not bad, f"[round {self.round}] {phase}: {len(bad)} invariant violations:\n" + "\n".join(bad[:15])

    def check_deliveries(self):
        with self.lock:
            dup = [(tid, n, self.allowance[tid], self.pollers[tid]) for tid, n in self.deliveries.items()
                   if n > 1 + self.allowance[tid]]
        assert not dup, f"[round {self.round}] task attempts handed to more polls than allowed " \
                        f"(taskId, deliveries, re-queues, workers): {dup[:10]}"

    def health(self, server):
        assert server.running, f"[round {self.round}] baton died:\n{server.stderr()[-3000:]}"
        r = requests.get(self.url + "/health", timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, f"/health: {r.status_code}"

    def run_threads(self, targets):
        threads = [threading.Thread(target=self.guard(fn), args=args, daemon=True) for fn, args in targets]
        for th in threads:
            th.start()
        return threads

    def guard(self, fn):
        def run(*args):
            try:
                fn(*args)
            except Exception as e:                       # a crash in a test thread is a test problem
                self.problem(f"thread {fn.__name__}{args} crashed: {type(e).__name__}: {e}")
        return run


def run_round(server, rnd):
    soak = Soak(server.url, rnd)
    soak.setup()

    workers = [(soak.worker, (kind, n)) for kind in "ABC" for n in range(2)]
    managers = [(soak.manager, (n,)) for n in range(3)]
    threads = soak.run_threads(workers + managers)
    time.sleep(LOAD_SECONDS)
    soak.stop.set()
    for th in threads:
        th.join(timeout=HTTP_TIMEOUT + 5)
        assert not th.is_alive(), f"[round {rnd}] a load thread did not stop"
    assert not soak.problems, f"{len(soak.problems)} problems during the load:\n" + "\n".join(soak.problems[:20])
    assert sum(v for k, v in soak.stats.items() if k.startswith(("update", "pause", "terminate"))) > 50, soak.stats

    time.sleep(0.5)
    soak.health(server)
    soak.check_invariants(soak.fetch_all(), "after the load")
    soak.check_deliveries()

    # Drain: resume everything paused, complete every task handed out; all workflows must end.
    soak.stop.clear()
    soak.draining.set()
    threads = soak.run_threads([(soak.worker, (kind, n)) for kind in "ABC" for n in range(2)])
    deadline = time.monotonic() + 25
    try:
        while True:
            wfs = soak.fetch_all()
            for wid, wf in wfs.items():
                if wf["status"] == "PAUSED":
                    soak.call("PUT", f"/workflow/{wid}/resume", json={}, known_500=True, what="resume")
            if all(wf["status"] in TERMINAL_WF for wf in wfs.values()):
                break
            if time.monotonic() > deadline:
                stuck = {wid: (wf["status"], [(t["referenceTaskName"], t["status"], t.get("callbackAfterSeconds"))
                                              for t in wf["tasks"]])
                         for wid, wf in wfs.items() if wf["status"] not in TERMINAL_WF}
                raise AssertionError(f"[round {rnd}] workflows not finished 25 s into the drain: {stuck}")
            time.sleep(0.3)
    finally:
        soak.stop.set()
        for th in threads:
            th.join(timeout=HTTP_TIMEOUT + 5)
    assert not soak.problems, f"{len(soak.problems)} problems during the drain:\n" + "\n".join(soak.problems[:20])
    soak.check_invariants(soak.fetch_all(), "after the drain")
    soak.check_deliveries()
    soak.health(server)
    return soak.stats


def test_concurrent_workers_timers_and_management(start_server):
    server = start_server()
    for rnd in range(ROUNDS):
        stats = run_round(server, rnd)
        print(f"round {rnd}: {dict(sorted(stats.items()))}")
