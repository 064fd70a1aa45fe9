-- Workflow schedules (`/api/scheduler`) and what each fire did. A fire's execution row, the schedule's
-- new next_run_time and the workflow it started are written in one commit: after a crash a fire has
-- either happened completely or not at all, so none is lost and none runs twice.
CREATE TABLE workflow_schedule (
    name          TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    next_run_time INTEGER,
    last_run_time INTEGER,
    json          TEXT NOT NULL
) STRICT;

CREATE TABLE schedule_execution (
    execution_id   TEXT PRIMARY KEY,
    schedule_name  TEXT NOT NULL,
    scheduled_time INTEGER NOT NULL,
    state          TEXT NOT NULL,
    json           TEXT NOT NULL
) STRICT;
CREATE INDEX schedule_execution_by_time ON schedule_execution (scheduled_time);
CREATE INDEX schedule_execution_by_schedule ON schedule_execution (schedule_name, scheduled_time);
