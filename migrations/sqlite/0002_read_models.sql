-- Read models (projections/tables.py): two generations, rm0_* and rm1_*, and rm_state,
-- which names the active generation and the log position it has reached.
CREATE TABLE IF NOT EXISTS rm0_rounds (
    round TEXT,
    contest TEXT,
    level TEXT,
    unit TEXT,
    period TEXT,
    status TEXT,
    rules_code TEXT,
    rules_version INTEGER,
    seal TEXT,
    ranking TEXT,
    audit BLOB,
    entrants INTEGER,
    sheets_in INTEGER,
    sheets_expected INTEGER,
    complete INTEGER,
    events INTEGER,
    position INTEGER,
    PRIMARY KEY (round)
);

CREATE TABLE IF NOT EXISTS rm0_entries (
    round TEXT,
    entrant TEXT,
    name TEXT,
    unit TEXT,
    status TEXT,
    rank INTEGER,
    final TEXT,
    tied INTEGER,
    award TEXT,
    promotion TEXT,
    reason TEXT,
    sheets_in INTEGER,
    sheets_expected INTEGER,
    PRIMARY KEY (round, entrant)
);

CREATE TABLE IF NOT EXISTS rm0_standings (
    contest TEXT,
    unit TEXT,
    period TEXT,
    entrant TEXT,
    name TEXT,
    score TEXT,
    rank INTEGER,
    tied INTEGER,
    rounds INTEGER,
    method TEXT,
    PRIMARY KEY (contest, unit, period, entrant)
);

CREATE TABLE IF NOT EXISTS rm0_finalists (
    target TEXT,
    entrant TEXT,
    name TEXT,
    source_round TEXT,
    source_unit TEXT,
    source_rank INTEGER,
    source_final TEXT,
    source_seal TEXT,
    PRIMARY KEY (target, entrant)
);

CREATE TABLE IF NOT EXISTS rm0_certifications (
    organization TEXT,
    level TEXT,
    cycle TEXT,
    contest TEXT,
    score TEXT,
    computed_stars INTEGER,
    veto INTEGER,
    band_stars INTEGER,
    capped INTEGER,
    state TEXT,
    stars INTEGER,
    history TEXT,
    PRIMARY KEY (organization, level, cycle)
);

CREATE TABLE IF NOT EXISTS rm0_consequences (
    contest TEXT,
    unit TEXT,
    period TEXT,
    kind TEXT,
    position INTEGER,
    entrant TEXT,
    name TEXT,
    partner TEXT,
    detail TEXT,
    PRIMARY KEY (contest, unit, period, kind, position)
);

CREATE TABLE IF NOT EXISTS rm0_judges (
    scope TEXT,
    key TEXT,
    judge TEXT,
    name TEXT,
    sheets INTEGER,
    mean_deviation TEXT,
    mean_abs_deviation TEXT,
    trimmed INTEGER,
    trimmed_share TEXT,
    flagged INTEGER,
    why TEXT,
    PRIMARY KEY (scope, key, judge)
);

CREATE TABLE IF NOT EXISTS rm0_rulesets (
    code TEXT,
    version INTEGER,
    digest TEXT,
    title TEXT,
    text TEXT,
    PRIMARY KEY (code, version)
);

CREATE TABLE IF NOT EXISTS rm1_rounds (
    round TEXT,
    contest TEXT,
    level TEXT,
    unit TEXT,
    period TEXT,
    status TEXT,
    rules_code TEXT,
    rules_version INTEGER,
    seal TEXT,
    ranking TEXT,
    audit BLOB,
    entrants INTEGER,
    sheets_in INTEGER,
    sheets_expected INTEGER,
    complete INTEGER,
    events INTEGER,
    position INTEGER,
    PRIMARY KEY (round)
);

CREATE TABLE IF NOT EXISTS rm1_entries (
    round TEXT,
    entrant TEXT,
    name TEXT,
    unit TEXT,
    status TEXT,
    rank INTEGER,
    final TEXT,
    tied INTEGER,
    award TEXT,
    promotion TEXT,
    reason TEXT,
    sheets_in INTEGER,
    sheets_expected INTEGER,
    PRIMARY KEY (round, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_standings (
    contest TEXT,
    unit TEXT,
    period TEXT,
    entrant TEXT,
    name TEXT,
    score TEXT,
    rank INTEGER,
    tied INTEGER,
    rounds INTEGER,
    method TEXT,
    PRIMARY KEY (contest, unit, period, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_finalists (
    target TEXT,
    entrant TEXT,
    name TEXT,
    source_round TEXT,
    source_unit TEXT,
    source_rank INTEGER,
    source_final TEXT,
    source_seal TEXT,
    PRIMARY KEY (target, entrant)
);

CREATE TABLE IF NOT EXISTS rm1_certifications (
    organization TEXT,
    level TEXT,
    cycle TEXT,
    contest TEXT,
    score TEXT,
    computed_stars INTEGER,
    veto INTEGER,
    band_stars INTEGER,
    capped INTEGER,
    state TEXT,
    stars INTEGER,
    history TEXT,
    PRIMARY KEY (organization, level, cycle)
);

CREATE TABLE IF NOT EXISTS rm1_consequences (
    contest TEXT,
    unit TEXT,
    period TEXT,
    kind TEXT,
    position INTEGER,
    entrant TEXT,
    name TEXT,
    partner TEXT,
    detail TEXT,
    PRIMARY KEY (contest, unit, period, kind, position)
);

CREATE TABLE IF NOT EXISTS rm1_judges (
    scope TEXT,
    key TEXT,
    judge TEXT,
    name TEXT,
    sheets INTEGER,
    mean_deviation TEXT,
    mean_abs_deviation TEXT,
    trimmed INTEGER,
    trimmed_share TEXT,
    flagged INTEGER,
    why TEXT,
    PRIMARY KEY (scope, key, judge)
);

CREATE TABLE IF NOT EXISTS rm1_rulesets (
    code TEXT,
    version INTEGER,
    digest TEXT,
    title TEXT,
    text TEXT,
    PRIMARY KEY (code, version)
);

CREATE TABLE IF NOT EXISTS rm_state (
    name TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    position INTEGER NOT NULL,
    building INTEGER,
    building_position INTEGER,
    updated_at TEXT
);

INSERT INTO rm_state (name, generation, position) VALUES ('leitai', 0, 0) ON CONFLICT (name) DO NOTHING;

