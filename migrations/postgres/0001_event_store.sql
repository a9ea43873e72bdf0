-- The event store.  The table, its composite type and the insert function have the
-- shapes the eventsourcing library (9.5) expects with POSTGRES_ENABLE_DB_FUNCTIONS=y,
-- so the library reads and writes them, but they are created here, by the owner.

CREATE TABLE IF NOT EXISTS leitai_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
) WITH (
    autovacuum_enabled = true,
    autovacuum_vacuum_threshold = 100000000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.01
);

CREATE UNIQUE INDEX IF NOT EXISTS leitai_events_notification_id_idx
    ON leitai_events (notification_id ASC);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'stored_event_uuid'
                   AND typnamespace = 'public'::regnamespace) THEN
        CREATE TYPE stored_event_uuid AS (
            originator_id uuid, originator_version bigint, topic text, state bytea);
    END IF;
END
$$;

-- Inserts run with the owner's rights (SECURITY DEFINER), so the application role
-- needs only EXECUTE here and SELECT on the table.  The EXCLUSIVE lock serializes
-- writers so that notification ids are committed in order (what the library's own
-- recorder does with LOCK TABLE, which needs UPDATE/DELETE/TRUNCATE privilege).
CREATE OR REPLACE FUNCTION es_insert_events_uuid(events stored_event_uuid[])
RETURNS SETOF bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    SET LOCAL lock_timeout = '10s';
    LOCK TABLE leitai_events IN EXCLUSIVE MODE;
    NOTIFY leitai_events;
    RETURN QUERY
        INSERT INTO leitai_events (originator_id, originator_version, topic, state)
        SELECT e.originator_id, e.originator_version, e.topic, e.state FROM unnest(events) AS e
        RETURNING notification_id;
END;
$$;

-- Recorded events are never changed, whoever asks: corrections are new events.
CREATE OR REPLACE FUNCTION leitai_refuse_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'leitai_events is append-only: % refused; record a correcting event instead', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS leitai_events_append_only ON leitai_events;
CREATE TRIGGER leitai_events_append_only
    BEFORE UPDATE OR DELETE ON leitai_events
    FOR EACH ROW EXECUTE FUNCTION leitai_refuse_event_change();

DROP TRIGGER IF EXISTS leitai_events_no_truncate ON leitai_events;
CREATE TRIGGER leitai_events_no_truncate
    BEFORE TRUNCATE ON leitai_events
    FOR EACH STATEMENT EXECUTE FUNCTION leitai_refuse_event_change();
