-- Search's first page, newest first (the default order of /workflow/search and of the web UI's
-- executions list): without this index SQLite sorts every stored workflow row to find 25.
CREATE INDEX workflow_by_time ON workflow (create_time);
-- The web UI's usual filter, a workflow name and a status: counted from the index alone and paged
-- newest first without reading the rows of other statuses.
CREATE INDEX workflow_name_status_time ON workflow (name, status, create_time);
