"""`GET /metrics` (and OSS's `/actuator/prometheus`): Prometheus text that prometheus_client parses,
and every family moves by exactly the work done between two scrapes."""
import time
from collections import defaultdict

import pytest
import requests
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_result import TaskResult
from conductor.client.orkes_clients import OrkesClients
from prometheus_client.parser import text_string_to_metric_families

from execution_support import register_taskdefs, register_workflow, simple, taskdef, wf_def


def scrape(url, path="/metrics"):
    """{(sample name, frozenset of labels): value}, and the families' types, as the client library parses them."""
    r = requests.get(url + path, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples, types = defaultdict(float), {}
    for family in text_string_to_metric_families(r.text):
        types[family.name] = family.type
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, types


def delta(before, after, name, **labels):
    key = (name, frozenset(labels.items()))
    return after.get(key, 0) - before.get(key, 0)


@pytest.fixture
def metered(start_server, tmp_path):
    srv = start_server(db=tmp_path / "metrics.db")
    orkes = OrkesClients(Configuration(server_api_url=srv.url + "/api"))
    return srv, orkes.get_workflow_client(), orkes.get_task_client()


def test_every_family_moves_by_the_work_done(metered):
    srv, workflows, tasks = metered
    api = srv.url + "/api"
    register_taskdefs(api, taskdef("m_task", retryCount=0))
    register_workflow(api, wf_def("m_flow", [simple("m_task", "only")]))

    before, types = scrape(srv.url)
    assert types["baton_workflows_started"] == "counter"  # the parser names a counter family without _total and types["baton_sqlite_commit_seconds"] == "histogram"
    assert types["baton_task_queue_depth"] == "gauge"

    ids = [workflows.start_workflow(StartWorkflowRequest(name="m_flow", version=1, input={"i": i})) for i in range(6)]
    held = [tasks.poll_task("m_task", worker_id="m") for _ in range(5)]
    assert all(t.task_id for t in held)
    assert tasks.poll_task("m_task", worker_id="m").task_id        # the sixth, handed out ...
    # ... and two polls that find nothing (the client makes an empty Task of the 204).
    assert tasks.poll_task("other_type", worker_id="m").task_id is None
    assert tasks.poll_task("other_type", worker_id="m").task_id is None
    middle, _ = scrape(srv.url, "/actuator/prometheus")
    assert middle[("baton_tasks_in_progress", frozenset({("taskDefName", "m_task")}))] == 6
    assert middle[("baton_workflows_active", frozenset())] == 6

    for k, t in enumerate(held):
        status = "COMPLETED" if k < 3 else "FAILED"
        tasks.update_task(TaskResult(workflow_instance_id=t.workflow_instance_id, task_id=t.task_id, status=status,
                                     reason_for_incompletion=None if k < 3 else "no", output_data={}))
    workflows.terminate_workflow(ids[5], reason="enough")
    after, _ = scrape(srv.url)

    flow, task = {"workflowName": "m_flow"}, {"taskType": "m_task"}
    assert delta(before, after, "baton_workflows_started_total", **flow) == 6
    assert delta(before, after, "baton_workflows_ended_total", **flow, status="COMPLETED") == 3
    assert delta(before, after, "baton_workflows_ended_total", **flow, status="FAILED") == 2
    assert delta(before, after, "baton_workflows_ended_total", **flow, status="TERMINATED") == 1
    assert delta(before, after, "baton_tasks_scheduled_total", **task) == 6
    assert delta(before, after, "baton_tasks_ended_total", **task, status="COMPLETED") == 3
    assert delta(before, after, "baton_tasks_ended_total", **task, status="FAILED") == 2
    assert delta(before, after, "baton_tasks_ended_total", **task, status="CANCELED") == 1
    assert after[("baton_task_queue_depth", frozenset({("queue", "m_task")}))] == 0
    assert after.get(("baton_tasks_in_progress", frozenset({("taskDefName", "m_task")})), 0) == 0
    assert after[("baton_workflows_active", frozenset())] == 0

    assert delta(before, after, "baton_task_polls_total", result="task") == 6
    assert delta(before, after, "baton_task_polls_total", result="empty") == 2
    assert delta(before, after, "baton_task_updates_total") == 5

    def requests_of(method, route, status):
        return delta(before, after, "baton_http_requests_total", method=method, route=route, status=status)
    assert requests_of("POST", "/api/workflow", "200") == 6
    assert requests_of("GET", "/api/tasks/poll/{tasktype}", "200") == 6
    assert requests_of("GET", "/api/tasks/poll/{tasktype}", "204") == 2
    assert requests_of("POST", "/api/tasks", "200") == 5
    assert requests_of("DELETE", "/api/workflow/{workflowId}", "200") == 1
    # A scrape is counted once it has been answered: the first two are in the last one.
    assert requests_of("GET", "/metrics", "200") == 1 and requests_of("GET", "/actuator/prometheus", "200") == 1
    assert delta(before, after, "baton_http_request_duration_seconds_count", method="POST", route="/api/workflow") == 6
    assert delta(before, after, "baton_http_request_duration_seconds_bucket", method="POST", route="/api/workflow", le="+Inf") == 6
    assert delta(before, after, "baton_http_request_duration_seconds_sum", method="POST", route="/api/workflow") > 0

    # Commands the engine ran: 6 starts, 6 polls that found a task and 2 that did not (each looks
    # twice: before and after its 100 ms wait), 5 updates, 1 terminate, and the two earlier scrapes.
    assert delta(before, after, "baton_engine_batch_commands_sum") == 6 + 6 + 2 * 2 + 5 + 1 + 2
    commits, batches = delta(before, after, "baton_sqlite_commit_seconds_count"), delta(before, after, "baton_engine_batch_commands_count")
    assert 1 <= commits <= batches, (commits, batches)   # a commit writes one batch or several
    assert delta(before, after, "baton_sqlite_commit_seconds_bucket", le="+Inf") == commits

    # The process and the database.
    assert after[("process_resident_memory_bytes", frozenset())] > 1_000_000
    assert after[("process_open_fds", frozenset())] > 3
    assert delta(before, after, "process_cpu_seconds_total") >= 0
    assert abs(after[("process_start_time_seconds", frozenset())] - (time.time() - (time.monotonic() - srv.started_at))) < 5
    assert after[("baton_database_bytes", frozenset())] > 4096
    assert after[("baton_http_open_connections", frozenset())] >= 1
    assert after[("baton_http_connections_accepted_total", frozenset())] >= 1


def test_unknown_paths_are_counted_without_their_path(metered):
    srv, _, _ = metered
    before, _ = scrape(srv.url)
    for p in ("/nope", "/api/nope/1", "/api/nope/2"):
        assert requests.get(srv.url + p, timeout=10).status_code == 404
    assert requests.post(srv.url + "/metrics", timeout=10).status_code == 405
    after, _ = scrape(srv.url)
    assert delta(before, after, "baton_http_requests_total", method="ANY", route="unmatched", status="404") == 3
    assert delta(before, after, "baton_http_requests_total", method="ANY", route="unmatched", status="405") == 1
    assert not any("nope" in str(labels) for (_, labels) in after)
