"""OSS (and Orkes workflow-client) endpoints conductor-python 2.0.0 calls, through its own methods where it
has them: workflow tests with mocks, variables and state updates, correlated batch lookups, signals,
workflow messages, task search, and the admin / queue / environment routes (issue: OSS parity)."""
import requests
from conductor.client.http.models.correlation_ids_search_request import CorrelationIdsSearchRequest
from conductor.client.http.models.task_result import TaskResult
from conductor.client.http.models.workflow_state_update import WorkflowStateUpdate
from conductor.client.http.models.workflow_test_request import TaskMock, WorkflowTestRequest
from conductor.client.http.rest import ApiException

from execution_support import (assert_nothing_to_poll, get_wf, register_taskdefs, register_workflow, start,
                               taskdef, wait_status, wait_until, wf_def)


def wait_task(api, wid, ref, status="IN_PROGRESS"):
    return wait_until(lambda: next((t for t in get_wf(api, wid)["tasks"]
                                    if t["referenceTaskName"] == ref and t["status"] == status), None), 10, what=f"{ref} {status}")


def test_workflow_test_runs_mocks_through_retries_forks_and_sub_workflows(clients, unique):
    worker, child, parent = unique("wt_w"), unique("wt_child"), unique("wt_parent")
    register_taskdefs(clients.api, taskdef(worker, retryCount=1, retryDelaySeconds=0))
    register_workflow(clients.api, wf_def(child, [{"name": worker, "taskReferenceName": "d", "type": "SIMPLE"}],
                                          outputParameters={"z": "${d.output.z}"}))
    register_workflow(clients.api, wf_def(parent, [
        {"name": worker, "taskReferenceName": "a", "type": "SIMPLE"},
        {"name": "fork", "taskReferenceName": "fork", "type": "FORK_JOIN", "forkTasks": [
            [{"name": worker, "taskReferenceName": "b", "type": "SIMPLE"}],
            [{"name": worker, "taskReferenceName": "c", "type": "SIMPLE"}]]},
        {"name": "join", "taskReferenceName": "join", "type": "JOIN", "joinOn": ["b", "c"]},
        {"name": "sub", "taskReferenceName": "sub", "type": "SUB_WORKFLOW", "subWorkflowParam": {"name": child, "version": 1}}],
        outputParameters={"a": "${a.output.x}", "b": "${b.output.y}", "s": "${sub.output.z}"}))
    request = WorkflowTestRequest(
        name=parent, version=1, input={"k": 1},
        task_ref_to_mock_output={"a": [TaskMock(status="FAILED", output={"x": 0}), TaskMock(status="COMPLETED", output={"x": 1})],
                                 "b": [TaskMock(status="COMPLETED", output={"y": 2})], "c": [TaskMock(status="COMPLETED", output={})]},
        sub_workflow_test_request={"sub": WorkflowTestRequest(name=child, task_ref_to_mock_output={
            "d": [TaskMock(status="COMPLETED", output={"z": 3}, execution_time=500)]})})
    wf = clients.workflows.test_workflow(request)
    assert wf.status == "COMPLETED", wf
    assert wf.output == {"a": 1, "b": 2, "s": 3}
    assert [(t.reference_task_name, t.status) for t in wf.tasks if t.reference_task_name == "a"] == \
        [("a", "FAILED"), ("a", "COMPLETED")]
    # The run is a real execution, its worker tasks in a domain of their own that no worker polls.
    stored = get_wf(clients.api, wf.workflow_id)
    assert stored["status"] == "COMPLETED" and stored["taskToDomain"]["*"]
    child_wf = get_wf(clients.api, next(t for t in stored["tasks"] if t["referenceTaskName"] == "sub")["subWorkflowId"])
    d = child_wf["tasks"][0]
    assert d["outputData"] == {"z": 3} and d["endTime"] - d["startTime"] >= 500


def test_workflow_test_stops_at_a_task_without_a_mock(clients, unique):
    worker = unique("wt_open")
    register_taskdefs(clients.api, taskdef(worker))
    name = unique("wt_open_wf")
    register_workflow(clients.api, wf_def(name, [{"name": worker, "taskReferenceName": "a", "type": "SIMPLE"},
                                                 {"name": worker, "taskReferenceName": "b", "type": "SIMPLE"}]))
    wf = clients.workflows.test_workflow(WorkflowTestRequest(name=name, version=1, task_ref_to_mock_output={
        "a": [TaskMock(status="COMPLETED", output={"done": True})]}))
    assert wf.status == "RUNNING"
    assert [(t.reference_task_name, t.status) for t in wf.tasks] == [("a", "COMPLETED"), ("b", "SCHEDULED")]
    assert_nothing_to_poll(clients.api, worker)   # in the test's own domain
    # A literal segment wins: "test" is not a workflow name to start.
    r = requests.post(f"{clients.api}/workflow/test", json={"name": unique("no_such_wf")})
    assert r.status_code == 404 and "No such workflow" in r.json()["message"]


