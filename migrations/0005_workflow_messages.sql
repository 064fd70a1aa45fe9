-- Messages sent to a running workflow (`POST /api/workflow/{id}/messages`) and not yet taken by a
-- PULL_WORKFLOW_MESSAGES task: one row per workflow holding its queue as a JSON array, oldest first.
-- The row goes when the queue empties or the workflow ends.
CREATE TABLE workflow_message (
    workflow_id TEXT PRIMARY KEY,
    json        TEXT NOT NULL
) STRICT;
