-- Event handlers (`/api/event`): what to do when a message reaches an event queue.
CREATE TABLE event_handler (
    name   TEXT PRIMARY KEY,
    event  TEXT NOT NULL,
    active INTEGER NOT NULL,
    json   TEXT NOT NULL
) STRICT;
CREATE INDEX event_handler_event ON event_handler (event);
