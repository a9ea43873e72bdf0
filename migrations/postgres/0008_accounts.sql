-- Accounts and access: the accounts read model, and what the policy needs to know about a round
-- (its live board, its seated judges, its unit and those above it); beside the store, the
-- secrets that are not history: password hashes, the answers to idempotent requests, settings.
CREATE TABLE IF NOT EXISTS rm0_accounts (
    account text,
    display_name text,
    grants text,
    disabled integer,
    generation integer,
    PRIMARY KEY (account)
);

CREATE TABLE IF NOT EXISTS rm1_accounts (
    account text,
    display_name text,
    grants text,
    disabled integer,
    generation integer,
    PRIMARY KEY (account)
);

ALTER TABLE rm0_contests ADD COLUMN contact text;
ALTER TABLE rm1_contests ADD COLUMN contact text;
ALTER TABLE rm0_rounds ADD COLUMN live_board integer;
ALTER TABLE rm0_rounds ADD COLUMN judges text;
ALTER TABLE rm0_rounds ADD COLUMN unit_path text;
ALTER TABLE rm1_rounds ADD COLUMN live_board integer;
ALTER TABLE rm1_rounds ADD COLUMN judges text;
ALTER TABLE rm1_rounds ADD COLUMN unit_path text;

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_accounts', 'rm1_accounts'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;

CREATE TABLE IF NOT EXISTS leitai_credentials (
    account text PRIMARY KEY,
    hash text NOT NULL,
    updated_at text NOT NULL
);

CREATE TABLE IF NOT EXISTS leitai_requests (
    account text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    status integer NOT NULL,
    body text NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (account, key)
);

CREATE TABLE IF NOT EXISTS leitai_settings (
    name text PRIMARY KEY,
    value text NOT NULL
);

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
BEGIN
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE ON public.leitai_credentials TO %I', writer);
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT, DELETE ON public.leitai_requests TO %I', writer);
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT ON public.leitai_settings TO %I', writer);
END
$grants$;
