-- Task search (`/api/tasks/search`, `/api/workflow/search-by-tasks`) filters on a task's type above
-- all ("taskType = HUMAN AND status = IN_PROGRESS"): one index on it, with the status beside it.
CREATE INDEX task_type_status ON task (json_extract(json, '$.taskType'), status);
