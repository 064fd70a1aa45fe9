"""Reset, sequential ids, snapshots, and export/import of definitions between two servers."""
import json
import statistics
import subprocess
import time

import requests
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.orkes_clients import OrkesClients

from conftest import BATON
from execution_support import batch_poll, register_taskdefs, register_workflow, simple, taskdef, wf_def

HOUR = 3_600_000
STAMPS = {"createTime", "updateTime", "updatedTime", "createdBy", "updatedBy", "nextRunTime"}


_workflow_clients = {}


def start(srv, name, version=1):
    if srv.url not in _workflow_clients:
        _workflow_clients[srv.url] = OrkesClients(Configuration(server_api_url=srv.url + "/api")).get_workflow_client()
    return _workflow_clients[srv.url].start_workflow(StartWorkflowRequest(name=name, version=version, input={}))


def wait_workflow(api, name, duration="1 hour"):
    register_workflow(api, wf_def(name, [{"name": "wait", "taskReferenceName": "w", "type": "WAIT",
                                          "inputParameters": {"duration": duration}}]))


def test_reset_removes_every_execution_and_keeps_the_server_serving(start_server):
    srv = start_server(flags=["--allow-reset", "true"])
    api = srv.url + "/api"
    register_taskdefs(api, taskdef("reset_task"))
    register_workflow(api, wf_def("reset_wf", [simple("reset_task", "t")]))
    wait_workflow(api, "reset_wait")
    requests.post(api + "/event", json={"name": "reset_handler", "event": "conductor:reset_wf:x", "active": True,
                                        "actions": [{"action": "start_workflow", "start_workflow": {"name": "reset_wait"}}]}, timeout=10)
    timings = []
    for _ in range(5):
        ids = [start(srv, "reset_wf") for _ in range(30)] + [start(srv, "reset_wait") for _ in range(30)]
        polled = batch_poll(api, "reset_task", count=5, timeout_ms=0)
        assert len(polled) == 5
        began = time.perf_counter()
        r = requests.post(api + "/admin/reset", timeout=10)
        timings.append((time.perf_counter() - began) * 1000)
        assert r.status_code == 200 and r.json()["removed"] == "executions", r.text
        for wid in ids[:3] + ids[-3:]:
            assert requests.get(f"{api}/workflow/{wid}", timeout=10).status_code == 404
        assert requests.get(api + "/tasks/queue/sizes", params={"taskType": "reset_task"}, timeout=10).json() == {"reset_task": 0}
        assert requests.get(api + "/workflow/search", params={"query": "workflowType IN (reset_wf,reset_wait)"}, timeout=10).json()["totalHits"] == 0
        assert requests.get(api + "/tasks/queue/polldata", params={"taskType": "reset_task"}, timeout=10).json() == []
    print(f"\nreset of 60 workflows: median {statistics.median(timings):.2f} ms over 5 (over HTTP, fsync included)")
    # Definitions stay; the server goes on.
    wid = start(srv, "reset_wf")
    assert batch_poll(api, "reset_task", timeout_ms=0)[0]["workflowInstanceId"] == wid
    r = requests.post(api + "/admin/reset", params={"definitions": "true"}, timeout=10)
    assert r.json()["removed"] == "executions and definitions"
    assert requests.get(api + "/metadata/workflow", timeout=10).json() == []
    assert requests.get(api + "/metadata/taskdefs", timeout=10).json() == []
    assert requests.get(api + "/event", timeout=10).json() == []
    r = requests.post(api + "/admin/reset", params={"definitions": "maybe"}, timeout=10)
    assert r.status_code == 400


def test_sequential_ids_repeat_after_reset_and_continue_after_restart(start_server, tmp_path):
    db = tmp_path / "seq.db"
    srv = start_server(flags=["--ids", "sequential", "--allow-reset", "true"], db=db)
    wait_workflow(srv.url + "/api", "seq_wait")
    first = [start(srv, "seq_wait") for _ in range(3)]
    # Each workflow takes two ids: its own and its WAIT task's.
    assert first == [f"00000000-0000-4000-8000-{n:012x}" for n in (1, 3, 5)]
    srv.stop()
    srv = start_server(flags=["--ids", "sequential", "--allow-reset", "true"], db=db)
    assert start(srv, "seq_wait") == "00000000-0000-4000-8000-000000000007"
    requests.post(srv.url + "/api/admin/reset", timeout=10)
    assert [start(srv, "seq_wait") for _ in range(3)] == first


