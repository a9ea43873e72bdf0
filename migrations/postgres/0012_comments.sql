-- Comments on entrants (点评, rulebook section 17): one row per comment of a round, with its history
-- (projections/tables.py COMMENTS; computed by projections/comments.py).
CREATE TABLE IF NOT EXISTS rm0_comments (
    round text,
    comment integer,
    contest text,
    entrant text,
    entrant_name text,
    author_kind text,
    judge text,
    author text,
    as_title text,
    stage text,
    text text,
    state text,
    history text,
    recorded_at text,
    recorded_by text,
    position bigint,
    PRIMARY KEY (round, comment)
);

CREATE TABLE IF NOT EXISTS rm1_comments (
    round text,
    comment integer,
    contest text,
    entrant text,
    entrant_name text,
    author_kind text,
    judge text,
    author text,
    as_title text,
    stage text,
    text text,
    state text,
    history text,
    recorded_at text,
    recorded_by text,
    position bigint,
    PRIMARY KEY (round, comment)
);

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_comments', 'rm1_comments'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
