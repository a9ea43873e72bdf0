-- Accounts and access: the accounts read model, and what the policy needs to know about a round
-- (its live board, its seated judges, its unit and those above it); beside the store, the
-- secrets that are not history: password hashes, the answers to idempotent requests, settings.
CREATE TABLE IF NOT EXISTS rm0_accounts (
    account TEXT,
    display_name TEXT,
    grants TEXT,
    disabled INTEGER,
    generation INTEGER,
    PRIMARY KEY (account)
);

CREATE TABLE IF NOT EXISTS rm1_accounts (
    account TEXT,
    display_name TEXT,
    grants TEXT,
    disabled INTEGER,
    generation INTEGER,
    PRIMARY KEY (account)
);

ALTER TABLE rm0_contests ADD COLUMN contact TEXT;
ALTER TABLE rm1_contests ADD COLUMN contact TEXT;
ALTER TABLE rm0_rounds ADD COLUMN live_board INTEGER;
ALTER TABLE rm0_rounds ADD COLUMN judges TEXT;
ALTER TABLE rm0_rounds ADD COLUMN unit_path TEXT;
ALTER TABLE rm1_rounds ADD COLUMN live_board INTEGER;
ALTER TABLE rm1_rounds ADD COLUMN judges TEXT;
ALTER TABLE rm1_rounds ADD COLUMN unit_path TEXT;

CREATE TABLE IF NOT EXISTS leitai_credentials (
    account TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS leitai_requests (
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
);

CREATE TABLE IF NOT EXISTS leitai_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
