-- Task and workflow definitions. The JSON column is what the API returns (client fields kept,
-- server fields and defaults filled in); the typed columns are what we filter and sort on.
CREATE TABLE task_def (
    name        TEXT PRIMARY KEY,
    json        TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
) STRICT;

CREATE TABLE workflow_def (
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    json        TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) STRICT;
