-- Tracks (赛道, rulebook section 20): standings and their consequences per track, a contest's
-- tracks and each organization's track history (projections/tables.py TRACK_TABLES,
-- computed by projections/tracks.py).
--
-- The consequences' primary key gains the track, so those tables are dropped and made
-- again; standings and rounds gain a track column.  Read models are computed from the events alone:
-- every read-model table is emptied and the projection position set back to 0, so the
-- projector (`leitai serve`, or any command that reads) computes them all again from
-- event 1 under the new definitions, as `leitai projections rebuild` would.

ALTER TABLE rm0_standings ADD COLUMN track text;
ALTER TABLE rm1_standings ADD COLUMN track text;
ALTER TABLE rm0_rounds ADD COLUMN track text;
ALTER TABLE rm1_rounds ADD COLUMN track text;

DROP TABLE IF EXISTS rm0_consequences;
DROP TABLE IF EXISTS rm1_consequences;

CREATE TABLE IF NOT EXISTS rm0_consequences (
    contest text,
    unit text,
    period text,
    kind text,
    position integer,
    entrant text,
    name text,
    partner text,
    detail text,
    partner_name text,
    track text,
    PRIMARY KEY (contest, unit, period, track, kind, position)
);

CREATE TABLE IF NOT EXISTS rm0_tracks (
    contest text,
    position integer,
    track text,
    name text,
    PRIMARY KEY (contest, track)
);

CREATE TABLE IF NOT EXISTS rm0_organization_tracks (
    organization text,
    seq integer,
    from_period text,
    track text,
    contest text,
    reason text,
    actor text,
    recorded_at text,
    PRIMARY KEY (organization, seq)
);

CREATE TABLE IF NOT EXISTS rm1_consequences (
    contest text,
    unit text,
    period text,
    kind text,
    position integer,
    entrant text,
    name text,
    partner text,
    detail text,
    partner_name text,
    track text,
    PRIMARY KEY (contest, unit, period, track, kind, position)
);

CREATE TABLE IF NOT EXISTS rm1_tracks (
    contest text,
    position integer,
    track text,
    name text,
    PRIMARY KEY (contest, track)
);

CREATE TABLE IF NOT EXISTS rm1_organization_tracks (
    organization text,
    seq integer,
    from_period text,
    track text,
    contest text,
    reason text,
    actor text,
    recorded_at text,
    PRIMARY KEY (organization, seq)
);

DELETE FROM rm0_rounds;
DELETE FROM rm1_rounds;
DELETE FROM rm0_entries;
DELETE FROM rm1_entries;
DELETE FROM rm0_standings;
DELETE FROM rm1_standings;
DELETE FROM rm0_finalists;
DELETE FROM rm1_finalists;
DELETE FROM rm0_certifications;
DELETE FROM rm1_certifications;
DELETE FROM rm0_consequences;
DELETE FROM rm1_consequences;
DELETE FROM rm0_judges;
DELETE FROM rm1_judges;
DELETE FROM rm0_rulesets;
DELETE FROM rm1_rulesets;
DELETE FROM rm0_quarantine;
DELETE FROM rm1_quarantine;
DELETE FROM rm0_appeals;
DELETE FROM rm1_appeals;
DELETE FROM rm0_contests;
DELETE FROM rm1_contests;
DELETE FROM rm0_organizations;
DELETE FROM rm1_organizations;
DELETE FROM rm0_checkpoints;
DELETE FROM rm1_checkpoints;
DELETE FROM rm0_accounts;
DELETE FROM rm1_accounts;
DELETE FROM rm0_heads;
DELETE FROM rm1_heads;
DELETE FROM rm0_witnesses;
DELETE FROM rm1_witnesses;
UPDATE rm_state SET position = 0, building = NULL, building_position = NULL WHERE name = 'leitai';

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_consequences', 'rm0_tracks', 'rm0_organization_tracks', 'rm1_consequences', 'rm1_tracks', 'rm1_organization_tracks'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
