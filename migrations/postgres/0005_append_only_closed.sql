-- The append-only guarantee, closed.
--
-- 1. The append-only triggers fire ALWAYS, so `SET session_replication_role = replica`
--    (which a superuser, or a role granted SET on it, may run) no longer skips them.
-- 2. The event store belongs to a NOLOGIN role of this database, leitai_owner_<db>:
--    the table, its sequence, the composite type, the insert function and the trigger
--    function.  The SECURITY DEFINER insert function so runs with that role's rights
--    only (not those of whoever migrated, often a superuser), with a fixed search_path
--    (pg_catalog, pg_temp) and every object in its body schema-qualified.
-- 3. The application's role is per database: leitai_writer_<db> gets in this database
--    exactly what the server-wide leitai_writer had (which keeps nothing here), so a
--    login for one county's database cannot read or write another's.
--
-- Role names: 'leitai_writer_' / 'leitai_owner_' followed by the database name
-- lower-cased, every character outside [a-z0-9_] replaced by '_', truncated so the
-- whole name fits in 63 bytes.  If a role of that name already exists and is not this
-- database's (another database's name sanitises to the same, a dropped database left
-- it behind, or someone created it), it is never reused: the name gets '_<database
-- oid>' instead (truncating further), and if that exists too the migration stops.
-- Each role created here is marked with a comment naming the database and its oid.
--
-- The names chosen are recorded in leitai_roles (one row).  A copy of this database
-- (CREATE DATABASE ... TEMPLATE) or a renamed one keeps using the recorded roles, so
-- anything later - migrations, tools, `migrations.runner.roles()` - must look them up
-- there, never recompute them from current_database().  A later migration grants
-- with, for example:
--     DO $$ BEGIN EXECUTE format('GRANT SELECT ON public.x TO %I',
--                                (SELECT writer FROM public.leitai_roles)); END $$;
--
-- Who may run it: a superuser, or a role that owns this database, owns the objects of
-- 0001-0004 (that is, ran them) and has CREATEROLE - to create the two roles, mark them
-- and grant itself the owner role.  Such a role (not a superuser) stays a member of
-- leitai_owner_<db>: needed to hand the objects over, and by later migrations to
-- change them.  As the database owner it may grant on schema public (PostgreSQL 15+;
-- older servers leave CREATE on public to PUBLIC, which serves as well).  CREATEDB is
-- only needed to create the database in the first place.

DO $migration$
DECLARE
    db_oid oid := (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database());
    base text := pg_catalog.regexp_replace(pg_catalog.lower(pg_catalog.current_database()), '[^a-z0-9_]', '_', 'g');
    is_super boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    kind text;
    candidate text;
    tried text[];
    chosen text;
    mark text;
    found_role record;
    writer_role text;
    owner_role text;
    rel record;
    old_writer oid := (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'leitai_writer');
