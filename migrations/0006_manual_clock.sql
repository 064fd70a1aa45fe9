-- Where a manual clock (`--clock manual`) stood after its last advance: a server restarted on this
-- database, or on a snapshot of it, resumes at that instant instead of jumping to the wall time.
CREATE TABLE manual_clock (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    now INTEGER NOT NULL
) STRICT;
