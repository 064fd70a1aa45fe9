-- Search's first page, newest first (the default order of /workflow/search and of the web UI's
-- executions list): without this index SQLite sorts every stored workflow row to find 25.
CREATE INDEX workflow_by_time ON workflow (create_time);
-- A workflow name (and a status, the web UI's usual filter) in time order: with the status in the
-- index a count or a page of one status reads no table rows. It replaces (name, create_time), so a
-- start still updates as many indexes as before this migration plus the one above.
DROP INDEX workflow_name_time;
CREATE INDEX workflow_name_time_status ON workflow (name, create_time, status);
