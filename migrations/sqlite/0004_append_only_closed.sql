-- The append-only guarantee, closed.  The UPDATE and DELETE triggers of 0001 do not
-- see REPLACE: INSERT OR REPLACE / REPLACE INTO (and an insert naming the rowid of a
-- recorded row with OR REPLACE) delete the old row as conflict resolution, which fires
-- no DELETE trigger (recursive_triggers is off by default).  So refuse, before the
-- conflict is even looked at, any insert whose (originator_id, originator_version) or
-- whose explicitly given rowid is already recorded.  A duplicate (id, version) stays an
-- IntegrityError for the eventsourcing library (RAISE(ABORT) is SQLITE_CONSTRAINT),
-- which is how the application detects a concurrent writer.
CREATE TRIGGER IF NOT EXISTS stored_events_no_overwrite BEFORE INSERT ON stored_events
WHEN EXISTS (SELECT 1 FROM stored_events
             WHERE originator_id = NEW.originator_id AND originator_version = NEW.originator_version)
  OR EXISTS (SELECT 1 FROM stored_events WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'stored_events is append-only: the event is already recorded; record a correcting event instead');
END;

-- In a BEFORE INSERT trigger NEW.rowid is -1 when no rowid is given, so the check above
-- relies on no recorded row having a rowid below 1.  SQLite never assigns one itself;
-- refuse an insert that names one.
CREATE TRIGGER IF NOT EXISTS stored_events_positive_rowid AFTER INSERT ON stored_events
WHEN NEW.rowid < 1
BEGIN
    SELECT RAISE(ABORT, 'stored_events is append-only: a rowid below 1 is refused');
END;
