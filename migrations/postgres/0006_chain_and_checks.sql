-- The hash chain over the event log (domain/chain.py), the allow-list of topics and the
-- checks every inserted event passes, whoever inserts it; and three more read models.
--
-- * leitai_topics holds the topics Leitai records (domain/model/topics.py); the migration
--   runner keeps it in step with the code after every run.  Only the owner may change it.
-- * Before an event is inserted: its topic must be on the list, its version must continue
--   its aggregate's stream by one (1 for a new aggregate), and it must be at most 2 MB.
-- * After it is inserted: its link of the chain is written to leitai_chain, computed from
--   the link before it and every byte of the event (the same formula as domain/chain.py):
--       sha256(previous || int8(position) || uuid || int8(version) || int4(len) || topic
--                       || int4(len) || state)           (a NULL topic or state counts as empty)
--   Inserts take an EXCLUSIVE lock on leitai_events (es_insert_events_uuid), so links are
--   computed in log order.  Both triggers fire ALWAYS, in replica mode too.
-- * leitai_chain is append-only like the events; the writer role may only read it.
-- Who may run it: as for 0005 (a superuser, or the database's owner with CREATEROLE).

DO $migration$
DECLARE
    owner_role text := (SELECT owner FROM public.leitai_roles);
    writer_role text := (SELECT writer FROM public.leitai_roles);
BEGIN
    CREATE TABLE IF NOT EXISTS public.leitai_topics (topic text PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS public.leitai_chain (position bigint PRIMARY KEY, link bytea NOT NULL);

    CREATE OR REPLACE FUNCTION public.leitai_check_event() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $function$
    BEGIN
        IF NEW.topic IS NULL OR NOT EXISTS (SELECT 1 FROM public.leitai_topics WHERE topic = NEW.topic) THEN
            RAISE EXCEPTION 'leitai_events refuses this event: its topic % is not one of Leitai''s',
                pg_catalog.left(coalesce(NEW.topic, 'NULL'), 80) USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.originator_version < 1 OR (NEW.originator_version > 1 AND NOT EXISTS (
                SELECT 1 FROM public.leitai_events
                WHERE originator_id = NEW.originator_id AND originator_version = NEW.originator_version - 1)) THEN
            RAISE EXCEPTION 'leitai_events refuses this event: version % does not continue its stream',
                NEW.originator_version USING ERRCODE = 'check_violation';
        END IF;
        IF pg_catalog.octet_length(NEW.state) > 2000000 THEN
            RAISE EXCEPTION 'leitai_events refuses this event: it is larger than 2 MB'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $function$;

    CREATE OR REPLACE FUNCTION public.leitai_chain_event() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $function$
    DECLARE
        previous bytea;
        topic_bytes bytea := pg_catalog.convert_to(coalesce(NEW.topic, ''), 'UTF8');
        state_bytes bytea := coalesce(NEW.state, ''::bytea);
    BEGIN
        SELECT c.link INTO previous FROM public.leitai_chain AS c
            WHERE c.position < NEW.notification_id ORDER BY c.position DESC LIMIT 1;
        INSERT INTO public.leitai_chain (position, link) VALUES (NEW.notification_id, pg_catalog.sha256(
            coalesce(previous, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
            || pg_catalog.int8send(NEW.notification_id) || pg_catalog.uuid_send(NEW.originator_id)
            || pg_catalog.int8send(NEW.originator_version)
            || pg_catalog.int4send(pg_catalog.octet_length(topic_bytes)) || topic_bytes
            || pg_catalog.int4send(pg_catalog.octet_length(state_bytes)) || state_bytes));
        RETURN NULL;
    END;
    $function$;

    -- the events recorded before this migration get their links, in log order
    IF NOT EXISTS (SELECT 1 FROM public.leitai_chain) THEN
        DECLARE
            previous bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            e record;
        BEGIN
            FOR e IN SELECT notification_id, originator_id, originator_version, topic, state
                     FROM public.leitai_events ORDER BY notification_id LOOP
                previous := pg_catalog.sha256(previous || pg_catalog.int8send(e.notification_id)
                    || pg_catalog.uuid_send(e.originator_id) || pg_catalog.int8send(e.originator_version)
                    || pg_catalog.int4send(pg_catalog.octet_length(pg_catalog.convert_to(coalesce(e.topic, ''), 'UTF8')))
                    || pg_catalog.convert_to(coalesce(e.topic, ''), 'UTF8')
                    || pg_catalog.int4send(pg_catalog.octet_length(coalesce(e.state, ''::bytea))) || coalesce(e.state, ''::bytea));
                INSERT INTO public.leitai_chain (position, link) VALUES (e.notification_id, previous);
            END LOOP;
        END;
    END IF;

    DROP TRIGGER IF EXISTS leitai_events_checked ON public.leitai_events;
    CREATE TRIGGER leitai_events_checked BEFORE INSERT ON public.leitai_events
        FOR EACH ROW EXECUTE FUNCTION public.leitai_check_event();
    ALTER TABLE public.leitai_events ENABLE ALWAYS TRIGGER leitai_events_checked;
    DROP TRIGGER IF EXISTS leitai_events_chained ON public.leitai_events;
    CREATE TRIGGER leitai_events_chained AFTER INSERT ON public.leitai_events
        FOR EACH ROW EXECUTE FUNCTION public.leitai_chain_event();
    ALTER TABLE public.leitai_events ENABLE ALWAYS TRIGGER leitai_events_chained;

    DROP TRIGGER IF EXISTS leitai_chain_append_only ON public.leitai_chain;
    CREATE TRIGGER leitai_chain_append_only BEFORE UPDATE OR DELETE ON public.leitai_chain
        FOR EACH ROW EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_chain ENABLE ALWAYS TRIGGER leitai_chain_append_only;
    DROP TRIGGER IF EXISTS leitai_chain_no_truncate ON public.leitai_chain;
    CREATE TRIGGER leitai_chain_no_truncate BEFORE TRUNCATE ON public.leitai_chain
        FOR EACH STATEMENT EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_chain ENABLE ALWAYS TRIGGER leitai_chain_no_truncate;

    -- the store's own objects belong to the owner role; the writer may read them
    EXECUTE pg_catalog.format('GRANT USAGE, CREATE ON SCHEMA public TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER TABLE public.leitai_topics OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER TABLE public.leitai_chain OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER FUNCTION public.leitai_check_event() OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER FUNCTION public.leitai_chain_event() OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA public FROM %I', owner_role);
    REVOKE ALL ON public.leitai_topics FROM PUBLIC;
    REVOKE ALL ON public.leitai_chain FROM PUBLIC;
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_topics TO %I', writer_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_chain TO %I', writer_role);
END
$migration$;

-- Read models (projections/tables.py): events the read side could not apply, the
-- objections and appeals, the contests; names beside the codes of stars and pairings.
CREATE TABLE IF NOT EXISTS rm0_quarantine (
    position bigint,
    aggregate text,
    version bigint,
    topic text,
    reason text,
    PRIMARY KEY (position, aggregate, reason)
);

CREATE TABLE IF NOT EXISTS rm0_appeals (
    round text,
    appeal integer,
    contest text,
    kind text,
    entrant text,
    name text,
    contact text,
    text text,
    filed_on text,
    filed_by text,
    decision text,
    reply text,
    ruled_on text,
    ruled_by text,
    corrections text,
    position bigint,
    PRIMARY KEY (round, appeal)
);

CREATE TABLE IF NOT EXISTS rm0_contests (
    contest text,
    title text,
    levels text,
    units text,
    organizations integer,
    judges integer,
    rounds integer,
    PRIMARY KEY (contest)
);

CREATE TABLE IF NOT EXISTS rm1_quarantine (
    position bigint,
    aggregate text,
    version bigint,
    topic text,
    reason text,
    PRIMARY KEY (position, aggregate, reason)
);

CREATE TABLE IF NOT EXISTS rm1_appeals (
    round text,
    appeal integer,
    contest text,
    kind text,
    entrant text,
    name text,
    contact text,
    text text,
    filed_on text,
    filed_by text,
    decision text,
    reply text,
    ruled_on text,
    ruled_by text,
    corrections text,
    position bigint,
    PRIMARY KEY (round, appeal)
);

CREATE TABLE IF NOT EXISTS rm1_contests (
    contest text,
    title text,
    levels text,
    units text,
    organizations integer,
    judges integer,
    rounds integer,
    PRIMARY KEY (contest)
);

ALTER TABLE rm0_certifications ADD COLUMN name text;
ALTER TABLE rm0_consequences ADD COLUMN partner_name text;
ALTER TABLE rm1_certifications ADD COLUMN name text;
ALTER TABLE rm1_consequences ADD COLUMN partner_name text;

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_quarantine', 'rm0_appeals', 'rm0_contests', 'rm1_quarantine', 'rm1_appeals', 'rm1_contests'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
