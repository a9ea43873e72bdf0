-- The Merkle tree over the log (domain/merkle.py, RFC 9162 hashing), written by the
-- database in the same transaction as each event, whoever inserts it; and the log's
-- identity (its origin, the name its signed tree heads carry).
--
-- * leitai_tree_leaves: one row per event in log order: leaf 0, 1, 2, ..., the event's
--   position, and SHA-256(0x00 || entry) where entry is
--       int8(position) || uuid || int8(version) || int4(len) || topic || int4(len) || state
--   (a NULL topic or state counts as empty; the same bytes as domain/merkle.py entry()).
-- * leitai_tree_nodes: every complete node above the leaves: (level, idx) covers leaves
--   idx * 2^level .. (idx + 1) * 2^level - 1, hash SHA-256(0x01 || left || right); a node
--   is written when its last leaf arrives and never changes.
-- * Inserts take an EXCLUSIVE lock on leitai_events (es_insert_events_uuid), so leaves are
--   numbered in log order.  The trigger runs once per INSERT statement over the rows it
--   inserted (a batch of events), and fires ALWAYS, in replica mode too; the tables are
--   append-only like the events; the writer role may only read them.
-- * The events recorded before this migration get their leaves and nodes here, set-based.
-- Who may run it: as for 0005 (a superuser, or the database's owner with CREATEROLE).

DO $migration$
DECLARE
    owner_role text := (SELECT owner FROM public.leitai_roles);
    writer_role text := (SELECT writer FROM public.leitai_roles);
    made bigint;
    lvl integer;
BEGIN
    -- (their keys are added after the existing events' tree is built: one index build, not
    -- an index insert per row)
    CREATE TABLE IF NOT EXISTS public.leitai_tree_leaves (
        leaf bigint NOT NULL,
        position bigint NOT NULL,
        hash bytea NOT NULL
    );
    CREATE TABLE IF NOT EXISTS public.leitai_tree_nodes (
        level smallint NOT NULL,
        idx bigint NOT NULL,
        hash bytea NOT NULL
    );
    CREATE TABLE IF NOT EXISTS public.leitai_log (
        one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
        origin text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
    );
    IF NOT EXISTS (SELECT 1 FROM public.leitai_log) THEN
        INSERT INTO public.leitai_log (origin) VALUES (
            'leitai/'
            || coalesce(nullif(pg_catalog.left(pg_catalog.btrim(pg_catalog.regexp_replace(
                   pg_catalog.lower(pg_catalog.current_database()), '[^a-z0-9._-]+', '-', 'g'), '-'), 40), ''), 'log')
            || '/' || pg_catalog.left(pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''), 12));
    END IF;

    -- Once per INSERT statement (a batch of events), over the rows it inserted: their leaves
    -- numbered on from the tree's size, then each level's nodes that became complete - at
    -- level L the nodes idx in [n / 2^L, m / 2^L - 1] for a tree grown from n to m leaves.
    CREATE OR REPLACE FUNCTION public.leitai_tree_events() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $function$
    DECLARE
        n bigint;
        m bigint;
        lvl integer := 1;
        width bigint;
    BEGIN
        SELECT l.leaf + 1 INTO n FROM public.leitai_tree_leaves AS l ORDER BY l.leaf DESC LIMIT 1;
        n := coalesce(n, 0);
        INSERT INTO public.leitai_tree_leaves (leaf, position, hash)
        SELECT n + pg_catalog.row_number() OVER (ORDER BY e.notification_id) - 1, e.notification_id,
               pg_catalog.sha256('\x00'::bytea || pg_catalog.int8send(e.notification_id)
                   || pg_catalog.uuid_send(e.originator_id) || pg_catalog.int8send(e.originator_version)
                   || pg_catalog.int4send(pg_catalog.octet_length(pg_catalog.convert_to(coalesce(e.topic, ''), 'UTF8')))
                   || pg_catalog.convert_to(coalesce(e.topic, ''), 'UTF8')
                   || pg_catalog.int4send(pg_catalog.octet_length(coalesce(e.state, ''::bytea)))
                   || coalesce(e.state, ''::bytea))
        FROM new_events AS e;
        GET DIAGNOSTICS m = ROW_COUNT;
        m := n + m;
        LOOP
            width := (1::bigint) << lvl;
            EXIT WHEN m / width <= n / width;  -- no multiple of 2^L in (n, m]: nothing new here or above
            IF lvl = 1 THEN
                INSERT INTO public.leitai_tree_nodes (level, idx, hash)
                SELECT 1, l.leaf / 2, pg_catalog.sha256('\x01'::bytea || l.hash || r.hash)
                FROM public.leitai_tree_leaves AS l JOIN public.leitai_tree_leaves AS r ON r.leaf = l.leaf + 1
                WHERE l.leaf BETWEEN (n / 2) * 2 AND (m / 2 - 1) * 2 AND l.leaf % 2 = 0;
            ELSE
                INSERT INTO public.leitai_tree_nodes (level, idx, hash)
                SELECT lvl, l.idx / 2, pg_catalog.sha256('\x01'::bytea || l.hash || r.hash)
                FROM public.leitai_tree_nodes AS l
                JOIN public.leitai_tree_nodes AS r ON r.level = lvl - 1 AND r.idx = l.idx + 1
                WHERE l.level = lvl - 1 AND l.idx BETWEEN (n / width) * 2 AND (m / width - 1) * 2 AND l.idx % 2 = 0;
            END IF;
            lvl := lvl + 1;
        END LOOP;
        RETURN NULL;
    END;
    $function$;

    -- the events recorded before this migration, set-based: leaves, then each level from the
    -- one below (pairs of neighbours), then the keys
    IF NOT EXISTS (SELECT 1 FROM public.leitai_tree_leaves) THEN
        INSERT INTO public.leitai_tree_leaves (leaf, position, hash)
        SELECT pg_catalog.row_number() OVER (ORDER BY e.notification_id) - 1, e.notification_id,
               pg_catalog.sha256('\x00'::bytea || pg_catalog.int8send(e.notification_id)
                   || pg_catalog.uuid_send(e.originator_id) || pg_catalog.int8send(e.originator_version)
                   || pg_catalog.int4send(pg_catalog.octet_length(pg_catalog.convert_to(coalesce(e.topic, ''), 'UTF8')))
                   || pg_catalog.convert_to(coalesce(e.topic, ''), 'UTF8')
                   || pg_catalog.int4send(pg_catalog.octet_length(coalesce(e.state, ''::bytea)))
                   || coalesce(e.state, ''::bytea))
        FROM public.leitai_events AS e;
        INSERT INTO public.leitai_tree_nodes (level, idx, hash)
        SELECT 1, p.leaf / 2, pg_catalog.sha256('\x01'::bytea || p.hash || p.next)
        FROM (SELECT l.leaf, l.hash, pg_catalog.lead(l.hash) OVER (ORDER BY l.leaf) AS next
              FROM public.leitai_tree_leaves AS l) AS p
        WHERE p.leaf % 2 = 0 AND p.next IS NOT NULL;
        lvl := 1;
        LOOP
            INSERT INTO public.leitai_tree_nodes (level, idx, hash)
            SELECT lvl + 1, p.idx / 2, pg_catalog.sha256('\x01'::bytea || p.hash || p.next)
            FROM (SELECT t.idx, t.hash, pg_catalog.lead(t.hash) OVER (ORDER BY t.idx) AS next
                  FROM public.leitai_tree_nodes AS t WHERE t.level = lvl) AS p
            WHERE p.idx % 2 = 0 AND p.next IS NOT NULL;
            GET DIAGNOSTICS made = ROW_COUNT;
            EXIT WHEN made = 0;
            lvl := lvl + 1;
        END LOOP;
    END IF;
    IF pg_catalog.to_regclass('public.leitai_tree_leaves_pkey') IS NULL THEN
        ALTER TABLE public.leitai_tree_leaves ADD CONSTRAINT leitai_tree_leaves_pkey PRIMARY KEY (leaf),
            ADD CONSTRAINT leitai_tree_leaves_position_key UNIQUE (position);
        ALTER TABLE public.leitai_tree_nodes ADD CONSTRAINT leitai_tree_nodes_pkey PRIMARY KEY (level, idx);
    END IF;

    DROP TRIGGER IF EXISTS leitai_events_tree ON public.leitai_events;
    CREATE TRIGGER leitai_events_tree AFTER INSERT ON public.leitai_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION public.leitai_tree_events();
    ALTER TABLE public.leitai_events ENABLE ALWAYS TRIGGER leitai_events_tree;

    DROP TRIGGER IF EXISTS leitai_tree_leaves_append_only ON public.leitai_tree_leaves;
    CREATE TRIGGER leitai_tree_leaves_append_only BEFORE UPDATE OR DELETE ON public.leitai_tree_leaves
        FOR EACH ROW EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_tree_leaves ENABLE ALWAYS TRIGGER leitai_tree_leaves_append_only;
    DROP TRIGGER IF EXISTS leitai_tree_leaves_no_truncate ON public.leitai_tree_leaves;
    CREATE TRIGGER leitai_tree_leaves_no_truncate BEFORE TRUNCATE ON public.leitai_tree_leaves
        FOR EACH STATEMENT EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_tree_leaves ENABLE ALWAYS TRIGGER leitai_tree_leaves_no_truncate;
    DROP TRIGGER IF EXISTS leitai_tree_nodes_append_only ON public.leitai_tree_nodes;
    CREATE TRIGGER leitai_tree_nodes_append_only BEFORE UPDATE OR DELETE ON public.leitai_tree_nodes
        FOR EACH ROW EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_tree_nodes ENABLE ALWAYS TRIGGER leitai_tree_nodes_append_only;
    DROP TRIGGER IF EXISTS leitai_tree_nodes_no_truncate ON public.leitai_tree_nodes;
    CREATE TRIGGER leitai_tree_nodes_no_truncate BEFORE TRUNCATE ON public.leitai_tree_nodes
        FOR EACH STATEMENT EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_tree_nodes ENABLE ALWAYS TRIGGER leitai_tree_nodes_no_truncate;
    DROP TRIGGER IF EXISTS leitai_log_fixed ON public.leitai_log;
    CREATE TRIGGER leitai_log_fixed BEFORE UPDATE OR DELETE ON public.leitai_log
        FOR EACH ROW EXECUTE FUNCTION public.leitai_refuse_event_change();
    ALTER TABLE public.leitai_log ENABLE ALWAYS TRIGGER leitai_log_fixed;

    -- the store's own objects belong to the owner role; the writer may read them
    EXECUTE pg_catalog.format('GRANT USAGE, CREATE ON SCHEMA public TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER TABLE public.leitai_tree_leaves OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER TABLE public.leitai_tree_nodes OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER TABLE public.leitai_log OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('ALTER FUNCTION public.leitai_tree_events() OWNER TO %I', owner_role);
    EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA public FROM %I', owner_role);
    REVOKE ALL ON public.leitai_tree_leaves FROM PUBLIC;
    REVOKE ALL ON public.leitai_tree_nodes FROM PUBLIC;
    REVOKE ALL ON public.leitai_log FROM PUBLIC;
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_tree_leaves TO %I', writer_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_tree_nodes TO %I', writer_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON public.leitai_log TO %I', writer_role);
END
$migration$;

-- Read models (projections/tables.py): the signed tree heads with their cosignatures, and the
-- registered witnesses.
CREATE TABLE IF NOT EXISTS rm0_heads (
    size bigint,
    root text,
    note text,
    reasons text,
    cosignatures text,
    event_position bigint,
    PRIMARY KEY (size, root)
);

CREATE TABLE IF NOT EXISTS rm0_witnesses (
    name text,
    vkey text,
    PRIMARY KEY (name)
);

CREATE TABLE IF NOT EXISTS rm1_heads (
    size bigint,
    root text,
    note text,
    reasons text,
    cosignatures text,
    event_position bigint,
    PRIMARY KEY (size, root)
);

CREATE TABLE IF NOT EXISTS rm1_witnesses (
    name text,
    vkey text,
    PRIMARY KEY (name)
);

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_heads', 'rm0_witnesses', 'rm1_heads', 'rm1_witnesses'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
