-- The hash chain over the event log (domain/chain.py): one link per event, written by the
-- application's recorder in the same transaction as the event (eventstore/recorders.py).
-- Links of events recorded before this migration are computed by the migration runner.
CREATE TABLE IF NOT EXISTS event_chain (
    position INTEGER PRIMARY KEY,
    link BLOB NOT NULL
);

CREATE TRIGGER IF NOT EXISTS event_chain_no_update BEFORE UPDATE ON event_chain
BEGIN
    SELECT RAISE(ABORT, 'event_chain is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS event_chain_no_delete BEFORE DELETE ON event_chain
BEGIN
    SELECT RAISE(ABORT, 'event_chain is append-only: DELETE refused');
END;

CREATE TRIGGER IF NOT EXISTS event_chain_no_replace BEFORE INSERT ON event_chain
WHEN EXISTS (SELECT 1 FROM event_chain WHERE position = NEW.position)
BEGIN
    SELECT RAISE(ABORT, 'event_chain is append-only: a link is never replaced');
END;

-- The topics Leitai records (domain/model/topics.py), kept in step with the code by the
-- migration runner.  An event with another topic, a version that does not continue its
-- aggregate's stream by one, or a payload over 2 MB is refused, whoever inserts it.
CREATE TABLE IF NOT EXISTS allowed_topics (
    topic TEXT PRIMARY KEY
);

CREATE TRIGGER IF NOT EXISTS stored_events_checked BEFORE INSERT ON stored_events
WHEN NEW.topic IS NULL
  OR NOT EXISTS (SELECT 1 FROM allowed_topics WHERE topic = NEW.topic)
  OR typeof(NEW.originator_version) != 'integer'
  OR NEW.originator_version < 1
  OR (NEW.originator_version > 1 AND NOT EXISTS (
        SELECT 1 FROM stored_events
        WHERE originator_id = NEW.originator_id AND originator_version = NEW.originator_version - 1))
  OR length(NEW.state) > 2000000
BEGIN
    SELECT RAISE(ABORT, 'stored_events refuses this event: its topic is not one of Leitai''s, its version does not continue its stream, or it is larger than 2 MB');
END;

-- Read models (projections/tables.py): events the read side could not apply, the
-- objections and appeals, the contests; names beside the codes of stars and pairings.
CREATE TABLE IF NOT EXISTS rm0_quarantine (
    position INTEGER,
    aggregate TEXT,
    version INTEGER,
    topic TEXT,
    reason TEXT,
    PRIMARY KEY (position, aggregate, reason)
);

CREATE TABLE IF NOT EXISTS rm0_appeals (
    round TEXT,
    appeal INTEGER,
    contest TEXT,
    kind TEXT,
    entrant TEXT,
    name TEXT,
    contact TEXT,
    text TEXT,
    filed_on TEXT,
    filed_by TEXT,
    decision TEXT,
    reply TEXT,
    ruled_on TEXT,
    ruled_by TEXT,
    corrections TEXT,
    position INTEGER,
    PRIMARY KEY (round, appeal)
);

CREATE TABLE IF NOT EXISTS rm0_contests (
    contest TEXT,
    title TEXT,
    levels TEXT,
    units TEXT,
    organizations INTEGER,
    judges INTEGER,
    rounds INTEGER,
    PRIMARY KEY (contest)
);

CREATE TABLE IF NOT EXISTS rm1_quarantine (
    position INTEGER,
    aggregate TEXT,
    version INTEGER,
    topic TEXT,
    reason TEXT,
    PRIMARY KEY (position, aggregate, reason)
);

CREATE TABLE IF NOT EXISTS rm1_appeals (
    round TEXT,
    appeal INTEGER,
    contest TEXT,
    kind TEXT,
    entrant TEXT,
    name TEXT,
    contact TEXT,
    text TEXT,
    filed_on TEXT,
    filed_by TEXT,
    decision TEXT,
    reply TEXT,
    ruled_on TEXT,
    ruled_by TEXT,
    corrections TEXT,
    position INTEGER,
    PRIMARY KEY (round, appeal)
);

CREATE TABLE IF NOT EXISTS rm1_contests (
    contest TEXT,
    title TEXT,
    levels TEXT,
    units TEXT,
    organizations INTEGER,
    judges INTEGER,
    rounds INTEGER,
    PRIMARY KEY (contest)
);

ALTER TABLE rm0_certifications ADD COLUMN name TEXT;
ALTER TABLE rm0_consequences ADD COLUMN partner_name TEXT;
ALTER TABLE rm1_certifications ADD COLUMN name TEXT;
ALTER TABLE rm1_consequences ADD COLUMN partner_name TEXT;
