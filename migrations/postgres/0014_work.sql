-- Consequences as tracked work (结果运用, rulebook sections 15-16): tasks on the ladder, pairs with
-- their exchanges, and each closed period's classes (projections/tables.py WORK_TABLES; computed by
-- projections/work.py).
CREATE TABLE IF NOT EXISTS rm0_work_tasks (
    task text,
    contest text,
    unit text,
    period text,
    track text,
    entrant text,
    name text,
    rung integer,
    step integer,
    streak integer,
    action text,
    action_name text,
    by_whom text,
    due text,
    record text,
    why_zh text,
    why_en text,
    issued_on text,
    state text,
    done text,
    reason text,
    position bigint,
    PRIMARY KEY (task)
);

CREATE TABLE IF NOT EXISTS rm0_work_pairs (
    pair text,
    contest text,
    unit text,
    period text,
    track text,
    leader text,
    leader_name text,
    lagger text,
    lagger_name text,
    by_whom text,
    exchanges integer,
    per text,
    start_month text,
    end_month text,
    record text,
    why_zh text,
    why_en text,
    state text,
    log text,
    ended text,
    position bigint,
    PRIMARY KEY (pair)
);

CREATE TABLE IF NOT EXISTS rm0_work_classes (
    contest text,
    unit text,
    period text,
    track text,
    entrant text,
    name text,
    rank integer,
    score text,
    class text,
    class_name text,
    closed_on text,
    digest text,
    PRIMARY KEY (contest, unit, period, track, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_work_tasks (
    task text,
    contest text,
    unit text,
    period text,
    track text,
    entrant text,
    name text,
    rung integer,
    step integer,
    streak integer,
    action text,
    action_name text,
    by_whom text,
    due text,
    record text,
    why_zh text,
    why_en text,
    issued_on text,
    state text,
    done text,
    reason text,
    position bigint,
    PRIMARY KEY (task)
);

CREATE TABLE IF NOT EXISTS rm1_work_pairs (
    pair text,
    contest text,
    unit text,
    period text,
    track text,
    leader text,
    leader_name text,
    lagger text,
    lagger_name text,
    by_whom text,
    exchanges integer,
    per text,
    start_month text,
    end_month text,
    record text,
    why_zh text,
    why_en text,
    state text,
    log text,
    ended text,
    position bigint,
    PRIMARY KEY (pair)
);

CREATE TABLE IF NOT EXISTS rm1_work_classes (
    contest text,
    unit text,
    period text,
    track text,
    entrant text,
    name text,
    rank integer,
    score text,
    class text,
    class_name text,
    closed_on text,
    digest text,
    PRIMARY KEY (contest, unit, period, track, entrant)
);

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_work_tasks', 'rm0_work_pairs', 'rm0_work_classes', 'rm1_work_tasks', 'rm1_work_pairs', 'rm1_work_classes'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
