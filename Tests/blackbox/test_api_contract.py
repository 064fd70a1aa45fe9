"""The API contract: `/api-docs` describes what the server does, and schemathesis holds it to that.

schemathesis generates requests for every documented operation from the document alone (valid and
invalid parameters and bodies) and checks each answer: no 5xx, a status the document lists, the
documented content type, a body that validates against the documented schema. It runs against a
private server, since it registers, starts and resets whatever it likes; the server is seeded first
so listing and search answers hold real executions and definitions to validate.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from conftest import BATON

# Fixed so a CI run is reproducible; set BATON_SCHEMATHESIS_SEED to explore other inputs by hand.
SEED = os.environ.get("BATON_SCHEMATHESIS_SEED", "20261207")
MAX_EXAMPLES = os.environ.get("BATON_SCHEMATHESIS_EXAMPLES", "15")
# not_a_server_error, less the 500s OSS answers for some refusals (see schemathesis_hooks.py).
CHECKS = ("not_a_server_error_beyond_oss_refusals,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")
HERE = Path(__file__).resolve().parent
# POST /api/admin/snapshot writes a file wherever its `path` says, as the user running the server.
EXCLUDED_PATHS = ["/api/admin/snapshot"]


def seed(url):
    """Definitions and executions of every kind the listing and search routes return."""
    api = url + "/api"
    session = requests.Session()
    session.post(api + "/metadata/taskdefs", json=[{"name": "contract_task", "retryCount": 1,
                                                     "responseTimeoutSeconds": 10}]).raise_for_status()
    flow = {"name": "contract_flow", "version": 1, "timeoutSeconds": 0, "tasks": [
        {"name": "set", "taskReferenceName": "set", "type": "SET_VARIABLE", "inputParameters": {"x": 1}},
        {"name": "fork", "taskReferenceName": "fork", "type": "FORK_JOIN", "forkTasks": [
            [{"name": "contract_task", "taskReferenceName": "work", "type": "SIMPLE"}],
            [{"name": "wait", "taskReferenceName": "wait", "type": "WAIT"}]]},
        {"name": "join", "taskReferenceName": "join", "type": "JOIN", "joinOn": ["work", "wait"]},
    ]}
    session.post(api + "/metadata/workflow", json=flow).raise_for_status()
    quick = {"name": "contract_quick", "version": 1, "tasks": [
        {"name": "set", "taskReferenceName": "set", "type": "SET_VARIABLE", "inputParameters": {"y": 2}}]}
    session.post(api + "/metadata/workflow", json=quick).raise_for_status()
    for i in range(3):
        session.post(api + "/workflow", json={"name": "contract_flow", "correlationId": f"c{i}", "input": {"i": i}}).raise_for_status()
        session.post(api + "/workflow", json={"name": "contract_quick", "input": {"i": i}}).raise_for_status()
    # One task in progress with a log line, so poll data and logs have content.
    task = session.get(api + "/tasks/poll/contract_task", params={"workerid": "contract-worker"}).json()
    session.post(api + f"/tasks/{task['taskId']}/log", data="seeded").raise_for_status()
    session.post(api + "/event", json={"name": "contract_handler", "event": "conductor:contract", "active": True,
                                       "actions": [{"action": "start_workflow",
                                                    "start_workflow": {"name": "contract_quick"}}]}).raise_for_status()
    session.post(api + "/scheduler/schedules", json={"name": "contract_schedule", "cronExpression": "0 0 3 * * ?",
                                                     "startWorkflowRequest": {"name": "contract_quick"}}).raise_for_status()


def test_api_docs_lists_every_operation_with_an_error_schema(start_server):
    srv = start_server()
    doc = requests.get(srv.url + "/api-docs").json()
    assert doc["openapi"].startswith("3.")
    operations = [(m, p, op) for p, item in doc["paths"].items() for m, op in item.items()]
    assert len(operations) > 100
    for method, path, op in operations:
        assert op["operationId"] and op["summary"], (method, path)
        assert op["responses"]["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert any(code.startswith("2") for code in op["responses"]), (method, path)
    # A route the document lists answers; one it does not list is a 404 in Conductor's error shape.
    assert requests.get(srv.url + "/api/metadata/taskdefs").status_code == 200
    missing = requests.get(srv.url + "/api/not-a-route")
    assert missing.status_code == 404 and set(missing.json()) >= {"status", "message"}


def test_schemathesis_finds_no_contract_violation(start_server, tmp_path):
    srv = start_server(flags=["--allow-reset", "true"])
    seed(srv.url)
    cli = Path(sys.executable).parent / "schemathesis"
    command = [str(cli), "--config-file", str(HERE / "schemathesis.toml"), "run", srv.url + "/api-docs", "--checks", CHECKS, "--max-examples", MAX_EXAMPLES,
               "--seed", SEED, "--phases", "examples,coverage,fuzzing", "--workers", "1",
               "--request-timeout", "20", "--generation-database", "none", "--no-color",
               "--suppress-health-check", "all", "--report", "junit", "--report-dir", str(tmp_path / "report")]
    for path in EXCLUDED_PATHS:
        command += ["--exclude-path", path]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    output = run.stdout + run.stderr
    (tmp_path / "schemathesis.txt").write_text(output)
    tested = re.search(r"Tested:\s+(\d+)", output)
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    print(f"schemathesis: operations tested {tested and tested.group(1)}, "
          f"cases {cases and cases.group(0)}, seed {SEED}")
    assert run.returncode == 0, output[-12000:]
    assert tested and int(tested.group(1)) > 100, output[-3000:]
    # The server is still up and answering, and it never crashed along the way.
    assert srv.running, srv.stderr()[-4000:]
    assert requests.get(srv.url + "/health", timeout=5).status_code == 200
    assert "Fatal error" not in srv.stderr()


# What the schemathesis run found, one regression test each.

def test_negative_paging_of_pending_tasks_answers_instead_of_crashing(server):
    for query in ("start=-1", "count=-5", "start=2147483647"):
        r = requests.get(server + "/api/admin/task/contract_none?" + query)
        assert r.status_code == 200 and r.json() == [], (query, r.text)
    assert requests.get(server + "/health").status_code == 200


def test_scalars_sent_for_string_fields_come_back_as_strings(server, unique):
    """Jackson coerces a number or boolean sent for a String field to its text; Baton stored the raw value."""
    api = server + "/api"
    name = unique("coerce")
    handler = {"name": name, "event": f"conductor:{name}", "condition": True, "active": True,
               "actions": [{"action": "start_workflow", "start_workflow": {"name": "x"}}]}
    requests.post(api + "/event", json=handler).raise_for_status()
    stored = next(h for h in requests.get(api + "/event").json() if h["name"] == name)
    assert stored["condition"] == "true"
    flow = {"name": name, "tasks": [{"name": "a", "taskReferenceName": "a", "type": "SIMPLE",
                                     "dynamicForkTasksInputParamName": 2.5, "startDelay": "3"}]}
    requests.post(api + "/metadata/workflow", json=flow).raise_for_status()
    task = requests.get(api + f"/metadata/workflow/{name}").json()["tasks"][0]
    assert task["dynamicForkTasksInputParamName"] == "2.5" and task["startDelay"] == 3
    bad = {"name": name + "_bad", "tasks": [{"name": "a", "taskReferenceName": "a", "sink": {"not": "a string"}}]}
    r = requests.post(api + "/metadata/workflow", json=bad)
    assert r.status_code == 400 and "sink" in r.json()["message"], r.text


def test_a_skipped_task_names_its_node(server, unique):
    api = server + "/api"
    name = unique("skipnode")
    flow = {"name": name, "tasks": [{"name": "w", "taskReferenceName": "w", "type": "WAIT"},
                                    {"name": "later", "taskReferenceName": "later", "type": "SET_VARIABLE",
                                     "inputParameters": {"v": 1}}]}
    requests.post(api + "/metadata/workflow", json=flow).raise_for_status()
    wid = requests.post(api + "/workflow", json={"name": name}).text
    requests.put(api + f"/workflow/{wid}/skiptask/later", json={}).raise_for_status()
    skipped = requests.get(api + f"/workflow/{wid}").json()["tasks"][0]
    assert skipped["status"] == "SKIPPED" and skipped["seq"] == 0
    assert skipped["workflowTask"]["name"] == "later" and skipped["workflowTask"]["taskReferenceName"] == "later"
