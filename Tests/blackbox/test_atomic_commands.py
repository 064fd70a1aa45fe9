"""A command is all or nothing: one refused part-way leaves every workflow it touched exactly as it was,
over HTTP and after a restart. Retrying (or restarting) a failed child reopens its parent; when the
parent is gone the command is refused with 404 after it has already staged the child's retry, and
nothing of that retry may remain."""
from types import SimpleNamespace

import pytest
import requests

from conductor.client.configuration.configuration import Configuration
from conductor.client.http.rest import ApiException
from conductor.client.orkes_clients import OrkesClients

from execution_support import (assert_nothing_to_poll, complete, get_wf, poll_until, register_taskdefs,
                               register_workflow, simple, start, taskdef, wait_status, wait_until, wf_def)


def private_clients(srv):
    api = srv.url + "/api"
    return SimpleNamespace(api=api, workflows=OrkesClients(Configuration(server_api_url=api)).get_workflow_client())


def refused(call, status):
    with pytest.raises(ApiException) as err:
        call()
    assert err.value.status == status, f"expected HTTP {status}, got {err.value.status}: {err.value.body}"
    return err.value


def test_a_retry_refused_part_way_leaves_child_and_parent_as_they_were(start_server, unique, tmp_path):
    srv = start_server()
    c = private_clients(srv)
    worker, child, parent = unique("atomic_w"), unique("atomic_child"), unique("atomic_parent")
    register_taskdefs(c.api, taskdef(worker))
    register_workflow(c.api, wf_def(child, [simple(worker, "cw")]))
    register_workflow(c.api, wf_def(parent, [{"name": "sub", "taskReferenceName": "sub", "type": "SUB_WORKFLOW",
                                              "subWorkflowParam": {"name": child, "version": 1}}]))
    pid = start(c.api, parent)
    cid = wait_until(lambda: (get_wf(c.api, pid)["tasks"] or [{}])[0].get("subWorkflowId"), 10, what="the child")
    complete(c.api, poll_until(c.api, worker), status="FAILED", reasonForIncompletion="child failed")
    wait_status(c.api, cid, "FAILED")
    wait_status(c.api, pid, "FAILED")

    # The parent goes; the child stays, FAILED, still naming its parent.
    c.workflows.delete_workflow(pid, archive_workflow=True)
    assert requests.get(f"{c.api}/workflow/{pid}", timeout=10).status_code == 404
    before = get_wf(c.api, cid)
    assert before["parentWorkflowId"] == pid

    # Each of these reopens the child first, then fails to find the parent: refused, and no trace.
    e = refused(lambda: c.workflows.retry_workflow(cid), 404)
    assert pid in (e.body or ""), e.body
    refused(lambda: c.workflows.restart_workflow(cid), 404)
    r = requests.post(f"{c.api}/workflow/{cid}/rerun", json={"reRunFromWorkflowId": cid}, timeout=10)
    assert r.status_code == 404 and pid in r.text, r.text

    assert get_wf(c.api, cid) == before
    assert requests.get(f"{c.api}/workflow/{pid}", timeout=10).status_code == 404
    assert_nothing_to_poll(c.api, worker)

    # The same after a restart: nothing half-done was committed underneath.
    assert srv.stop() == 0
    srv2 = start_server(db=srv.db)
    c2 = private_clients(srv2)
    assert get_wf(c2.api, cid) == before
    assert requests.get(f"{c2.api}/workflow/{pid}", timeout=10).status_code == 404
    assert_nothing_to_poll(c2.api, worker)
