-- Read models for the people who use them (projections/tables.py): organizations with their
-- secretaries, the signed checkpoints, each round's theme and publicity periods, and each
-- entrant's secretary beside its name.
CREATE TABLE IF NOT EXISTS rm0_organizations (
    organization TEXT,
    name TEXT,
    unit TEXT,
    sector TEXT,
    category TEXT,
    secretary TEXT,
    secretaries TEXT,
    PRIMARY KEY (organization)
);

CREATE TABLE IF NOT EXISTS rm0_checkpoints (
    position INTEGER,
    head TEXT,
    signature TEXT,
    public_key TEXT,
    fingerprint TEXT,
    reasons TEXT,
    event_position INTEGER,
    PRIMARY KEY (position)
);

CREATE TABLE IF NOT EXISTS rm1_organizations (
    organization TEXT,
    name TEXT,
    unit TEXT,
    sector TEXT,
    category TEXT,
    secretary TEXT,
    secretaries TEXT,
    PRIMARY KEY (organization)
);

CREATE TABLE IF NOT EXISTS rm1_checkpoints (
    position INTEGER,
    head TEXT,
    signature TEXT,
    public_key TEXT,
    fingerprint TEXT,
    reasons TEXT,
    event_position INTEGER,
    PRIMARY KEY (position)
);

ALTER TABLE rm0_rounds ADD COLUMN theme TEXT;
ALTER TABLE rm0_rounds ADD COLUMN publicity TEXT;
ALTER TABLE rm0_entries ADD COLUMN secretary TEXT;
ALTER TABLE rm1_rounds ADD COLUMN theme TEXT;
ALTER TABLE rm1_rounds ADD COLUMN publicity TEXT;
ALTER TABLE rm1_entries ADD COLUMN secretary TEXT;
