-- Workflow executions and their task attempts. `json` is the API form (a workflow's without its
-- tasks); the typed columns are what queries filter and sort on. `visible_at` is when a queued
-- worker task becomes pollable (NULL when it is not queued): the queues are rebuilt from it at start.
CREATE TABLE workflow (
    workflow_id        TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    version            INTEGER NOT NULL,
    status             TEXT NOT NULL,
    correlation_id     TEXT,
    parent_workflow_id TEXT,
    priority           INTEGER NOT NULL,
    create_time        INTEGER NOT NULL,
    update_time        INTEGER NOT NULL,
    end_time           INTEGER NOT NULL,
    json               TEXT NOT NULL
) STRICT;
CREATE INDEX workflow_active ON workflow (status) WHERE status IN ('RUNNING', 'PAUSED');
CREATE INDEX workflow_name_time ON workflow (name, create_time);
CREATE INDEX workflow_correlation ON workflow (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX workflow_parent ON workflow (parent_workflow_id) WHERE parent_workflow_id IS NOT NULL;

CREATE TABLE task (
    task_id     TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    visible_at  INTEGER,
    json        TEXT NOT NULL
) STRICT;
CREATE INDEX task_workflow ON task (workflow_id, seq);

CREATE TABLE task_log (
    id           INTEGER PRIMARY KEY,
    task_id      TEXT NOT NULL,
    log          TEXT NOT NULL,
    created_time INTEGER NOT NULL
) STRICT;
CREATE INDEX task_log_task ON task_log (task_id, id);

CREATE TABLE poll_data (
    queue_name     TEXT NOT NULL,
    domain         TEXT NOT NULL,
    worker_id      TEXT NOT NULL,
    last_poll_time INTEGER NOT NULL,
    PRIMARY KEY (queue_name, domain)
) STRICT;
