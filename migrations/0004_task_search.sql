-- Task search (`/api/tasks/search`, `/api/workflow/search-by-tasks`) filters on a task's type above
-- all ("taskType = HUMAN AND status = IN_PROGRESS"). The type is a column of its own, written once
-- when the attempt is inserted (it never changes), so the index costs one entry per attempt and
-- nothing on the updates that follow; an index on a JSON expression would parse the row on each.
ALTER TABLE task ADD COLUMN task_type TEXT;
UPDATE task SET task_type = json_extract(json, '$.taskType');
CREATE INDEX task_by_type ON task (task_type);
