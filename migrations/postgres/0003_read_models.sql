-- Read models (projections/tables.py): two generations, rm0_* and rm1_*, and rm_state,
-- which names the active generation and the log position it has reached.
-- The application role may change read models (they are rebuilt from events at will).
CREATE TABLE IF NOT EXISTS rm0_rounds (
    round text,
    contest text,
    level text,
    unit text,
    period text,
    status text,
    rules_code text,
    rules_version integer,
    seal text,
    ranking text,
    audit bytea,
    entrants integer,
    sheets_in integer,
    sheets_expected integer,
    complete integer,
    events bigint,
    position bigint,
    PRIMARY KEY (round)
);

CREATE TABLE IF NOT EXISTS rm0_entries (
    round text,
    entrant text,
    name text,
    unit text,
    status text,
    rank integer,
    final text,
    tied integer,
    award text,
    promotion text,
    reason text,
    sheets_in integer,
    sheets_expected integer,
    PRIMARY KEY (round, entrant)
);

CREATE TABLE IF NOT EXISTS rm0_standings (
    contest text,
    unit text,
    period text,
    entrant text,
    name text,
    score text,
    rank integer,
    tied integer,
    rounds integer,
    method text,
    PRIMARY KEY (contest, unit, period, entrant)
);

CREATE TABLE IF NOT EXISTS rm0_finalists (
    target text,
    entrant text,
    name text,
    source_round text,
    source_unit text,
    source_rank integer,
    source_final text,
    source_seal text,
    PRIMARY KEY (target, entrant)
);

CREATE TABLE IF NOT EXISTS rm0_certifications (
    organization text,
    level text,
    cycle text,
    contest text,
    score text,
    computed_stars integer,
    veto integer,
    band_stars integer,
    capped integer,
    state text,
    stars integer,
    history text,
    PRIMARY KEY (organization, level, cycle)
);

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
    PRIMARY KEY (contest, unit, period, kind, position)
);

CREATE TABLE IF NOT EXISTS rm0_judges (
    scope text,
    key text,
    judge text,
    name text,
    sheets integer,
    mean_deviation text,
    mean_abs_deviation text,
    trimmed integer,
    trimmed_share text,
    flagged integer,
    why text,
    PRIMARY KEY (scope, key, judge)
);

CREATE TABLE IF NOT EXISTS rm0_rulesets (
    code text,
    version integer,
    digest text,
    title text,
    text text,
    PRIMARY KEY (code, version)
);

CREATE TABLE IF NOT EXISTS rm1_rounds (
    round text,
    contest text,
    level text,
    unit text,
    period text,
    status text,
    rules_code text,
    rules_version integer,
    seal text,
    ranking text,
    audit bytea,
    entrants integer,
    sheets_in integer,
    sheets_expected integer,
    complete integer,
    events bigint,
    position bigint,
    PRIMARY KEY (round)
);

CREATE TABLE IF NOT EXISTS rm1_entries (
    round text,
    entrant text,
    name text,
    unit text,
    status text,
    rank integer,
    final text,
    tied integer,
    award text,
    promotion text,
    reason text,
    sheets_in integer,
    sheets_expected integer,
    PRIMARY KEY (round, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_standings (
    contest text,
    unit text,
    period text,
    entrant text,
    name text,
    score text,
    rank integer,
    tied integer,
    rounds integer,
    method text,
    PRIMARY KEY (contest, unit, period, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_finalists (
    target text,
    entrant text,
    name text,
    source_round text,
    source_unit text,
    source_rank integer,
    source_final text,
    source_seal text,
    PRIMARY KEY (target, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_certifications (
    organization text,
    level text,
    cycle text,
    contest text,
    score text,
    computed_stars integer,
    veto integer,
    band_stars integer,
    capped integer,
    state text,
    stars integer,
    history text,
    PRIMARY KEY (organization, level, cycle)
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
    PRIMARY KEY (contest, unit, period, kind, position)
);

CREATE TABLE IF NOT EXISTS rm1_judges (
    scope text,
    key text,
    judge text,
    name text,
    sheets integer,
    mean_deviation text,
    mean_abs_deviation text,
    trimmed integer,
    trimmed_share text,
    flagged integer,
    why text,
    PRIMARY KEY (scope, key, judge)
);

CREATE TABLE IF NOT EXISTS rm1_rulesets (
    code text,
    version integer,
    digest text,
    title text,
    text text,
    PRIMARY KEY (code, version)
);

CREATE TABLE IF NOT EXISTS rm_state (
    name text PRIMARY KEY,
    generation integer NOT NULL,
    position bigint NOT NULL,
    building integer,
    building_position bigint,
    updated_at text
);

INSERT INTO rm_state (name, generation, position) VALUES ('leitai', 0, 0) ON CONFLICT (name) DO NOTHING;

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_rounds TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_entries TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_standings TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_finalists TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_certifications TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_consequences TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_judges TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm0_rulesets TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_rounds TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_entries TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_standings TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_finalists TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_certifications TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_consequences TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_judges TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm1_rulesets TO leitai_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rm_state TO leitai_writer;
