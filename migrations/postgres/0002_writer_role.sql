-- The role the application works as.  Grant it to the login role the application
-- connects with:   CREATE ROLE leitai LOGIN PASSWORD '...' IN ROLE leitai_writer;
-- It can read events and append them through es_insert_events_uuid, and nothing else:
-- no UPDATE, DELETE, TRUNCATE or even direct INSERT on leitai_events.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leitai_writer') THEN
        CREATE ROLE leitai_writer NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON leitai_events FROM PUBLIC;
REVOKE ALL ON leitai_events FROM leitai_writer;
GRANT SELECT ON leitai_events TO leitai_writer;

REVOKE ALL ON FUNCTION es_insert_events_uuid(stored_event_uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION es_insert_events_uuid(stored_event_uuid[]) TO leitai_writer;

GRANT USAGE ON SCHEMA public TO leitai_writer;
GRANT SELECT ON leitai_schema_migrations TO leitai_writer;