def test_snapshot_while_serving_starts_exactly_there(start_server, tmp_path):
    t0 = 1_900_000_000_000
    db = tmp_path / "live.db"
    srv = start_server(flags=["--clock", "manual", "--clock-start", str(t0)], db=db)
    api = srv.url + "/api"
    wait_workflow(api, "snap_wait")
    done = start(srv, "snap_wait")
    requests.post(api + "/admin/clock/advance", json={"millis": HOUR}, timeout=10)
    waiting = start(srv, "snap_wait")
    by_api = tmp_path / "by-api.db"
    r = requests.post(api + "/admin/snapshot", json={"path": str(by_api)}, timeout=30)
    assert r.status_code == 200 and r.json()["bytes"] == by_api.stat().st_size > 0
    by_cli = tmp_path / "by-cli.db"
    out = subprocess.run([BATON, "snapshot", "--db", str(db), str(by_cli)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    raw = requests.post(api + "/admin/snapshot", timeout=30)
    assert raw.status_code == 200 and raw.content.startswith(b"SQLite format 3\x00")
    by_download = tmp_path / "download.db"
    by_download.write_bytes(raw.content)
    # Work after the snapshot is not in it.
    after = start(srv, "snap_wait")
    for copy in (by_api, by_cli, by_download):
        # The copy holds where the manual clock stood: the twin resumes there, not at the wall time.
        twin = start_server(flags=["--clock", "manual"], db=copy)
        tapi = twin.url + "/api"
        assert requests.get(tapi + "/admin/clock", timeout=10).json()["now"] == t0 + HOUR
        assert requests.get(f"{tapi}/workflow/{done}", timeout=10).json()["status"] == "COMPLETED"
        assert requests.get(f"{tapi}/workflow/{waiting}", timeout=10).json()["status"] == "RUNNING"
        assert requests.get(f"{tapi}/workflow/{after}", timeout=10).status_code == 404
        requests.post(tapi + "/admin/clock/advance", json={"millis": HOUR}, timeout=10)
        run = requests.get(f"{tapi}/workflow/{waiting}", timeout=10).json()
        assert run["status"] == "COMPLETED" and run["endTime"] == t0 + 2 * HOUR
        twin.stop()
    bad = subprocess.run([BATON, "snapshot", "--db", str(tmp_path / "missing.db"), str(tmp_path / "x.db")],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "no database" in bad.stderr


def definitions(api):
    def strip(items):
        return sorted((json.dumps({k: v for k, v in d.items() if k not in STAMPS}, sort_keys=True) for d in items))
    return {"taskdefs": strip(requests.get(api + "/metadata/taskdefs", timeout=10).json()),
            "workflows": strip(requests.get(api + "/metadata/workflow", timeout=10).json()),
            "events": strip(requests.get(api + "/event", timeout=10).json()),
            "schedules": strip(requests.get(api + "/scheduler/schedules", timeout=10).json())}


def copy(verb, *args):
    return subprocess.run([BATON, verb, *args], capture_output=True, text=True, timeout=60)


def test_export_and_import_round_trip_every_definition_kind(start_server):
    a, b, c = (start_server(flags=["--db", ":memory:"]) for _ in range(3))
    aapi = a.url + "/api"
    register_taskdefs(aapi, taskdef("ex_fetch", retryCount=2, description="fetches", inputKeys=["url"], rateLimitPerFrequency=5,
                                    rateLimitFrequencyInSeconds=10),
                      taskdef("ex_store", ownerEmail="ops@example.com", concurrentExecLimit=3))
    register_workflow(aapi, wf_def("ex_flow", [simple("ex_fetch", "f")], description="v1"))
    register_workflow(aapi, wf_def("ex_flow", [simple("ex_fetch", "f"), simple("ex_store", "s", {"x": "${f.output.x}"})], version=2,
                                   inputParameters=["url"], outputParameters={"x": "${s.output.x}"}))
    register_workflow(aapi, wf_def("ex_parent", [{"name": "ex_flow", "taskReferenceName": "child", "type": "SUB_WORKFLOW",
                                                  "subWorkflowParam": {"name": "ex_flow", "version": 2}}]))
    for body in ({"name": "ex_on_done", "event": "conductor:ex_flow:done", "active": True,
                  "actions": [{"action": "start_workflow", "start_workflow": {"name": "ex_parent", "input": {"k": "${v}"}}}]},
                 {"name": "ex_off", "event": "conductor:ex_flow:off", "active": False, "condition": "$.ok == true",
                  "actions": [{"action": "complete_task", "complete_task": {"workflowId": "${w}", "taskRefName": "f"}}]}):
        assert requests.post(aapi + "/event", json=body, timeout=10).status_code == 200
    for body in ({"name": "ex_nightly", "cronExpression": "0 0 2 * * *", "zoneId": "Europe/Berlin", "description": "nightly",
                  "startWorkflowRequest": {"name": "ex_parent", "input": {"k": 1}}},
                 {"name": "ex_paused", "cronExpression": "0 */5 * * * MON-FRI", "paused": True, "runCatchupScheduleInstances": True,
                  "startWorkflowRequest": {"name": "ex_flow", "version": 1}}):
        assert requests.post(aapi + "/scheduler/schedules", json=body, timeout=10).status_code == 200
    source = definitions(aapi)
    assert len(source["workflows"]) == 3 and len(source["taskdefs"]) == 2 and len(source["events"]) == 2 and len(source["schedules"]) == 2

    dry = copy("export", "--from", a.url, "--to", b.url, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would create workflow definition ex_flow version 2" in dry.stdout and "would create schedule ex_nightly" in dry.stdout and "9 to create" in dry.stdout
    assert definitions(b.url + "/api") == {"taskdefs": [], "workflows": [], "events": [], "schedules": []}

    out = copy("export", "--from", a.url, "--to", b.url + "/api")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "9 created, 0 updated, 0 unchanged" in out.stdout
    assert definitions(b.url + "/api") == source

    again = copy("export", "--from", a.url, "--to", b.url)
    assert "0 created, 0 updated, 9 unchanged" in again.stdout, again.stdout

    # A change on one side is an update on the next run, and only that.
    requests.put(aapi + "/metadata/taskdefs", json=taskdef("ex_store", ownerEmail="ops@example.com", concurrentExecLimit=9), timeout=10)
    changed = copy("export", "--from", a.url, "--to", b.url)
    assert "update task definition ex_store" in changed.stdout and "0 created, 1 updated, 8 unchanged" in changed.stdout
    assert definitions(b.url + "/api") == definitions(aapi)

    imported = copy("import", "--from", b.url, "--to", c.url)
    assert imported.returncode == 0 and "9 created" in imported.stdout, imported.stdout + imported.stderr
    assert definitions(c.url + "/api") == definitions(aapi)

    copied = requests.get(c.url + "/api/scheduler/schedules/ex_paused", timeout=10).json()
    assert copied["paused"] and copied["runCatchupScheduleInstances"] and "nextRunTime" not in copied
    assert requests.get(c.url + "/api/scheduler/schedules/ex_nightly", timeout=10).json()["nextRunTime"] > 0

    # What landed works: the imported parent runs its imported child.
    wid = start(c, "ex_parent")
    assert requests.get(f"{c.url}/api/workflow/{wid}", timeout=10).json()["status"] == "RUNNING"

    bad = copy("export", "--to", "ftp://nowhere")
    assert bad.returncode == 2 and "not an http" in bad.stderr
    unreachable = copy("import", "--from", "http://127.0.0.1:9", "--to", c.url)
    assert unreachable.returncode == 1 and "import" in unreachable.stderr


def test_a_manual_clock_resumes_where_it_stood_after_kill_9(start_server, tmp_path):
    t0 = 1_900_000_000_000
    db = tmp_path / "clock.db"
    srv = start_server(flags=["--clock", "manual", "--clock-start", str(t0)], db=db)
    api = srv.url + "/api"
    wait_workflow(api, "resume_wait", duration="3 hours")
    wid = start(srv, "resume_wait")
    assert requests.post(api + "/admin/clock/advance", json={"duration": "2h"}, timeout=10).status_code == 200
    srv.kill()
    again = start_server(flags=["--clock", "manual"], db=db)
    aapi = again.url + "/api"
    assert requests.get(aapi + "/admin/clock", timeout=10).json()["now"] == t0 + 2 * HOUR
    assert requests.get(f"{aapi}/workflow/{wid}", timeout=10).json()["status"] == "RUNNING"
    requests.post(aapi + "/admin/clock/advance", json={"duration": "1h"}, timeout=10)
    run = requests.get(f"{aapi}/workflow/{wid}", timeout=10).json()
    assert run["status"] == "COMPLETED" and run["endTime"] == t0 + 3 * HOUR
