-- How many workflows each name holds in each status, kept by triggers in the same transaction as
-- the rows. A search's total (`totalHits`) with no condition, or with conditions only on the name and
-- the status, is read from here: counting the rows themselves reads every index entry, ~9 ms for the
-- whole table and ~100 ms for one name at a million stored. A status changes once or twice in a
-- workflow's life, so the triggers cost little next to the row writes they follow.
CREATE TABLE workflow_count (
    name   TEXT NOT NULL,
    status TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (name, status)
) STRICT, WITHOUT ROWID;
INSERT INTO workflow_count (name, status, n) SELECT name, status, COUNT(*) FROM workflow GROUP BY name, status;

CREATE TRIGGER workflow_count_insert AFTER INSERT ON workflow BEGIN
    INSERT INTO workflow_count (name, status, n) VALUES (NEW.name, NEW.status, 1)
        ON CONFLICT (name, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER workflow_count_update AFTER UPDATE OF name, status ON workflow
    WHEN OLD.status IS NOT NEW.status OR OLD.name IS NOT NEW.name BEGIN
    UPDATE workflow_count SET n = n - 1 WHERE name = OLD.name AND status = OLD.status;
    INSERT INTO workflow_count (name, status, n) VALUES (NEW.name, NEW.status, 1)
        ON CONFLICT (name, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER workflow_count_delete AFTER DELETE ON workflow BEGIN
    UPDATE workflow_count SET n = n - 1 WHERE name = OLD.name AND status = OLD.status;
END;
