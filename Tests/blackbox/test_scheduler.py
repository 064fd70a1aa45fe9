"""Workflow schedules (`/api/scheduler`) through conductor-python's scheduler client.

Most tests run on a manual-clock server, so a schedule fires the moment the clock is advanced past
its due time; the restart and `kill -9` tests use private servers with a file database."""
import json
import time

import pytest
import requests
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.save_schedule_request import SaveScheduleRequest
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.rest import ApiException
from conductor.client.orkes.models.metadata_tag import MetadataTag
from conductor.client.orkes_clients import OrkesClients

from conftest import Server
from execution_support import register_workflow, wf_def

START = 1_893_456_010_000   # 2030-01-01T00:00:10Z: ten seconds past a minute mark
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def waiting_workflow(api, name):
    """A workflow that stays RUNNING (an hour-long WAIT), so each fire leaves one workflow to find."""
    register_workflow(api, wf_def(name, [{"name": "wait", "taskReferenceName": "w", "type": "WAIT",
                                          "inputParameters": {"duration": "1 hour"}}]))


class Scheduling:
    """One server with the scheduler client, its clock and raw-HTTP helpers."""

    def __init__(self, url):
        self.api = url + "/api"
        orkes = OrkesClients(Configuration(server_api_url=self.api))
        self.scheduler = orkes.get_scheduler_client()
        self.workflows = orkes.get_workflow_client()

    def now(self):
        return requests.get(self.api + "/admin/clock", timeout=10).json()["now"]

    def advance(self, ms):
        r = requests.post(self.api + "/admin/clock/advance", json={"millis": ms}, timeout=120)
        assert r.status_code == 200, r.text
        return r.json()

    def save(self, name, cron, workflow, **fields):
        request = StartWorkflowRequest(name=workflow, version=1, input=fields.pop("input", {"from": "schedule"}),
                                       correlation_id=fields.pop("correlation_id", None))
        self.scheduler.save_schedule(SaveScheduleRequest(name=name, cron_expression=cron, start_workflow_request=request, **fields))

    def raw(self, name):
        r = requests.get(f"{self.api}/scheduler/schedules/{name}", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def fires(self, name):
        """The schedule's fire records, oldest first, through the client's execution search."""
        found = self.scheduler.search_schedule_executions(query=f"scheduleName IN ({name})", sort="scheduledTime:ASC", size=1000)
        return found.results or []

    def workflows_of(self, workflow):
        r = requests.get(f"{self.api}/workflow/search", params={"query": f"workflowType IN ({workflow})", "size": 1000}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["results"]


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("scheduler"), db=":memory:",
                 flags=["--clock", "manual", "--clock-start", str(START)]).start()
    yield Scheduling(srv.url)
    assert srv.stop() == 0, srv.stderr()[-3000:]


def api_error(call):
    """The ApiException a client call raises, with the server's JSON message as `.message`."""
    with pytest.raises(ApiException) as caught:
        call()
    err = caught.value
    err.message = json.loads(err.body)["message"]
    return err


def test_save_get_list_search_update_delete(s, unique):
    wf, name = unique("sched_wf"), unique("sched")
    waiting_workflow(s.api, wf)
    s.save(name, "0 0 * * * *", wf, description="hourly")

    got = s.scheduler.get_schedule(name)
    assert (got.name, got.cron_expression, got.zone_id, got.paused, got.run_catchup_schedule_instances) == \
        (name, "0 0 * * * *", "UTC", False, False)
    assert got.start_workflow_request.name == wf and got.description == "hourly"
    raw = s.raw(name)
    assert raw["nextRunTime"] == 1_893_459_600_000       # the next full hour, 01:00Z
    assert raw["createTime"] == START and raw["cronSchedules"] == []

    assert [x.name for x in s.scheduler.get_all_schedules(wf)] == [name]
    assert name in [x.name for x in s.scheduler.get_all_schedules()]
    assert s.scheduler.get_all_schedules(unique("nobody")) == []

    # Search: workflowName exact, scheduleName a case-insensitive part, paused, paging.
    other = unique("sched")
    s.save(other, "0 0 * * * *", wf, paused=True)
    search = lambda **q: requests.get(s.api + "/scheduler/schedules/search", params=q, timeout=10).json()
    assert search(workflowName=wf)["totalHits"] == 2
    assert [x["name"] for x in search(workflowName=wf, paused="false")["results"]] == [name]
    assert [x["name"] for x in search(workflowName=wf, paused="true")["results"]] == [other]
    assert [x["name"] for x in search(scheduleName=name.upper())["results"]] == [name]
    page = search(workflowName=wf, start=1, size=1)
    assert page["totalHits"] == 2 and [x["name"] for x in page["results"]] == [sorted([name, other])[1]]

    # Saving again updates: cron and next run change, the creation time stays.
    s.advance(MINUTE)
    s.save(name, "0 30 * * * *", wf)
    raw = s.raw(name)
    assert raw["cronExpression"] == "0 30 * * * *" and raw["createTime"] == START and raw["updatedTime"] == START + MINUTE
    assert raw["nextRunTime"] == 1_893_457_800_000       # 00:30Z

    s.scheduler.delete_schedule(name)
    s.scheduler.delete_schedule(other)
    err = api_error(lambda: s.scheduler.get_schedule(name))
    assert err.status == 404 and f"Schedule '{name}' not found" in err.message
    s.scheduler.delete_schedule(name)                   # deleting what is gone is not an error (as OSS)
    assert s.scheduler.get_all_schedules(wf) == []


@pytest.mark.parametrize("cron, message", [
    ("0 * * * *", 'Cron expression must consist of 6 fields (found 5 in "0 * * * *")'),
    ("0 0 25 * * *", "Invalid value for HourOfDay (valid values 0 - 23): 25 '25' in cron expression \"0 0 25 * * *\""),
    ("0 0 0 ? * 1#0", "Ordinal '0' in '1#0' must be positive number"),
    ("0 0 0 31 FOO *", "FOO"),
    ("", "Expression must not be empty"),
])
def test_bad_cron_is_400_with_springs_message_and_saves_nothing(s, unique, cron, message):
    name = unique("bad_cron")
    err = api_error(lambda: s.save(name, cron, unique("wf")))
    assert err.status == 400 and message in err.message, err.message
    assert api_error(lambda: s.scheduler.get_schedule(name)).status == 404


@pytest.mark.parametrize("zone, message", [
    ("Mars/Olympus_Mons", "Unknown time-zone ID: Mars/Olympus_Mons"),
    ("not a zone", "Invalid ID for region-based ZoneId, invalid format: not a zone"),
])
def test_unknown_zone_is_400_with_javas_message(s, unique, zone, message):
    name = unique("bad_zone")
    err = api_error(lambda: s.save(name, "0 0 * * * *", unique("wf"), zone_id=zone))
    assert err.status == 400 and message in err.message, err.message
    assert api_error(lambda: s.scheduler.get_schedule(name)).status == 404


def test_fires_start_the_workflow_with_what_oss_adds(s, unique):
    wf, name = unique("fire_wf"), unique("fire")
    waiting_workflow(s.api, wf)
    s.save(name, "0 */5 * * * *", wf, input={"k": 1}, correlation_id="corr-" + name)
    first = s.raw(name)["nextRunTime"]
    s.advance(16 * MINUTE)
    fires = s.fires(name)
    assert [f.scheduled_time for f in fires] == [first, first + 5 * MINUTE, first + 10 * MINUTE]
    assert all(f.state == "EXECUTED" and f.execution_time == f.scheduled_time and f.workflow_name == wf for f in fires)

    run = s.workflows.get_workflow(fires[0].workflow_id, False)
    assert run.status == "RUNNING" and run.correlation_id == "corr-" + name
    assert run.input == {"k": 1, "_startedByScheduler": name, "_scheduledTime": first, "_executedTime": first,
                         "_executionId": fires[0].execution_id, "_schedulerCron": "0 */5 * * * * UTC"}
    assert len(s.workflows_of(wf)) == 3

    # The search grammar: state, time range, paging; newest first without a sort.
    page = s.scheduler.search_schedule_executions(query=f"scheduleName IN ({name}) AND scheduledTime>{first}", size=1)
    assert page.total_hits == 2 and page.results[0].scheduled_time == first + 10 * MINUTE
    failed = s.scheduler.search_schedule_executions(query=f"scheduleName IN ({name}) AND state IN (FAILED)")
    assert failed.total_hits == 0
    s.scheduler.delete_schedule(name)


def test_a_fire_that_cannot_start_is_recorded_failed(s, unique):
    name = unique("fails")
    s.save(name, "0 * * * * *", unique("never_registered"))
    s.advance(MINUTE)
    [fire] = s.fires(name)
    assert fire.state == "FAILED" and fire.workflow_id is None and "No such workflow" in fire.reason, fire.reason
    s.scheduler.delete_schedule(name)


def test_pause_and_resume(s, unique):
    wf, name = unique("pause_wf"), unique("pause")
    waiting_workflow(s.api, wf)
    s.save(name, "0 * * * * *", wf)
    s.scheduler.pause_schedule(name, reason="maintenance")
    got = s.scheduler.get_schedule(name)
    assert got.paused and got.paused_reason == "maintenance"
    s.advance(3 * MINUTE)
    assert s.fires(name) == []

    s.scheduler.resume_schedule(name)
    assert not s.scheduler.get_schedule(name).paused
    s.advance(2 * MINUTE)
    assert len(s.fires(name)) == 2
    # Resuming what is not paused, or pausing what does not exist: OSS's 404.
    assert api_error(lambda: s.scheduler.resume_schedule(name)).status == 404
    err = api_error(lambda: s.scheduler.pause_schedule(unique("missing")))
    assert err.status == 404 and "not found" in err.message

    # Bulk (no client call: SchedulerBulkResource): per-name failures in the body.
    missing = unique("missing")
    r = requests.put(s.api + "/scheduler/bulk/pause", json=[name, missing], timeout=10)
    assert r.status_code == 200 and r.json() == {"bulkSuccessfulResults": [name],
                                                 "bulkErrorResults": {missing: f"Schedule '{missing}' not found"}}
    assert s.scheduler.get_schedule(name).paused
    r = requests.put(s.api + "/scheduler/bulk/resume", json=[name], timeout=10)
    assert r.json()["bulkSuccessfulResults"] == [name] and not s.scheduler.get_schedule(name).paused
    assert requests.put(s.api + "/scheduler/bulk/resume", json=[], timeout=10).status_code == 400

    # The admin switch stops every schedule of this server, then lets them go on.
    s.scheduler.pause_all_schedules()
    before = len(s.fires(name))
    s.advance(3 * MINUTE)
    assert len(s.fires(name)) == before
    s.scheduler.resume_all_schedules()
    s.advance(2 * MINUTE)
    assert len(s.fires(name)) > before
    r = requests.get(s.api + "/scheduler/admin/requeue", timeout=10)
    assert r.status_code == 200 and r.json()["recordIds.size"] == 0
    s.scheduler.requeue_all_execution_records()
    s.scheduler.delete_schedule(name)


def test_start_and_end_time_bound_the_fires(s, unique):
    wf, name = unique("window_wf"), unique("window")
    waiting_workflow(s.api, wf)
    begin = (s.now() // HOUR + 1) * HOUR
    s.save(name, "0 */15 * * * *", wf, schedule_start_time=begin, schedule_end_time=begin + HOUR)
    assert s.raw(name)["nextRunTime"] == begin
    s.advance(3 * HOUR)
    assert [f.scheduled_time for f in s.fires(name)] == [begin + k * 15 * MINUTE for k in range(5)]
    assert s.raw(name).get("nextRunTime") is None       # past its end: nothing more to fire
    s.scheduler.delete_schedule(name)


def test_next_few_schedules(s):
    friday = 1_893_715_200_000     # 2030-01-04T00:00Z: weekday noons are Fri 4th, Mon 7th, Tue 8th
    times = s.scheduler.get_next_few_schedule_execution_times("0 0 12 * * MON-FRI", friday, None, 3)
    assert times == [1_893_758_400_000, 1_894_017_600_000, 1_894_104_000_000]
    assert len(s.scheduler.get_next_few_schedule_execution_times("* * * * * *", friday, None, 50)) == 5
    bounded = s.scheduler.get_next_few_schedule_execution_times("0 0 * * * *", friday, friday + 2 * HOUR, 5)
    assert bounded == [friday + HOUR, friday + 2 * HOUR]
    last_day = s.scheduler.get_next_few_schedule_execution_times("0 0 0 L * *", friday, None, 2)
    assert last_day == [1_896_048_000_000, 1_898_467_200_000]                   # Jan 31st, Feb 28th
    err = api_error(lambda: s.scheduler.get_next_few_schedule_execution_times("0 0 12 * *", friday))
    assert err.status == 400 and "Invalid cron expression" in err.message
    # Found by the fuzzer: 42 days before a month's end is in an earlier month, and the next time went back.
    times = s.scheduler.get_next_few_schedule_execution_times("0 0 0 L-42 * 02", friday, None, 5)
    assert all(a < b for a, b in zip([friday] + times, times)), times


def test_a_sort_without_a_field_is_answered(s):
    """Found by the fuzzer: a sort of ":" crashed the server (an empty split indexed)."""
    for sort in (":", ",:,"):
        found = s.scheduler.search_schedule_executions(query="scheduleName IN (nothing)", sort=sort, size=10)
        assert found.total_hits == 0
    assert requests.get(f"{s.api}/health", timeout=5).status_code == 200


def test_tags(s, unique):
    wf, name = unique("tag_wf"), unique("tags")
    s.save(name, "0 0 * * * *", wf)
    s.scheduler.set_scheduler_tags([MetadataTag("team", "billing"), MetadataTag("tier", "1")], name)
    assert {(t.key, t.value) for t in s.scheduler.get_scheduler_tags(name)} == {("team", "billing"), ("tier", "1")}
    s.scheduler.delete_scheduler_tags([MetadataTag("tier", "1")], name)
    assert [(t.key, t.value) for t in s.scheduler.get_scheduler_tags(name)] == [("team", "billing")]
    assert api_error(lambda: s.scheduler.get_scheduler_tags(unique("missing"))).status == 404
    s.scheduler.delete_schedule(name)


def test_daylight_saving_in_the_schedules_zone_and_reset(tmp_path, unique):
    """New York, 2030: clocks jump 02:00→03:00 on March 10th and fall back 02:00→01:00 on November 3rd.
    As Spring's CronExpression: a 02:30 job skips the day it does not exist; a 01:30 job fires twice on
    the day it happens twice."""
    march_9 = 1_899_244_800_000     # 2030-03-09T00:00Z
    srv = Server(tmp_path, db=":memory:", flags=["--clock", "manual", "--clock-start", str(march_9)]).start()
    try:
        s = Scheduling(srv.url)
        wf = unique("dst_wf")
        waiting_workflow(s.api, wf)
        s.save("spring", "0 30 2 * * *", wf, zone_id="America/New_York")
        s.advance(4 * DAY)
        assert [f.scheduled_time for f in s.fires("spring")] == [
            march_9 + 7 * HOUR + 30 * MINUTE,            # 9th 02:30 EST
            march_9 + 2 * DAY + 6 * HOUR + 30 * MINUTE,  # 11th 02:30 EDT (the 10th has no 02:30)
            march_9 + 3 * DAY + 6 * HOUR + 30 * MINUTE]
        s.scheduler.delete_schedule("spring")

        november_2 = 1_919_808_000_000  # 2030-11-02T00:00Z
        s.advance(november_2 - s.now())
        s.save("autumn", "0 30 1 * * *", wf, zone_id="America/New_York")
        s.advance(3 * DAY)
        assert [f.scheduled_time for f in s.fires("autumn")] == [
            november_2 + 5 * HOUR + 30 * MINUTE,            # 2nd 01:30 EDT
            november_2 + DAY + 5 * HOUR + 30 * MINUTE,      # 3rd 01:30 EDT
            november_2 + DAY + 6 * HOUR + 30 * MINUTE,      # 3rd 01:30 EST, the same wall time again
            november_2 + 2 * DAY + 6 * HOUR + 30 * MINUTE]  # 4th 01:30 EST

        # Reset (the manual clock allows it) removes schedules and their fires with the executions.
        assert requests.post(s.api + "/admin/reset", timeout=10).status_code == 200
        assert s.scheduler.get_all_schedules() == [] and s.fires("autumn") == []
        s.advance(2 * DAY)
        assert s.workflows_of(wf) == []
    finally:
        assert srv.stop() == 0, srv.stderr()[-3000:]


def test_catch_up_on_and_off_across_a_restart(start_server, tmp_path, unique):
    """Down for ten minutes: the catch-up schedule makes every missed fire, in order; the other makes
    the one that was due when the server stopped, then goes on from now (OSS: the queued next run
    fires, later ones are computed from the current time)."""
    db = tmp_path / "catchup.db"
    srv = start_server(flags=["--clock", "manual", "--clock-start", str(START)], db=db)
    s = Scheduling(srv.url)
    wf = unique("catchup_wf")
    waiting_workflow(s.api, wf)
    s.save("catchup", "0 * * * * *", wf, run_catchup_schedule_instances=True)
    s.save("skip", "0 * * * * *", wf)
    s.advance(MINUTE)
    assert len(s.fires("catchup")) == len(s.fires("skip")) == 1
    assert srv.stop() == 0

    srv = start_server(flags=["--clock", "manual", "--clock-start", str(START + 11 * MINUTE)], db=db)
    s = Scheduling(srv.url)
    first = START - 10_000 + MINUTE
    deadline = time.monotonic() + 10
    while len(s.fires("catchup")) < 11 and time.monotonic() < deadline:
        time.sleep(0.05)
    catchup = s.fires("catchup")
    assert [f.scheduled_time for f in catchup] == [first + k * MINUTE for k in range(11)]
    assert all(f.state == "EXECUTED" for f in catchup)
    skip = s.fires("skip")
    assert [f.scheduled_time for f in skip] == [first, first + MINUTE]
    assert skip[1].execution_time == START + 11 * MINUTE      # late, once
    assert s.raw("skip")["nextRunTime"] == first + 11 * MINUTE
    assert s.raw("catchup")["nextRunTime"] == first + 11 * MINUTE
    assert len(s.workflows_of(wf)) == 13


def test_kill_9_between_fires_loses_none_and_doubles_none(start_server, tmp_path, unique):
    """Real clock, a fire every second with catch-up: after kill -9 and a restart, every second from
    the first fire on has exactly one record, and each record has exactly one workflow."""
    db = tmp_path / "kill.db"
    srv = start_server(db=db)
    s = Scheduling(srv.url)
    wf = unique("kill_wf")
    waiting_workflow(s.api, wf)
    s.save("every_second", "* * * * * *", wf, run_catchup_schedule_instances=True)
    deadline = time.monotonic() + 15
    while len(s.fires("every_second")) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    srv.kill()
    killed_at = int(time.time() * 1000)
    time.sleep(1.5)

    srv = start_server(db=db)
    s = Scheduling(srv.url)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        fires = s.fires("every_second")
        if fires and fires[-1].scheduled_time >= killed_at + 2500:
            break
        time.sleep(0.1)
    s.scheduler.pause_schedule("every_second")
    fires = s.fires("every_second")
    times = [f.scheduled_time for f in fires]
    assert times[-1] >= killed_at + 2500, times
    assert times == list(range(times[0], times[-1] + 1, 1000)), "a second lost or fired twice"
    assert all(f.state == "EXECUTED" for f in fires)
    started = {w["workflowId"]: w for w in s.workflows_of(wf)}
    assert sorted(started) == sorted(f.workflow_id for f in fires)
    for f in fires:
        run = s.workflows.get_workflow(f.workflow_id, False)
        assert run.input["_executionId"] == f.execution_id and run.input["_scheduledTime"] == f.scheduled_time
