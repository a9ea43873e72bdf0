-- Ballot boxes of voting rounds (投票, rulebook section 18): one row per voting round of a round, with
-- the ballots cast per group and, once counted, the announced tally (projections/tables.py BALLOT_BOXES;
-- computed by projections/voting.py).
CREATE TABLE IF NOT EXISTS rm0_ballot_boxes (
    round text,
    voting integer,
    contest text,
    status text,
    candidates text,
    names text,
    by_group text,
    ballots integer,
    voided integer,
    tally text,
    rules text,
    position bigint,
    PRIMARY KEY (round, voting)
);

CREATE TABLE IF NOT EXISTS rm1_ballot_boxes (
    round text,
    voting integer,
    contest text,
    status text,
    candidates text,
    names text,
    by_group text,
    ballots integer,
    voided integer,
    tally text,
    rules text,
    position bigint,
    PRIMARY KEY (round, voting)
);

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_ballot_boxes', 'rm1_ballot_boxes'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
