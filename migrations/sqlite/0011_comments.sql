-- Comments on entrants (点评, rulebook section 17): one row per comment of a round, with its history
-- (projections/tables.py COMMENTS; computed by projections/comments.py).
CREATE TABLE IF NOT EXISTS rm0_comments (
    round TEXT,
    comment INTEGER,
    contest TEXT,
    entrant TEXT,
    entrant_name TEXT,
    author_kind TEXT,
    judge TEXT,
    author TEXT,
    as_title TEXT,
    stage TEXT,
    text TEXT,
    state TEXT,
    history TEXT,
    recorded_at TEXT,
    recorded_by TEXT,
    position INTEGER,
    PRIMARY KEY (round, comment)
);

CREATE TABLE IF NOT EXISTS rm1_comments (
    round TEXT,
    comment INTEGER,
    contest TEXT,
    entrant TEXT,
    entrant_name TEXT,
    author_kind TEXT,
    judge TEXT,
    author TEXT,
    as_title TEXT,
    stage TEXT,
    text TEXT,
    state TEXT,
    history TEXT,
    recorded_at TEXT,
    recorded_by TEXT,
    position INTEGER,
    PRIMARY KEY (round, comment)
);