def test_update_variables_and_update_state(clients, unique):
    name = unique("vars_wf")
    register_workflow(clients.api, wf_def(name, [
        {"name": "gate", "taskReferenceName": "gate", "type": "WAIT"},
        {"name": "route", "taskReferenceName": "route", "type": "SWITCH", "evaluatorType": "value-param",
         "expression": "r", "inputParameters": {"r": "${workflow.variables.route}"},
         "decisionCases": {"left": [{"name": "second", "taskReferenceName": "second", "type": "WAIT"}]}, "defaultCase": []}],
        outputParameters={"v": "${workflow.variables}", "gate": "${gate.output}"}))
    wid = start(clients.api, name)
    clients.workflows.update_variables(wid, {"route": "left", "n": 1})
    assert get_wf(clients.api, wid)["variables"] == {"route": "left", "n": 1}
    run = clients.workflows.update_state(
        wid, WorkflowStateUpdate(task_reference_name="gate", task_result=TaskResult(status="COMPLETED", output_data={"k": 1}),
                                 variables={"n": 2}), wait_until_task_ref_names=["gate"], wait_for_seconds=5)
    assert run.workflow_id == wid and run.variables == {"route": "left", "n": 2}
    assert str(run.status).endswith("RUNNING")
    assert [(t.reference_task_name, t.status) for t in run.tasks] == \
        [("gate", "COMPLETED"), ("route", "COMPLETED"), ("second", "IN_PROGRESS")]
    # The state update waits for the workflow to end (or block) and answers with it.
    run = clients.workflows.update_state(wid, WorkflowStateUpdate(task_reference_name="second",
                                                                  task_result=TaskResult(status="COMPLETED")))
    assert str(run.status).endswith("COMPLETED") and run.output["gate"] == {"k": 1}
    # Bad input changes nothing.
    r = requests.post(f"{clients.api}/workflow/{wid}/variables", json=[1, 2])
    assert r.status_code == 400
    r = requests.post(f"{clients.api}/workflow/{wid}/state", json={"taskReferenceName": "gate", "taskResult": {"status": "NOPE"}})
    assert r.status_code == 400
    assert requests.post(f"{clients.api}/workflow/nope-{unique('x')}/variables", json={}).status_code == 404


def test_correlated_batch_finds_workflows_by_name_and_correlation_id(clients, unique):
    a, b = unique("corr_a"), unique("corr_b")
    for n in (a, b):
        register_workflow(clients.api, wf_def(n, [{"name": "w", "taskReferenceName": "w", "type": "WAIT"}]))
    c1, c2 = unique("c1"), unique("c2")
    wa = start(clients.api, a, correlationId=c1)
    wb = start(clients.api, b, correlationId=c1)
    done = start(clients.api, a, correlationId=c2)
    clients.workflows.terminate_workflow(done, "finished")
    found = clients.workflows.get_by_correlation_ids_in_batch(
        CorrelationIdsSearchRequest(correlation_ids=[c1, c2], workflow_names=[a, b]))
    assert sorted(w.workflow_id for w in found[c1]) == sorted([wa, wb]) and found[c2] == []
    found = clients.workflows.get_by_correlation_ids_in_batch(
        CorrelationIdsSearchRequest(correlation_ids=[c2], workflow_names=[a]), include_completed=True, include_tasks=True)
    assert [w.workflow_id for w in found[c2]] == [done] and found[c2][0].tasks
    r = requests.post(f"{clients.api}/workflow/correlated/batch", json={"correlationIds": [c1]})
    assert r.status_code == 400 and "workflowNames" in r.json()["message"]


