-- What repeats from one execution to the next — a workflow's definition, a task's WorkflowTask with its
-- task definition — stored once per content instead of in every row (a one-task workflow went from
-- ~6.4 KB to ~1.5 KB). `hash` is a 64-bit FNV-1a of `json`, found by its index and confirmed by
-- comparing `json`. A row whose part column is NULL was written before this migration and holds the
-- whole API form in its JSON, as it always did; rows written since leave out the part and the fields
-- their columns hold. Parts are never deleted: there is one per distinct definition or node, and a
-- removed execution's parts may be shared by others.
CREATE TABLE shared_part (
    id   INTEGER PRIMARY KEY,
    hash INTEGER NOT NULL,
    json TEXT NOT NULL
) STRICT;
CREATE INDEX shared_part_by_hash ON shared_part (hash);
ALTER TABLE workflow ADD COLUMN definition_part INTEGER;
ALTER TABLE task ADD COLUMN workflow_task_part INTEGER;