BEGIN
    -- Choose (or create) the two roles, unless a run before already recorded them.
    IF pg_catalog.to_regclass('public.leitai_roles') IS NOT NULL THEN
        SELECT r.writer, r.owner INTO writer_role, owner_role FROM public.leitai_roles AS r;
    END IF;
    IF writer_role IS NULL THEN
        FOREACH kind IN ARRAY ARRAY['writer', 'owner'] LOOP
            chosen := NULL;
            tried := ARRAY[]::text[];
            mark := pg_catalog.format('Leitai %s role of database %s (oid %s)', kind,
                                      pg_catalog.current_database(), db_oid);
            FOREACH candidate IN ARRAY ARRAY[
                pg_catalog.left('leitai_' || kind || '_' || base, 63),
                pg_catalog.left('leitai_' || kind || '_' || base, 62 - pg_catalog.length(db_oid::text))
                    || '_' || db_oid::text]
            LOOP
                tried := tried || candidate;
                SELECT * INTO found_role FROM pg_catalog.pg_roles WHERE rolname = candidate;
                IF NOT FOUND THEN
                    EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', candidate);
                    EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', candidate, mark);
                    chosen := candidate;
                    EXIT;
                END IF;
                IF NOT (found_role.rolcanlogin OR found_role.rolsuper OR found_role.rolcreaterole
                        OR found_role.rolcreatedb OR found_role.rolreplication OR found_role.rolbypassrls)
                   AND pg_catalog.shobj_description(found_role.oid, 'pg_authid')
                       LIKE pg_catalog.format('Leitai %s role of database %% (oid %s)', kind, db_oid) THEN
                    chosen := candidate;  -- this database's own role
                    EXIT;
                END IF;
            END LOOP;
            IF chosen IS NULL THEN
                RAISE EXCEPTION 'cannot choose the % role of database %: the roles % exist and are not this database''s',
                    kind, pg_catalog.current_database(), pg_catalog.array_to_string(tried, ', ')
                    USING HINT = 'drop or rename the stale role, or rename the database, then migrate again';
            END IF;
            IF kind = 'writer' THEN
                writer_role := chosen;
            ELSE
                owner_role := chosen;
            END IF;
        END LOOP;

        CREATE TABLE IF NOT EXISTS public.leitai_roles (
            one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
            writer text NOT NULL,
            owner text NOT NULL,
            chosen_in text NOT NULL,
            chosen_at timestamptz NOT NULL DEFAULT pg_catalog.now()
        );
        INSERT INTO public.leitai_roles (writer, owner, chosen_in)
            VALUES (writer_role, owner_role, pg_catalog.current_database());
    END IF;

    REVOKE ALL ON public.leitai_roles FROM PUBLIC;
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_roles TO %I', writer_role);

    -- The insert function, unchanged in behaviour, with a search_path nobody can plant
    -- objects in.  Replaced while the migrating role still owns it (or is a member of
    -- the role that does, on a second run).
    CREATE OR REPLACE FUNCTION public.es_insert_events_uuid(events public.stored_event_uuid[])
    RETURNS SETOF bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $function$
    BEGIN
        SET LOCAL lock_timeout = '10s';
        LOCK TABLE public.leitai_events IN EXCLUSIVE MODE;
        NOTIFY leitai_events;
        RETURN QUERY
            INSERT INTO public.leitai_events (originator_id, originator_version, topic, state)
            SELECT e.originator_id, e.originator_version, e.topic, e.state FROM pg_catalog.unnest(events) AS e
            RETURNING notification_id;
    END;
    $function$;

    -- Triggers that fire in replica mode too.
    ALTER TABLE public.leitai_events ENABLE ALWAYS TRIGGER leitai_events_append_only;
    ALTER TABLE public.leitai_events ENABLE ALWAYS TRIGGER leitai_events_no_truncate;

    -- The per-database writer gets what leitai_writer had here ...
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA public TO %I', writer_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_events TO %I', writer_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_schema_migrations TO %I', writer_role);
    EXECUTE pg_catalog.format(
        'GRANT EXECUTE ON FUNCTION public.es_insert_events_uuid(public.stored_event_uuid[]) TO %I', writer_role);
    FOR rel IN
        SELECT c.relname FROM pg_catalog.pg_class AS c
        WHERE c.relnamespace = 'public'::pg_catalog.regnamespace AND c.relkind IN ('r', 'p')
          AND (c.relname ~ '^rm[01]_' OR c.relname = 'rm_state')
        ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I',
                                  rel.relname, writer_role);
    END LOOP;

    -- ... and leitai_writer keeps nothing in this database.
    IF old_writer IS NOT NULL THEN
        FOR rel IN
            SELECT DISTINCT c.relname FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
            WHERE c.relnamespace = 'public'::pg_catalog.regnamespace AND a.grantee = old_writer
            ORDER BY c.relname
        LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON public.%I FROM leitai_writer', rel.relname);
        END LOOP;
        REVOKE ALL ON FUNCTION public.es_insert_events_uuid(public.stored_event_uuid[]) FROM leitai_writer;
        REVOKE ALL ON SCHEMA public FROM leitai_writer;
    END IF;
    REVOKE ALL ON FUNCTION public.es_insert_events_uuid(public.stored_event_uuid[]) FROM PUBLIC;

    -- Hand the event store to the owner role.  A migrating role that is not a superuser
    -- must be a member of the new owner, and the new owner needs CREATE on the schema
    -- for the hand-over (not afterwards: it is revoked again below).
    IF NOT is_super AND NOT pg_catalog.pg_has_role(current_user, owner_role, 'USAGE') THEN
        EXECUTE pg_catalog.format('GRANT %I TO %I', owner_role, current_user);
    END IF;
    EXECUTE pg_catalog.format('GRANT USAGE, CREATE ON SCHEMA public TO %I', owner_role);
    -- (ALTER TABLE hands over the notification_id sequence with the table.)
    EXECUTE pg_catalog.format('ALTER TABLE public.leitai_events OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER TYPE public.stored_event_uuid OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format(
        'ALTER FUNCTION public.es_insert_events_uuid(public.stored_event_uuid[]) OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER FUNCTION public.leitai_refuse_event_change() OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA public FROM %I', owner_role);
END
$migration$;