def test_signals_reach_the_blocked_wait_in_the_workflow_or_its_children(clients, unique):
    child, parent = unique("sig_child"), unique("sig_parent")
    register_workflow(clients.api, wf_def(child, [{"name": "cw", "taskReferenceName": "cw", "type": "WAIT"}],
                                          outputParameters={"got": "${cw.output.a}"}))
    register_workflow(clients.api, wf_def(parent, [
        {"name": "w1", "taskReferenceName": "w1", "type": "WAIT"},
        {"name": "sub", "taskReferenceName": "sub", "type": "SUB_WORKFLOW", "subWorkflowParam": {"name": child, "version": 1}},
        {"name": "w3", "taskReferenceName": "w3", "type": "WAIT"}], outputParameters={"child": "${sub.output.got}"}))
    wid = start(clients.api, parent)
    # Signalling w1 lets the workflow run on to the child's WAIT: the task that now blocks.
    r = clients.executor.signal(wid, "COMPLETED", {"a": 0}, return_strategy="BLOCKING_TASK")
    assert r.response_type == "BLOCKING_TASK" and r.reference_task_name == "cw" and r.task_type == "WAIT"
    assert r.target_workflow_id == wid and r.workflow_id != wid and getattr(r.status, "value", r.status) == "IN_PROGRESS"
    assert next(t for t in get_wf(clients.api, wid)["tasks"] if t["referenceTaskName"] == "w1")["outputData"] == {"a": 0}
    # The child's WAIT is signalled next (the parent has none open); the parent then blocks on w3.
    r = clients.executor.signal(wid, "COMPLETED", {"a": 7}, return_strategy="BLOCKING_WORKFLOW")
    assert r.response_type == "BLOCKING_WORKFLOW" and r.workflow_id == wid and r.target_workflow_status == "RUNNING"
    clients.executor.signal_async(wid, "COMPLETED", {})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"child": 7}
    # Nothing blocked: the sync form answers 404, the async one 200.
    try:
        clients.executor.signal(wid, "COMPLETED", {})
        raise AssertionError("expected a 404")
    except ApiException as e:
        assert e.status == 404 and "Found no blocked task" in e.body
    assert requests.post(f"{clients.api}/tasks/{wid}/COMPLETED/signal", json={}).status_code == 200
    # "signal" is a literal segment, not a task reference name to update.
    r = requests.post(f"{clients.api}/tasks/{wid}/DONE/signal", json={})
    assert r.status_code == 400


