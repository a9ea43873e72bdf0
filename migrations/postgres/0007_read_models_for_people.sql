-- Read models for the people who use them (projections/tables.py): organizations with their
-- secretaries, the signed checkpoints, each round's theme and publicity periods, and each
-- entrant's secretary beside its name.
CREATE TABLE IF NOT EXISTS rm0_organizations (
    organization text,
    name text,
    unit text,
    sector text,
    category text,
    secretary text,
    secretaries text,
    PRIMARY KEY (organization)
);

CREATE TABLE IF NOT EXISTS rm0_checkpoints (
    position bigint,
    head text,
    signature text,
    public_key text,
    fingerprint text,
    reasons text,
    event_position bigint,
    PRIMARY KEY (position)
);

CREATE TABLE IF NOT EXISTS rm1_organizations (
    organization text,
    name text,
    unit text,
    sector text,
    category text,
    secretary text,
    secretaries text,
    PRIMARY KEY (organization)
);

CREATE TABLE IF NOT EXISTS rm1_checkpoints (
    position bigint,
    head text,
    signature text,
    public_key text,
    fingerprint text,
    reasons text,
    event_position bigint,
    PRIMARY KEY (position)
);

ALTER TABLE rm0_rounds ADD COLUMN theme text;
ALTER TABLE rm0_rounds ADD COLUMN publicity text;
ALTER TABLE rm0_entries ADD COLUMN secretary text;
ALTER TABLE rm1_rounds ADD COLUMN theme text;
ALTER TABLE rm1_rounds ADD COLUMN publicity text;
ALTER TABLE rm1_entries ADD COLUMN secretary text;

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_organizations', 'rm0_checkpoints', 'rm1_organizations', 'rm1_checkpoints'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