def test_signal_sync_target_workflow_times_out_with_the_state_of_the_moment(clients, unique):
    worker = unique("sig_worker")
    register_taskdefs(clients.api, taskdef(worker))
    name = unique("sig_to")
    register_workflow(clients.api, wf_def(name, [{"name": "w", "taskReferenceName": "w", "type": "WAIT"},
                                                 {"name": worker, "taskReferenceName": "s", "type": "SIMPLE"}]))
    wid = start(clients.api, name)
    r = requests.post(f"{clients.api}/tasks/{wid}/COMPLETED/signal/sync?timeoutMillis=300", json={"x": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["responseType"] == "TARGET_WORKFLOW" and body["signalTimeout"] is True and body["status"] == "RUNNING"
    assert [t["referenceTaskName"] for t in body["tasks"]] == ["w", "s"]


def test_messages_reach_pull_workflow_messages_tasks_and_survive_a_kill(start_server, tmp_path, unique):
    import signal as sig
    from conductor.client.configuration.configuration import Configuration
    from conductor.client.orkes_clients import OrkesClients
    srv = start_server(db=tmp_path / "msg.db")
    api = srv.url + "/api"
    workflows = OrkesClients(Configuration(server_api_url=api)).get_workflow_client()
    name = unique("wmq")
    register_workflow(api, wf_def(name, [
        {"name": "gate", "taskReferenceName": "gate", "type": "WAIT"},
        {"name": "pull", "taskReferenceName": "pull", "type": "PULL_WORKFLOW_MESSAGES", "inputParameters": {"batchSize": 5}},
        {"name": "pull2", "taskReferenceName": "pull2", "type": "PULL_WORKFLOW_MESSAGES"},
        {"name": "peek", "taskReferenceName": "peek", "type": "PULL_WORKFLOW_MESSAGES", "inputParameters": {"blocking": False}}],
        outputParameters={"first": "${pull.output}", "second": "${pull2.output.messages[0].payload}", "peek": "${peek.output.count}"}))
    wid = start(api, name)
    ids = [workflows.send_message(wid, {"n": 1}), workflows.send_message(wid, {"n": 2})]
    assert all(len(i) == 36 for i in ids)
    srv.stop(sig.SIGKILL)
    srv = start_server(db=tmp_path / "msg.db", port=srv.port)
    requests.post(f"{api}/tasks/{wid}/gate/COMPLETED", json={}).raise_for_status()
    pull = wait_task(api, wid, "pull", "COMPLETED")
    assert pull["outputData"]["count"] == 2
    assert [(m["id"], m["workflowId"], m["payload"]) for m in pull["outputData"]["messages"]] == \
        [(ids[0], wid, {"n": 1}), (ids[1], wid, {"n": 2})]
    wait_task(api, wid, "pull2", "IN_PROGRESS")   # blocking: waits for the next message
    workflows.send_message(wid, {"n": 3})
    wf = wait_status(api, wid, "COMPLETED")
    assert wf["output"]["second"] == {"n": 3} and wf["output"]["peek"] == 0
    r = requests.post(f"{api}/workflow/{wid}/messages", json={"late": True})
    assert r.status_code == 409 and "is not in RUNNING state (current: COMPLETED)" in r.json()["message"]
    assert requests.post(f"{api}/workflow/{unique('nope')}/messages", json={}).status_code == 404


def test_task_search_and_search_by_tasks(clients, unique):
    name = unique("tsearch")
    register_workflow(clients.api, wf_def(name, [{"name": "human", "taskReferenceName": "h", "type": "HUMAN"}]))
    corr = unique("tc")
    wids = [start(clients.api, name, {"i": i}, correlationId=corr) for i in range(3)]
    api = clients.tasks.taskResourceApi
    found = api.search1(query=f"taskType=HUMAN AND workflowType={name}", size=2)
    assert found.total_hits == 3 and len(found.results) == 2
    assert {r.workflow_id for r in found.results} <= set(wids) and found.results[0].task_type == "HUMAN"
    full = api.search_v21(query=f"correlationId={corr} AND status=IN_PROGRESS", sort="startTime:ASC")
    assert [t.workflow_instance_id for t in full.results] == wids and full.results[0].reference_task_name == "h"
    # "search" is a literal segment, not a task id.
    assert requests.get(f"{clients.api}/tasks/search", params={"query": f"workflowType={unique('none')}"}).json() == \
        {"totalHits": 0, "results": []}
    r = requests.get(f"{clients.api}/workflow/search-by-tasks", params={"query": f"taskType=HUMAN AND correlationId={corr}"})
    assert r.json()["totalHits"] == 3 and {w["workflowId"] for w in r.json()["results"]} == set(wids)
    r = requests.get(f"{clients.api}/workflow/search-by-tasks-v2",
                     params={"query": f"taskType IN (HUMAN) AND correlationId={corr}", "sort": "startTime:ASC"})
    assert [w["workflowId"] for w in r.json()["results"]] == wids
    assert requests.get(f"{clients.api}/tasks/search", params={"query": "taskType HUMAN"}).status_code == 400


def test_admin_queue_environment_and_storage_routes(start_server, unique):
    srv = start_server(env={"CONDUCTOR_ENV_REGION": "eu-west", "CONDUCTOR_SECRET_API_TOKEN": "hidden"})
    api = srv.url + "/api"
    config = requests.get(f"{api}/admin/config").json()
    assert config["port"] == srv.port and config["sqliteSynchronous"] == "FULL" and config["version"]
    assert requests.get(f"{api}/environment").json() == [{"name": "REGION", "value": "eu-west"}]
    assert requests.get(f"{api}/environment/REGION").text == "eu-west"
    assert requests.get(f"{api}/secrets").json() == ["API_TOKEN"]
    from conductor.client.configuration.configuration import Configuration
    from conductor.client.orkes_clients import OrkesClients
    assert OrkesClients(Configuration(server_api_url=api)).get_secret_client().list_all_secret_names() == {"API_TOKEN"}
    assert requests.get(f"{api}/queue/size").json() == {"conductor_COMPLETED": 0, "conductor_FAILED": 0}
    loc = requests.get(f"{api}/workflow/externalstoragelocation",
                       params={"path": "in/", "operation": "WRITE", "payloadType": "WORKFLOW_INPUT"}).json()
    assert loc["path"].startswith("in/") and loc["path"].endswith(".json")
    r = requests.get(f"{api}/tasks/externalstoragelocation", params={"path": "x", "operation": "SEND", "payloadType": "TASK_INPUT"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid input - Operation: SEND, PayloadType: TASK_INPUT"

    name = unique("qadmin")
    register_workflow(api, wf_def(name, [{"name": "w", "taskReferenceName": "w", "type": "WAIT"},
                                         {"name": "h", "taskReferenceName": "h", "type": "HUMAN"}]))
    wid = start(api, name)
    requests.post(f"{api}/queue/update/{wid}/w/COMPLETED", json={"ok": 1}).raise_for_status()
    h = wait_task(api, wid, "h")
    assert requests.post(f"{api}/queue/update/{wid}/h/IN_PROGRESS", json={}).status_code == 400
    requests.post(f"{api}/queue/update/{wid}/task/{h['taskId']}/FAILED", json={"why": "no"}).raise_for_status()
    wf = wait_status(api, wid, "FAILED")
    w = wf["tasks"][0]
    assert w["status"] == "COMPLETED" and w["outputData"]["ok"] == 1 and '"taskRefName":"w"' in w["outputData"]["externalId"]
    assert requests.post(f"{api}/admin/sweep/requeue/{wid}").text == f"false.{wid}"
    assert requests.post(f"{api}/admin/consistency/verifyAndRepair/{wid}").text == "false"
    assert requests.post(f"{api}/admin/consistency/verifyAndRepair/nope").status_code == 404
